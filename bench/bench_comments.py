"""200 concurrent comment POSTs through the API, served by gunicorn with 4 workers.

Run: ``python -m bench.bench_comments``. For a fresh SQLite file, then a fresh PostgreSQL
database (127.0.0.1:5432, dropped afterwards): seed a round, a provision and 10 accounts with
tokens, start gunicorn on a loopback port, fire 200 POSTs from 50 threads (urllib), and print
stored, 5xx, "database is locked" and p50/p99 latency, plus the ratio of p50 to one POST
sent alone (10 sequential POSTs by an 11th account, same run, not counted in "stored").
Targets: 200 stored, 0 server errors, 0 locked.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import loadkit

POSTS, THREADS, ACCOUNTS, WORKERS = 200, 50, 10, 4
CODE = "bench"
QUOTE = "within fourteen days"


def send(base: str, code: str, token: str, body: str, **options: object) -> loadkit.Reply:
    return loadkit.post_comment(base, code, token, body, quote=QUOTE, **options)  # type: ignore[arg-type]


def health_p50(base: str) -> float:
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/healthz", timeout=10):  # noqa: S310
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(name: str, url: str, workdir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PLENARY_ENV": "development",
        "PLENARY_INSTANCE_PATH": str(workdir),
    }
    tokens = loadkit.seed(env, code=CODE, accounts=ACCOUNTS + 1)  # the last one posts alone
    log = workdir / f"gunicorn-{name}.log"
    with loadkit.gunicorn(env, loadkit.free_port(), workers=WORKERS, log=log) as base:
        baseline = health_p50(base)
        alone = statistics.median(
            send(base, CODE, tokens[-1], f"Alone {n}.", idempotency_key=f"alone-{n}").seconds
            for n in range(10)
        )
        tally = loadkit.concurrent_posts(
            base, CODE, tokens[:ACCOUNTS], POSTS, THREADS, label="bench", send=send
        )
    replies = tally.replies
    latencies = sorted(reply.seconds for reply in replies)
    statuses = [reply.status for reply in replies]
    locked = sum("database is locked" in reply.text for reply in replies)
    locked += log.read_text().count("database is locked")
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    stored = loadkit.stored(env, list(tally.acknowledged)).total - 10
    print(
        f"{name:<10} stored {stored}/{POSTS}  201s {statuses.count(201)}  "
        f"5xx {sum(s >= 500 for s in statuses)}  "
        f"other {sum(s != 201 and s < 500 for s in statuses)}"
        f"  locked {locked}  p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms  "
        f"(p50 = {p50 / alone:.1f}x one POST alone {alone * 1000:.0f} ms; "
        f"GET /healthz {baseline * 1000:.1f} ms)"
    )


def main() -> None:
    print(f"{POSTS} POSTs from {THREADS} threads, gunicorn -w {WORKERS}, {ACCOUNTS} accounts")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        run("sqlite", f"sqlite:///{workdir / 'bench.db'}", workdir)
        made = loadkit.create_pg_database("plenary_bench")
        if made is None:
            print("postgresql skipped")
            return
        url, name = made
        try:
            run("postgresql", url, workdir)
        finally:
            loadkit.drop_pg_database(name)


if __name__ == "__main__":
    main()

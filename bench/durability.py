"""Durability: no comment acknowledged with 201 is lost when the server is killed mid-load.

Runs gunicorn (4 workers) on a fresh SQLite file, then on a fresh PostgreSQL database (when one
answers on 127.0.0.1:5432 as user postgres), posts comments through the API from several
threads, `kill -9`s the master and every worker mid-load, restarts, posts again, and checks
that every acknowledged comment is stored (by returned id and body) and, on SQLite, that
`PRAGMA integrity_check` is ok. Prints sent, acknowledged, stored and lost (lost must be 0).
Loopback only; bounded loops; it stops by itself.

    cd /work/main && .venv/bin/python -m bench.durability
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from bench import loadkit

THREADS = 8
PER_THREAD = 60  # upper bound of posts per thread and phase
KILL_AFTER_ACKS = 150  # kill the server once this many comments were acknowledged
PHASE_SECONDS = 20.0
CODE = "durability"


def load(
    port: int, secrets: list[str], tally: loadkit.Tally, phase: str, stop: threading.Event
) -> None:
    base = f"http://127.0.0.1:{port}"

    def worker(n: int) -> None:
        deadline = time.monotonic() + PHASE_SECONDS
        for i in range(PER_THREAD):
            if stop.is_set() or time.monotonic() > deadline:
                return
            body = f"{phase} comment {n}-{i}: keep documentation current."
            tally.add(body, loadkit.post_comment(base, CODE, secrets[n], body, timeout=10))

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PHASE_SECONDS + 15)


def run(label: str, database_url: str, instance: Path) -> bool:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PLENARY_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "durability-bench-secret-" + "k" * 32,
        "PLENARY_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    secrets = loadkit.seed(env, code=CODE, accounts=THREADS)
    port = loadkit.free_port()
    tally = loadkit.Tally()
    started = time.monotonic()
    log = instance / f"gunicorn-{label}.log"
    server = loadkit.start_gunicorn(env, port, log=log)
    stop = threading.Event()
    loader = threading.Thread(target=load, args=(port, secrets, tally, "before", stop))
    loader.start()
    deadline = time.monotonic() + PHASE_SECONDS
    while len(tally.acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = loadkit.kill_all(server)
    acked_at_kill = len(tally.acknowledged)
    time.sleep(0.5)
    stop.set()
    loader.join()
    server = loadkit.start_gunicorn(env, port, log=log)
    load(port, secrets, tally, "after", threading.Event())
    loadkit.stop_gunicorn(server)
    found = loadkit.stored(env, list(tally.acknowledged))
    lost = loadkit.lost(tally, found)
    elapsed = time.monotonic() - started
    print(
        f"{label}: sent {tally.sent}, acknowledged {len(tally.acknowledged)} "
        f"({acked_at_kill} before kill -9 of {killed} processes), stored {len(found.rows)}, "
        f"lost {len(lost)}; integrity_check {found.integrity}; {elapsed:.1f} s"
    )
    if tally.statuses:
        print(f"  not acknowledged (expected around the kill): {tally.statuses}")
    return not lost and found.integrity in ("ok", "n/a")


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="plenary-durability-") as folder:
        instance = Path(folder)
        ok &= run("SQLite", f"sqlite:///{instance / 'durability.db'}", instance)
        made = loadkit.create_pg_database("plenary_durability")
        if made is None:
            print("PostgreSQL: skipped (no server on 127.0.0.1:5432)")
        else:
            url, name = made
            try:
                ok &= run("PostgreSQL", url, instance)
            finally:
                loadkit.drop_pg_database(name)
    print("durability:", "no acknowledged comment lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

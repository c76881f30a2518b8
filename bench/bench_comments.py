"""200 concurrent comment POSTs through the API, served by gunicorn with 4 workers.

Run: ``python -m bench.bench_comments``. For a fresh SQLite file, then a fresh PostgreSQL
database (127.0.0.1:5432, dropped afterwards): seed a round, a provision and 10 accounts with
tokens, start gunicorn on a loopback port, fire 200 POSTs from 50 threads (urllib), and print
stored, 5xx, "database is locked" and p50/p99 latency, plus the ratio of p50 to one POST
sent alone (10 sequential POSTs by an 11th account, same run, not counted in "stored").
Targets: 200 stored, 0 server errors, 0 locked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTS, THREADS, ACCOUNTS, WORKERS = 200, 50, 10, 4
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEXT = (
    "Signatories shall keep the technical documentation of each model up to date and "
    "shall make it available to the AI Office on request within fourteen days."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str) -> list[str]:
    """Schema, one open round with one provision, ACCOUNTS accounts; returns their tokens."""
    from app import create_app
    from app.accounts import services as accounts
    from app.config import config_for_tests
    from app.core.db import db
    from app.drafting.markdown import plain_text, render_markdown
    from app.drafting.models import Code, Provision, Round

    app = create_app(config_for_tests(url))
    with app.app_context():
        db.create_all()
        now = dt.datetime.now(dt.UTC)
        round_ = Round(
            code=Code(slug="bench", title="Bench"),
            number=1,
            name="Draft 1",
            visibility="public",
            levels=["measure"],
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=1),
        )
        html = render_markdown(TEXT)
        db.session.add(
            Provision(
                round=round_,
                key="m-1",
                kind="measure",
                depth=1,
                position=0,
                title="Bench",
                body=TEXT,
                body_html=html,
                text=plain_text(html),
            )
        )
        tokens = []
        for n in range(ACCOUNTS + 1):  # the last one measures a POST alone
            user = accounts.create_user(f"bench{n}@example.org", f"Bench {n}")
            tokens.append(accounts.create_token(user, "bench")[1])
        db.session.commit()
        db.engine.dispose()
    return tokens


def stored_count(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM comments")).scalar_one()
    engine.dispose()
    return int(count)


@contextmanager
def gunicorn(url: str, port: int, log: Path) -> Iterator[str]:
    env = {**os.environ, "DATABASE_URL": url, "PLENARY_ENV": "development"}
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1800):  # workers import the app (and its ML stack): allow 3 minutes
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start; see {log}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post(base: str, token: str, n: int) -> tuple[int, float, str]:
    body = json.dumps(
        {"stance": "amend", "body": f"Bench comment number {n}.", "quote": "within fourteen days"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/codes/bench/rounds/1/provisions/m-1/comments",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"bench-{n}",
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    return status, time.perf_counter() - started, text


def health_p50(base: str) -> float:
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/healthz", timeout=10):  # noqa: S310
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(name: str, url: str, workdir: Path) -> None:
    tokens = seed(url)
    log = workdir / f"gunicorn-{name}.log"
    with gunicorn(url, free_port(), log) as base:
        baseline = health_p50(base)
        alone = statistics.median(post(base, tokens[-1], POSTS + n)[1] for n in range(10))
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda n: post(base, tokens[n % ACCOUNTS], n), range(POSTS)))
    latencies = sorted(seconds for _, seconds, _ in results)
    statuses = [status for status, _, _ in results]
    locked = sum("database is locked" in text for _, _, text in results)
    locked += log.read_text().count("database is locked")
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    stored = stored_count(url) - 10
    print(
        f"{name:<10} stored {stored}/{POSTS}  201s {statuses.count(201)}  "
        f"5xx {sum(s >= 500 for s in statuses)}  "
        f"other {sum(s != 201 and s < 500 for s in statuses)}"
        f"  locked {locked}  p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms  "
        f"(p50 = {p50 / alone:.1f}x one POST alone {alone * 1000:.0f} ms; "
        f"GET /healthz {baseline * 1000:.1f} ms)"
    )


def main() -> None:
    from sqlalchemy import create_engine, text

    print(f"{POSTS} POSTs from {THREADS} threads, gunicorn -w {WORKERS}, {ACCOUNTS} accounts")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        run("sqlite", f"sqlite:///{workdir / 'bench.db'}", workdir)
        name = f"plenary_bench_{os.getpid()}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as error:  # noqa: BLE001
            print(f"postgresql skipped: {error.__class__.__name__}: {error}", file=sys.stderr)
            return
        try:
            run("postgresql", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", workdir)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()

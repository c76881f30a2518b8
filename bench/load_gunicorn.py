"""The production shape under load: gunicorn -w 4, PostgreSQL, Redis, PLENARY_ENV=production.

Creates a fresh PostgreSQL database, runs `plenary db upgrade` on it, seeds a public open round
and 10 accounts with tokens, starts gunicorn (4 workers, rate limits and the task queue in
Redis database 14), fires 200 comment POSTs from 50 threads over loopback, and prints sent,
acknowledged, stored, lost and server errors (targets: all 200 acknowledged and stored, 0 lost,
0 server errors), with p50/p99 latency. The database is dropped afterwards.

    cd /work/main && .venv/bin/python -m bench.load_gunicorn
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import loadkit

POSTS, THREADS, ACCOUNTS, WORKERS = 200, 50, 10, 4
REDIS_URL = os.environ.get("PLENARY_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
CODE = "loadprod"


@dataclass(frozen=True)
class LoadResult:
    sent: int
    acknowledged: int
    stored: int
    lost: int
    server_errors: int
    other: dict[str, int]
    p50_ms: float
    p99_ms: float
    seconds: float

    def line(self) -> str:
        return (
            f"gunicorn -w {WORKERS} + PostgreSQL + Redis: sent {self.sent}, acknowledged "
            f"{self.acknowledged}, stored {self.stored}, lost {self.lost}, server errors "
            f"{self.server_errors}, other {self.other or 0}; p50 {self.p50_ms:.0f} ms, "
            f"p99 {self.p99_ms:.0f} ms; {self.seconds:.0f} s in all"
        )


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def production_env(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PLENARY_ENV": "production",
        "SECRET_KEY": "load-gunicorn-secret-" + "s" * 32,
        "PLENARY_PUBLIC_URL": "https://plenary.example.eu",
        "PLENARY_LOG_SIGNING_KEY": "bG9hZC1ndW5pY29ybi1sb2cta2V5LTMyLWJ5dGVzISE=",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "PLENARY_INSTANCE_PATH": str(instance),
    }


def run_load(database_url: str, instance: Path, posts: int = POSTS) -> LoadResult:
    """Migrate and seed `database_url` (empty), serve it with gunicorn and load it."""
    started = time.monotonic()
    env = production_env(database_url, instance)
    flush_redis(REDIS_URL)
    loadkit.migrate(env)
    tokens = loadkit.seed(env, code=CODE, accounts=ACCOUNTS, create_all=False)
    log = instance / "gunicorn-load.log"
    with loadkit.gunicorn(env, loadkit.free_port(), workers=WORKERS, log=log) as base:
        tally = loadkit.concurrent_posts(base, CODE, tokens, posts, THREADS, label="prod")
    found = loadkit.stored(env, list(tally.acknowledged))
    flush_redis(REDIS_URL)
    latencies = sorted(reply.seconds for reply in tally.replies)
    return LoadResult(
        sent=tally.sent,
        acknowledged=len(tally.acknowledged),
        stored=found.total,
        lost=len(loadkit.lost(tally, found)),
        server_errors=tally.server_errors,
        other={k: v for k, v in tally.statuses.items() if not k.startswith("5")},
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
        seconds=time.monotonic() - started,
    )


def main() -> int:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        print(f"load_gunicorn: skipped, no Redis at {REDIS_URL}")
        return 0
    made = loadkit.create_pg_database("plenary_load")
    if made is None:
        print("load_gunicorn: skipped, no PostgreSQL on 127.0.0.1:5432")
        return 0
    url, name = made
    try:
        with tempfile.TemporaryDirectory(prefix="plenary-load-") as folder:
            result = run_load(url, Path(folder))
    finally:
        loadkit.drop_pg_database(name)
    print(result.line())
    ok = result.acknowledged == result.sent == result.stored and not result.lost
    ok = ok and not result.server_errors
    print("load_gunicorn:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

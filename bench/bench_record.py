"""The transparency log's cost: comment POSTs with and without it, and proofs over 1M leaves.

    .venv/bin/python -m bench.bench_record [--posts 300] [--leaves 1000000]

1. Comment POST p50 through the API (in-process test client, one account, a temporary SQLite
   file with the platform's settings: WAL, synchronous=FULL), alternately with the record's
   listeners connected and disconnected, one POST each in turn so that load from elsewhere
   hits both alike; the ratio is with/without (goal: at most 1.15). The same on a fresh
   PostgreSQL database at 127.0.0.1:5432 when one answers.
2. A log of 1,000,000 leaves whose stored perfect subtrees (about 2M rows) are written straight
   into a SQLite file, as appending would have written them (plus the last entry, which is all
   the tree size needs): p50/p99/max of inclusion and consistency proofs computed by the
   service from stored nodes (goal: under 10 ms), of the same through GET /api/v1, and of one
   more append (leaf, nodes, signed head).
Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.record import listeners, merkle, services
from app.record.canonical import canonical_json
from app.record.events import log_round_published
from bench import loadkit

TEXT = "Signatories shall keep the technical documentation up to date within fourteen days."
PATH = "/api/v1/codes/bench/rounds/1/provisions/m-1/comments"


def seed(app: Flask) -> str:
    with app.app_context():
        db.create_all()
        now, day = dt.datetime.now(dt.UTC), dt.timedelta(days=1)
        round_ = Round(code=Code(slug="bench", title="Bench"), number=1, name="Draft 1",
                       visibility="public", levels=["measure"], opens_at=now - day,
                       closes_at=now + day)  # fmt: skip
        db.session.add(Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                                 title="Records", body=TEXT, body_html=f"<p>{TEXT}</p>",
                                 text=TEXT))  # fmt: skip
        db.session.flush()
        log_round_published(round_)
        user = accounts.create_user("bench@example.org", "Bench Writer")
        secret = accounts.create_token(user, "bench")[1]
        db.session.commit()
    return secret


def post_timings(app: Flask, token: str, posts: int) -> dict[str, list[float]]:
    """POSTs alternately with and without the log (listeners and the API's receipt lookup
    both off for "without"), so that load from elsewhere hits both alike; seconds each."""
    import app.api.feedback as api_feedback

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    samples: dict[str, list[float]] = {"with": [], "without": []}
    receipt_for = api_feedback.receipt_for
    for n in range(2 * posts):
        mode = "with" if n % 2 == 0 else "without"
        if mode == "with":
            listeners.connect()
            api_feedback.receipt_for = receipt_for
        else:
            listeners.disconnect()
            api_feedback.receipt_for = lambda comment: None  # type: ignore[assignment]
        started = time.perf_counter()
        response = client.post(PATH, json={"stance": "support", "body": f"{mode} {n}"},
                               headers=headers)  # fmt: skip
        samples[mode].append(time.perf_counter() - started)
        assert response.status_code == 201, response.get_data(as_text=True)
    listeners.connect()
    api_feedback.receipt_for = receipt_for
    return samples


def bench_posts(name: str, url: str, posts: int) -> None:
    app = create_app(config_for_tests(url, RATELIMIT_ENABLED=False))
    token = seed(app)
    post_timings(app, token, 50)  # warm up both paths
    samples = post_timings(app, token, posts)
    with_log, without = (statistics.median(samples[k]) for k in ("with", "without"))
    print(f"  {name:<10} POST p50 with the log {with_log * 1000:6.2f} ms, without "
          f"{without * 1000:6.2f} ms: ratio {with_log / without:.3f}x, "
          f"+{(with_log - without) * 1000:.2f} ms "
          f"({len(samples['with'])} + {len(samples['without'])} POSTs)")  # fmt: skip
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def build_tree(path: Path, leaves: int) -> None:
    """The stored subtrees of `leaves` leaves, written straight into the log_nodes table."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    edge: list[bytes] = []
    batch: list[tuple[int, int, str]] = []
    last = b""
    for index in range(leaves):
        last = canonical_json({"type": "bench", "n": index})
        edge, completed = merkle.append(index, edge, merkle.leaf_hash(last))
        batch.extend((level, node, value.hex()) for level, node, value in completed)
        if len(batch) >= 200_000:
            connection.executemany("INSERT INTO log_nodes VALUES (?, ?, ?)", batch)
            batch.clear()
    connection.executemany("INSERT INTO log_nodes VALUES (?, ?, ?)", batch)
    connection.execute(
        "INSERT INTO log_entries (leaf_index, kind, leaf, leaf_hash, logged_at) "
        "VALUES (?, 'bench', ?, ?, '2026-01-01 00:00:00.000000')",
        (leaves - 1, last.decode(), merkle.leaf_hash(last).hex()),
    )
    connection.execute(
        "INSERT INTO log_state (id, tree_size, edge) VALUES (1, ?, ?)",
        (leaves, "".join(h.hex() for h in edge)),
    )
    connection.commit()
    connection.close()


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return sorted(out)


def figures(label: str, samples: list[float]) -> None:
    p50, p99 = statistics.median(samples), samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    print(f"  {label:<34} p50 {p50 * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms  "
          f"max {samples[-1] * 1000:6.2f} ms  ({len(samples)} runs)")  # fmt: skip


def bench_proofs(folder: Path, leaves: int, runs: int = 300) -> None:
    path = folder / "million.db"
    app = create_app(config_for_tests(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    started = time.perf_counter()
    build_tree(path, leaves)
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM log_nodes").fetchone()[0]
    print(f"  built {leaves:,} leaves: {rows:,} stored subtrees in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    rng = random.Random(14)
    client = app.test_client()
    api = "/api/v1/log/proof"
    with app.app_context():
        n = services.tree_size()
        print(f"  audit path length at {n:,} leaves: {len(services.inclusion_proof(0, n))}")
        inclusion = timed(lambda: services.inclusion_proof(rng.randrange(n), n), runs)
        figures("inclusion proof (service)", inclusion)
        consistency = timed(lambda: services.consistency_proof(rng.randrange(1, n), n), runs)
        figures("consistency proof (service)", consistency)
        figures("inclusion proof (GET /api/v1)", timed(lambda: client.get(
            f"{api}/inclusion?leaf_index={rng.randrange(n)}&tree_size={n}"), runs),
        )  # fmt: skip
        figures("consistency proof (GET /api/v1)", timed(lambda: client.get(
            f"{api}/consistency?first={rng.randrange(1, n)}&second={n}"), runs))  # fmt: skip

        def append_one() -> None:
            services.append("bench", {"n": services.tree_size()})
            db.session.commit()

        figures("append (leaf, nodes, signed head)", timed(append_one, 50))
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("Comment POST through the API, with and without the transparency log")
        bench_posts("sqlite", f"sqlite:///{Path(folder) / 'posts.db'}", args.posts)
        created = loadkit.create_pg_database("plenary_bench_record")
        if created is not None:
            try:
                bench_posts("postgresql", created[0], args.posts)
            finally:
                loadkit.drop_pg_database(created[1])
        print(f"Proofs over a {args.leaves:,}-leaf log (stored subtrees in a SQLite file)")
        bench_proofs(Path(folder), args.leaves)


if __name__ == "__main__":
    main()

"""Benchmark search: two generated 1,000-provision rounds and 20,000 comments.

Imports two generated rounds through the importer (the listeners index them), stores 20,000
comments of varied length and visibility (published, private, hidden, withdrawn, by 300
authors) as plain rows and indexes them with `reindex()` (timed), then times `search()` as a
page asks for it (one page of 20 results with their snippets, and the total) for a mix of
queries and readers: the public, a participant, a chair and the secretariat. Each search runs
in a fresh session, as a request would (on PostgreSQL after ANALYZE, as autovacuum would have
run on a live database). Prints p50/p95 per query and over all of them, and the
time of the "no results" suggestions.

    python -m bench.bench_search [--database-url postgresql+psycopg://...] [--repeats N]
                                 [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import User
from app.config import config_for_tests
from app.core.db import db, utcnow
from app.drafting import importer
from app.drafting.models import Code, Provision, Round
from app.feedback.models import STANCES, Comment
from app.search.index import entry_count, reindex
from app.search.params import groups_of
from app.search.query import parse_query
from app.search.services import Scope, search, suggestions
from bench.bench_lineage import OBJECTS, QUALIFIERS, VERBS, generate_rounds, render

COMMENTS = 20_000
AUTHORS = 300
DATA = Path(__file__).resolve().parent / "data" / "labelled_comments.jsonl"
# (name, query, filters): filters name the round number, group slug, kind and stance.
QUERIES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("common word", "model", {}),
    ("two words", "risk assessment", {}),
    ("phrase", '"training data"', {}),
    ("rare word", "retroactively", {}),
    ("one round", "documentation", {"round": 1}),
    ("group", "incident", {"group": "wg1"}),
    ("comments, stance", "incident", {"kind": "comment", "stance": "oppose"}),
    ("no match", "zeppelin", {}),
    ("injection", 'NEAR("model" * -risk) OR :x', {}),
)  # fmt: skip
READERS = ("public", "participant", "chair", "secretariat")


def _comment_texts(rng: random.Random) -> list[str]:
    labelled = [json.loads(line)["text"] for line in DATA.read_text().splitlines() if line]
    texts = []
    for _ in range(COMMENTS):
        extra = (f" Signatories should {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                 f"{rng.choice(QUALIFIERS)}.")  # fmt: skip
        texts.append(rng.choice(labelled)[: rng.randint(80, 900)] + extra)
    return texts


def _seed(rng: random.Random) -> dict[str, int]:
    """Groups, readers, two imported rounds, 20,000 comments; the readers' ids."""
    wg1, wg2 = accounts.create_group("wg1", "Group one"), accounts.create_group("wg2", "Two")
    readers = {
        "participant": accounts.create_user("reader@bench.example", "Reader"),
        "chair": accounts.create_user("chair@bench.example", "Chair", groups=[("wg1", "chair")]),
        "secretariat": accounts.create_user("sec@bench.example", "Sec", role="secretariat"),
    }
    old_items, new_items, _ = generate_rounds(rng)
    for number, items in ((1, old_items), (2, new_items)):
        importer.import_round(render(items, number, keyed=number == 1), f"gen/{number}.md")
    db.session.execute(update(Round).values(visibility="public"))
    for group, parity in ((wg1, 0), (wg2, 1)):
        db.session.execute(update(Provision).where(Provision.id % 2 == parity)
                           .values(group_id=group.id))  # fmt: skip
    authors = [accounts.create_user(f"author{i}@bench.example", f"Author {i}")
               for i in range(AUTHORS)]  # fmt: skip
    provisions = db.session.execute(select(Provision.id, Provision.round_id)).all()
    now = utcnow()
    rows = []
    for i, body in enumerate(_comment_texts(rng)):
        provision_id, round_id = rng.choice(provisions)
        roll = rng.random()
        rows.append({
            "round_id": round_id, "provision_id": provision_id,
            "author_id": authors[i % AUTHORS].id, "stance": rng.choice(STANCES), "body": body,
            "status": "withdrawn" if roll > 0.95 else "open", "publish_consent": roll < 0.7,
            "hidden_at": now if 0.6 < roll < 0.65 else None, "source": "bench",
            "created_at": now, "updated_at": now, "submitted_at": now,
        })  # fmt: skip
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Comment), rows[start : start + 2000])
    db.session.commit()
    return {role: user.id for role, user in readers.items()}


def _scope(user: Any, filters: dict[str, Any]) -> Scope:
    code = db.session.scalar(select(Code).where(Code.slug == "bench-code"))
    rounds = tuple(r for r in code.rounds)
    chosen = next((r for r in rounds if r.number == filters.get("round")), None)
    group = next((g for g in groups_of(rounds) if g.slug == filters.get("group")), None)
    return Scope(rounds, chosen, group, filters.get("kind"), filters.get("stance"))


def _timed_search(reader: int | None, query: str, filters: dict[str, Any]) -> tuple[float, str]:
    db.session.remove()
    start = time.perf_counter()
    user = db.session.get(User, reader) if reader else None
    results = search(user, _scope(user, filters), parse_query(query))
    [str(hit.snippet) for hit in results.hits]
    return time.perf_counter() - start, f"{results.total}{'' if results.exact else '+'}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PLENARY_BENCH_DATABASE_URL"))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="leave the data (for EXPLAIN)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="plenary-bench-search-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    os.environ.setdefault("PLENARY_INSTANCE_PATH", str(folder))
    app = create_app(config_for_tests(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            start = time.perf_counter()
            readers = _seed(random.Random(args.seed))
            seeded = time.perf_counter() - start
            start = time.perf_counter()
            reindex()
            db.session.commit()
            indexed = time.perf_counter() - start
            if db.engine.dialect.name == "postgresql":  # as autovacuum soon would
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            provisions = db.session.scalar(select(func.count()).select_from(Provision))
            print(f"database: {url.split(':', 1)[0]}; {provisions} provisions in 2 rounds, "
                  f"{COMMENTS} comments; {entry_count()} entries")  # fmt: skip
            print(f"seed (import 2 rounds, store comments) {seeded:6.1f} s; "
                  f"reindex everything {indexed:5.2f} s")  # fmt: skip
            everything: list[float] = []
            print(f"{'query':18} {'reader':12} {'found':>6} {'p50':>10} {'p95':>10}")
            for name, query, filters in QUERIES:
                for role in READERS:
                    for _ in range(2):  # warm the caches
                        _timed_search(readers.get(role), query, filters)
                    runs = [_timed_search(readers.get(role), query, filters)
                            for _ in range(args.repeats)]  # fmt: skip
                    times = sorted(t for t, _ in runs)
                    everything += times
                    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                    print(f"{name:18} {role:12} {runs[0][1]:>6} {_ms(statistics.median(times))}"
                          f" {_ms(p95)}")  # fmt: skip
            everything.sort()
            print(f"all searches: p50 {_ms(statistics.median(everything))}, "
                  f"p95 {_ms(everything[round(0.95 * (len(everything) - 1))])} "
                  f"({len(everything)} searches)")  # fmt: skip
            hints = []
            for _ in range(args.repeats):
                db.session.remove()
                start = time.perf_counter()
                suggestions(None, _scope(None, {"round": 1}), parse_query("model zeppelin"))
                hints.append(time.perf_counter() - start)
            print(f"no-results suggestions (\"model zeppelin\" in round 1, public): "
                  f"p50 {_ms(statistics.median(hints))}")  # fmt: skip
        finally:
            db.session.remove()
            if not args.keep:
                db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()

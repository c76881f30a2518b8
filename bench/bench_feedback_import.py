"""Bulk feedback import (`plenary feedback import`, CONTRACT §3): 20,000 comments.

Run: ``python -m bench.bench_feedback_import [--rows 20000]``. For a fresh SQLite file, then a
fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards), a child process creates the
schema, imports a generated 120-measure round, writes a JSON Lines file of generated comments
(2,000 authors, a third quoting a passage, a fifth proposing wording, one bad row in 1,000)
and runs the real command on it. It prints the time, comments per second and the child's
peak RSS beside its RSS before the import (so the import's own memory shows), and, as the
baseline measured in the same run, the database's floor: the same rows' columns written by a
bare executemany INSERT into a scratch table. Target: >= 2,000 comments/s on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from bench import loadkit

CODE, MEASURES, AUTHORS = "bulk-bench", 120, 2000
WORDS = ("documentation", "training", "model", "provider", "risk", "copyright", "energy",
         "incident", "evaluation", "access", "summary", "update", "months", "office",
         "downstream", "security", "transparency", "data", "opt-out", "licence")
STANCES = ("support", "oppose", "amend", "question", "neutral")
CATEGORIES = ("gpai_provider", "industry", "sme", "civil_society", "academia", "rightsholder")


def measure_text(n: int) -> str:
    return (f"Signatories shall keep the records of measure {n} up to date and make them "
            f"available to the AI Office within fourteen days of a request. The summary of "
            f"measure {n} shall name the person responsible.")


def round_markdown() -> str:
    lines = ["---", f"code: {CODE}", "title: Bulk bench code", "round: 1", "name: Draft 1",
             "date: 2026-01-01", "visibility: public", "levels: [chapter, measure]", "---", ""]
    for chapter in range(1, 7):
        lines += [f"# Chapter {chapter}", "", f"Chapter {chapter} introduction.", ""]
        for m in range(1, MEASURES // 6 + 1):
            n = (chapter - 1) * (MEASURES // 6) + m
            lines += [f"## Measure {chapter}.{m}: Records {n} {{#m-{n}}}", "", measure_text(n),
                      ""]
    return "\n".join(lines)


def rows(count: int) -> Iterator[dict[str, object]]:
    for i in range(count):
        n = i % MEASURES + 1
        author = i % AUTHORS
        words = " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(40))
        row: dict[str, object] = {
            "external_id": f"sub-{i:06d}", "provision": f"m-{n}",
            "author": {"email": f"author{author}@example.org", "name": f"Author {author}",
                       "organisation": f"Organisation {author % 300}",
                       "category": CATEGORIES[author % len(CATEGORIES)]},
            "stance": STANCES[i % len(STANCES)],
            "body": f"Submission {i}: {words}.",
            "submitted_at": f"2026-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "publish_consent": i % 2 == 0,
        }  # fmt: skip
        if i % 3 == 0:
            row["quote"] = "within fourteen days"
        if i % 5 == 0:
            row["proposed_text"] = "within seven days"
        if i % 1000 == 999:
            row["stance"] = "enthusiastic"  # refused with its line number
        yield row


def _floor(data: Iterable[dict[str, object]]) -> float:
    """The same rows' comment columns written by one bare executemany INSERT (and commit)."""
    from sqlalchemy import text

    from app.core.db import db

    db.session.execute(text("CREATE TABLE bench_floor (external_id VARCHAR(100), "
                            "provision VARCHAR(100), stance VARCHAR(16), body TEXT, "
                            "quote TEXT, proposed TEXT, submitted VARCHAR(40))"))
    db.session.commit()
    params = [{"e": r["external_id"], "p": r["provision"], "s": r["stance"], "b": r["body"],
               "q": r.get("quote"), "t": r.get("proposed_text"), "w": r["submitted_at"]}
              for r in data]  # fmt: skip
    started = time.perf_counter()
    db.session.execute(text("INSERT INTO bench_floor VALUES (:e, :p, :s, :b, :q, :t, :w)"),
                       params)
    db.session.commit()
    seconds = time.perf_counter() - started
    db.session.execute(text("DROP TABLE bench_floor"))
    db.session.commit()
    return seconds


def child(url: str, count: int, workdir: Path) -> None:
    """Runs in its own process, so that its peak RSS is the import's."""
    from sqlalchemy import func, select

    from app import create_app
    from app.config import config_for_tests
    from app.core.db import db
    from app.drafting.importer import import_round
    from app.feedback.models import Comment

    app = create_app(config_for_tests(url))
    path = workdir / "feedback.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for row in rows(count):
            out.write(json.dumps(row) + "\n")
    with app.app_context():
        db.drop_all()
        db.create_all()
        import_round(round_markdown(), f"{CODE}/1.md", default_code=CODE)
        db.session.commit()
        db.session.remove()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["feedback", "import", str(path), "--code", CODE,
                                     "--round", "1"])
        seconds = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stored = db.session.scalar(select(func.count()).select_from(Comment))
        again = time.perf_counter()
        second = runner.invoke(args=["feedback", "import", str(path), "--code", CODE,
                                     "--round", "1"])
        again = time.perf_counter() - again
        floor = _floor(rows(count))  # after the imports: its row list is not their memory
        db.drop_all()
    print(json.dumps({
        "seconds": seconds, "floor": floor, "stored": stored, "again": again,
        "summary": result.output.strip().splitlines()[-1] if result.output else result.exception,
        "second": second.output.strip().splitlines()[-1] if second.output else second.exception,
        "rss_before_mb": rss_before / 1024,
        "rss_peak_mb": rss_peak / 1024,
    }))


def run(name: str, url: str, count: int, workdir: Path) -> None:
    env = {**os.environ, "PLENARY_INSTANCE_PATH": str(workdir)}
    output = subprocess.run(
        [sys.executable, "-m", "bench.bench_feedback_import", "--child", url, "--rows",
         str(count), "--workdir", str(workdir)],
        env=env, cwd=loadkit.ROOT, capture_output=True, text=True, check=True, timeout=1800,
    ).stdout
    r = json.loads(output.strip().splitlines()[-1])
    rate = count / r["seconds"]
    print(f"{name:10} {count} rows: {r['summary']}")
    print(f"{'':10} floor (bare executemany INSERT, baseline) {r['floor'] * 1000:8.0f} ms   1.00x")
    print(f"{'':10} plenary feedback import                 {r['seconds'] * 1000:8.0f} ms"
          f"   {r['seconds'] / r['floor']:.1f}x   {rate:,.0f} comments/s (target >= 2,000)")
    print(f"{'':10} the same file again ({r['second']})  {r['again'] * 1000:8.0f} ms")
    print(f"{'':10} peak RSS {r['rss_peak_mb']:.0f} MB (before the import {r['rss_before_mb']:.0f}"
          f" MB); stored {r['stored']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--child")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.workdir)
        return
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    workdir = Path(tempfile.mkdtemp(prefix="plenary-bulk-"))
    run("sqlite", f"sqlite:///{workdir / 'bulk.db'}", args.rows, workdir)
    if not args.skip_postgresql:
        created = loadkit.create_pg_database("plenary_bulk")
        if created is None:
            print("postgresql: no server on 127.0.0.1:5432, skipped")
            return
        url, database = created
        try:
            run("postgresql", url, args.rows, workdir)
        finally:
            loadkit.drop_pg_database(database)


if __name__ == "__main__":
    main()

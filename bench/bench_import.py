"""Benchmark importing a generated 1,000-provision round after its predecessor.

Runs the whole importer through a real database: parse, align against the stored previous
round, store provisions and lineage. The baseline, measured in the same run, is the pure
engines alone (parse twice + align) on the same files, so the ratio shows what the database
adds. (Search has its own benchmark: bench/bench_search.py.)

    python -m bench.bench_import [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.drafting import importer
from app.drafting.alignment import align
from app.drafting.parser import parse_draft
from bench.bench_lineage import generate_rounds, render, to_nodes


def _engines_only(old_md: str, new_md: str) -> float:
    start = time.perf_counter()
    old, new = parse_draft(old_md, "gen/1.md"), parse_draft(new_md, "gen/2.md")
    align(to_nodes(old), to_nodes(new))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PLENARY_BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="plenary-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    os.environ.setdefault("PLENARY_INSTANCE_PATH", str(folder))
    app = create_app(config_for_tests(url))
    old_items, new_items, _ = generate_rounds(random.Random(args.seed))
    old_md, new_md = render(old_items, 1, keyed=True), render(new_items, 2, keyed=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            baseline = min(_engines_only(old_md, new_md) for _ in range(3))
            start = time.perf_counter()
            importer.import_round(old_md, "gen/1.md", default_code="bench-code")
            db.session.commit()
            first = time.perf_counter() - start
            start = time.perf_counter()
            result = importer.import_round(new_md, "gen/2.md", default_code="bench-code")
            db.session.commit()
            second = time.perf_counter() - start
        finally:
            db.session.rollback()
            db.drop_all()
    dialect = url.split(":", 1)[0]
    print(f"database: {dialect}; round 2: {result.provisions} provisions, links {result.kinds}")
    print(f"engines only (parse x2 + align), baseline {baseline * 1000:8.1f} ms   1.00x")
    print(f"import round 1 (no predecessor)          {first * 1000:8.1f} ms")
    print(f"import round 2 (parse+align+store)        {second * 1000:8.1f} ms"
          f"   {second / baseline:.2f}x  (target < 5000 ms)")  # fmt: skip


if __name__ == "__main__":
    main()

"""The whole-round API diff on its first request after an import: 500 measures, 50,000 words.

Run: ``python -m bench.bench_cold_diff [--profile] [--no-freeze]``. Imports a generated round of 500
measures (about 100 words each, ~50,000 words) and its successor with ~5% of the words edited
into a fresh SQLite database, then times ``GET /api/v1/codes/cold/diff?from=1&to=2`` as the
first request a fresh web worker sees (every in-process cache emptied, a new session),
TIMES (15) times, and the same request warm: medians, and means, which also show the pauses of
the garbage collector's full collections (one every few cold requests). The baseline,
measured in the same run, is the C++ diff-match-patch core alone diffing the two rounds'
texts joined (characters, no timeout).
Aim: cold under 100 ms. ``--profile`` prints where one cold request spends its time.
Like a web worker (``wsgi.py``), the process hides what it holds before the requests from the
garbage collector (``freeze_startup_heap``); ``--no-freeze`` leaves it in sight.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import tempfile
import time
from pathlib import Path

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.core.process import freeze_startup_heap
from bench.bench_diff import edit, make_round

MEASURES, WORDS_EACH = 500, 100
URL = "/api/v1/codes/cold/diff?from=1&to=2"
TIMES = 15


def bodies(seed: int) -> tuple[list[str], list[str]]:
    """500 measure bodies of ~100 words and the same with ~5% of the words edited."""
    rng = random.Random(seed)
    old, new = [], []
    for _ in range(MEASURES):
        blocks = make_round(rng, WORDS_EACH)
        edited = edit(rng, blocks, 0.05) if rng.random() < 0.6 else blocks
        old.append(_plain(blocks))
        new.append(_plain(edited))
    return old, new


def _plain(blocks: list[tuple[str, list[list[str]]]]) -> str:
    return "\n\n".join(" ".join(word for row in rows for word in row) for _, rows in blocks)


def markdown(number: int, texts: list[str]) -> str:
    lines = ["---", "code: cold", "title: Cold diff bench", f"round: {number}",
             f"name: Draft {number}", "date: 2026-01-01", "visibility: public",
             "levels: [chapter, measure]", "---", ""]
    for chapter in range(10):
        lines += [f"# Chapter {chapter + 1} {{#ch-{chapter + 1}}}", "", "Introduction.", ""]
        for m in range(50):
            n = chapter * 50 + m
            lines += [f"## Measure {chapter + 1}.{m + 1}: Measure {n} {{#m-{n}}}", "",
                      texts[n], ""]
    return "\n".join(lines)


def forget_everything() -> None:
    """What a web worker that did not run the import holds: nothing in process."""
    from app.diffing import cache, pairings

    cache.DIFF_CACHE.clear()
    pairings._LINEAGE.clear()
    cache._RENDERED.clear()
    db.session.remove()


def cold(client: object) -> float:
    forget_everything()
    start = time.perf_counter()
    response = client.get(URL)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-freeze", action="store_true")
    args = parser.parse_args()
    import fast_diff_match_patch

    old, new = bodies(20261206)
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"round: {MEASURES} measures, {sum(len(t.split()) for t in old):,} words")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("PLENARY_INSTANCE_PATH", folder)
        app = create_app(config_for_tests(f"sqlite:///{Path(folder) / 'cold.db'}",
                                          TESTING=False, RATELIMIT_ENABLED=False))
        with app.app_context():
            from app.drafting.importer import import_round

            db.create_all()
            start = time.perf_counter()
            import_round(markdown(1, old), "cold/1.md")
            import_round(markdown(2, new), "cold/2.md")
            db.session.commit()
            print(f"import of both rounds: {time.perf_counter() - start:.2f} s")
            if not args.no_freeze:
                freeze_startup_heap()
            client = app.test_client()
            joined_old, joined_new = "\n\n".join(old), "\n\n".join(new)
            core = []
            for _ in range(TIMES):
                start = time.perf_counter()
                fast_diff_match_patch.diff(joined_old, joined_new, timelimit=0,
                                           counts_only=False)
                core.append((time.perf_counter() - start) * 1000)
            colds = [cold(client) for _ in range(TIMES)]
            warm = []
            for _ in range(TIMES):
                start = time.perf_counter()
                client.get(URL)
                warm.append((time.perf_counter() - start) * 1000)
            base, mean_base = statistics.median(core), statistics.mean(core)
            print(f"{'':44} {'median ms':>10} {'x core':>7} {'mean ms':>8} {'x core':>7}")
            for name, samples in (("C++ dmp core on the joined texts (baseline)", core),
                                  ("API diff, first request after import (cold)", colds),
                                  ("API diff, warm", warm)):
                median, mean = statistics.median(samples), statistics.mean(samples)
                print(f"{name:44} {median:10.1f} {median / base:7.2f} {mean:8.1f} "
                      f"{mean / mean_base:7.2f}")
            verdict = "meets" if statistics.median(colds) < 100 else "misses"
            print(f"cold API diff {verdict} the 100 ms aim")
            if args.profile:
                forget_everything()
                profile = cProfile.Profile()
                profile.enable()
                client.get(URL)
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()

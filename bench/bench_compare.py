"""Benchmark the compare page of the demo Code, warm, through the Flask test client.

Run: ``python -m bench.bench_compare``. Imports drafts/gpai-code into a temporary SQLite
database, then times GET /codes/gpai-code/compare (first draft against the final Code, both
views) and the API diff, next to the front page measured in the same run. Prints p50/p95 in
milliseconds and as ratios against the front page. Aim: compare page p95 under 100 ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Round

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 50
WARM_UP = 3


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(client: object, url: str) -> list[float]:
    samples = []
    for i in range(WARM_UP + REQUESTS):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if i >= WARM_UP:
            samples.append(elapsed * 1000)
    return samples


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("PLENARY_INSTANCE_PATH", folder)
        app = create_app(
            config_for_tests(
                f"sqlite:///{Path(folder) / 'bench.db'}", TESTING=False, RATELIMIT_ENABLED=False
            )
        )
        with app.app_context():
            from app.accounts.services import create_group
            from app.drafting.importer import import_path

            db.create_all()
            for number in range(1, 5):
                create_group(f"wg{number}", f"Working group {number}")
            start = time.perf_counter()
            import_path(ROOT / "drafts" / "gpai-code")
            db.session.commit()
            print(f"import of the demo Code: {time.perf_counter() - start:.2f} s")
            numbers = list(db.session.scalars(select(Round.number)))
        first, last = min(numbers), max(numbers)
        client = app.test_client()
        base = f"/codes/gpai-code/compare?from={first}&to={last}"
        urls = {
            "front page (baseline)": "/",
            f"compare {first}->{last}, inline": base + "&view=inline",
            f"compare {first}->{last}, side by side": base + "&view=side",
            f"print redline {first}->{last}": base.replace("/compare?", "/compare/print?"),
            f"round {last} changes": f"/codes/gpai-code/rounds/{last}/changes",
            f"API diff {first}->{last}": f"/api/v1/codes/gpai-code/diff?from={first}&to={last}",
        }
        results = {name: _percentiles(_time(client, url)) for name, url in urls.items()}
        base_p50, base_p95 = results["front page (baseline)"]
        print(f"{REQUESTS} warm requests each (after {WARM_UP} warm-up), 2-core machine")
        print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}")
        for name, (p50, p95) in results.items():
            print(f"{name:38} {p50:8.1f} {p95:8.1f} {p50 / base_p50:7.1f} {p95 / base_p95:7.1f}")
        _, compare_p95 = results[f"compare {first}->{last}, inline"]
        verdict = "meets" if compare_p95 < 100 else "misses"
        print(f"compare page p95 {compare_p95:.1f} ms {verdict} the 100 ms aim")


if __name__ == "__main__":
    main()

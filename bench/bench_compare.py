"""Benchmark the compare page of the demo Code, warm, through the Flask test client.

Run: ``python -m bench.bench_compare``. Imports drafts/gpai-code into a temporary SQLite
database, then times GET /codes/gpai-code/compare (first draft against the final Code, both
views) and the API diff, next to the floor (a page that renders only the base template) and the
front page, measured in the same run. Prints p50/p95 in milliseconds and as ratios against the
floor, and the machine's load. Aim: compare page p95 under 60 ms warm.

Then the cost of the feedback beside each change (issue 11): the second draft against the
third is timed before any feedback exists, then again once the second draft's feedback is
imported, synthesised (with the deterministic fake embedder: the figures, not the clustering,
are what the page reads), answered and decided. Aim: p95 with the feedback within 1.3x of
the same page without it (`--without-feedback` skips this part).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask import render_template
from sqlalchemy import select

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Round

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 50
AIM_MS = 60
WARM_UP = 3
FEEDBACK_AIM = 1.3


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
        app.add_url_rule("/bench/floor", "bench_floor", lambda: render_template("base.html"))
        client = app.test_client()
        base = f"/codes/gpai-code/compare?from={first}&to={last}"
        urls = {
            "floor: base template only": "/bench/floor",
            "front page": "/",
            f"compare {first}->{last}, inline": base + "&view=inline",
            f"compare {first}->{last}, side by side": base + "&view=side",
            f"print redline {first}->{last}": base.replace("/compare?", "/compare/print?"),
            f"round {last} changes": f"/codes/gpai-code/rounds/{last}/changes",
            f"API diff {first}->{last}": f"/api/v1/codes/gpai-code/diff?from={first}&to={last}",
        }
        results = {name: _percentiles(_time(client, url)) for name, url in urls.items()}
        base_p50, base_p95 = results["floor: base template only"]
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print(f"uptime: {uptime}")
        print(f"{REQUESTS} warm requests each (after {WARM_UP} warm-up); load average "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}")
        for name, (p50, p95) in results.items():
            print(f"{name:38} {p50:8.1f} {p95:8.1f} {p50 / base_p50:7.1f} {p95 / base_p95:7.1f}")
        _, compare_p95 = results[f"compare {first}->{last}, inline"]
        verdict = "meets" if compare_p95 <= AIM_MS else "misses"
        print(f"compare page p95 {compare_p95:.1f} ms {verdict} the {AIM_MS} ms aim")
        if "--without-feedback" not in sys.argv:
            _feedback_cost(app, client)


def _feedback_urls() -> dict[str, str]:
    return {
        "compare 2->3, inline": "/codes/gpai-code/compare?from=2&to=3&view=inline",
        "round 3 changes": "/codes/gpai-code/rounds/3/changes",
        "API diff 2->3": "/api/v1/codes/gpai-code/diff?from=2&to=3",
    }


def _load_feedback(app: object) -> str:
    """Round 2's feedback as `plenary demo` has it: imported, carried, synthesised per group,
    the largest themes answered and the proposals decided."""
    from app.accounts.models import WorkingGroup
    from app.demo import _answer_largest_themes
    from app.demo_decisions import decide_proposals, nora_proposals
    from app.drafting.lineage import lineage_between
    from app.drafting.services import get_round
    from app.feedback.bulk import import_feedback_file
    from app.feedback.carry import carry_forward
    from app.synthesis.services import run_synthesis

    app.config["PLENARY_FAKE_EMBEDDER"] = True  # type: ignore[attr-defined]
    with app.app_context():  # type: ignore[attr-defined]
        second, third = (get_round("gpai-code", n, check=False) for n in (2, 3))
        report = import_feedback_file(ROOT / "drafts/gpai-code/feedback/round-2.jsonl", second)
        nora_proposals(second)
        carry_forward(second, third)
        entries, _ = lineage_between(second, third)
        successors = {e.source.id: [t.key for t in e.targets] for e in entries}
        for group in db.session.scalars(select(WorkingGroup)):
            _answer_largest_themes(run_synthesis(second, group=group), successors, None)
        decide_proposals(second)
        db.session.commit()
        return f"{report.imported} comments on round 2, themes answered, proposals decided"


def _interleaved(clients: tuple[object, object], url: str) -> tuple[list[float], list[float]]:
    """Time `url` on both clients, alternating request by request, so that both see the
    same load on a shared machine."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(WARM_UP + REQUESTS * 2):
        for side, client in enumerate(clients):
            start = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if i >= WARM_UP:
                samples[side].append(elapsed * 1000)
    return samples


def _feedback_cost(app: object, client: object) -> None:
    """The same pages on a database without feedback (the one above) and on one with it,
    request by request in turn."""
    folder = Path(os.environ["PLENARY_INSTANCE_PATH"])
    fed = create_app(config_for_tests(f"sqlite:///{folder / 'fed.db'}", TESTING=False,
                                      RATELIMIT_ENABLED=False))
    with fed.app_context():
        from app.accounts.services import create_group
        from app.drafting.importer import import_path

        db.create_all()
        for number in range(1, 5):
            create_group(f"wg{number}", f"Working group {number}")
        import_path(ROOT / "drafts" / "gpai-code")
        db.session.commit()
    start = time.perf_counter()
    loaded = _load_feedback(fed)
    print(f"\nfeedback loaded in {time.perf_counter() - start:.1f} s: {loaded}")
    print(f"{REQUESTS * 2} requests each, alternating the database without and with feedback")
    print(f"{'page (same run)':30} {'p50 without':>11} {'p95 without':>11} {'p50 with':>9} "
          f"{'p95 with':>9} {'p95 x':>6}")
    ratios = {}
    for name, url in _feedback_urls().items():
        without, with_ = (_percentiles(s) for s in _interleaved((client, fed.test_client()),
                                                                 url))
        ratios[name] = with_[1] / without[1]
        print(f"{name:30} {without[0]:11.1f} {without[1]:11.1f} {with_[0]:9.1f} "
              f"{with_[1]:9.1f} {ratios[name]:6.2f}")
    ratio = ratios["compare 2->3, inline"]
    verdict = "meets" if ratio <= FEEDBACK_AIM else "misses"
    print(f"compare page p95 with the feedback: {ratio:.2f}x without it, {verdict} the "
          f"{FEEDBACK_AIM}x aim")


if __name__ == "__main__":
    main()

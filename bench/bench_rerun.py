"""A synthesis re-run after 1% new comments, beside the first run of the same scope.

    .venv/bin/python -m bench.bench_rerun [--comments 1000]

Both runs go through the real pipeline (database, embedding cache, clustering, labels,
campaigns) with the real model, on a temporary SQLite database. The target: the re-run takes
under 10% of the first run's time, because only the new comments are embedded.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.embedding.services import get_embedder
from app.feedback.models import Comment
from app.synthesis.services import run_synthesis

DATA = Path(__file__).parent / "data" / "labelled_comments.jsonl"


def comment_texts(count: int) -> list[str]:
    """Distinct, realistic texts: the labelled set, then pairs of its comments joined."""
    rows = [json.loads(line)["text"] for line in DATA.read_text().splitlines() if line.strip()]
    texts = list(rows)
    step = 1
    while len(texts) < count:
        texts.extend(f"{a} {b}" for a, b in zip(rows, rows[step:] + rows[:step], strict=True))
        step += 1
    return texts[:count]


def seed(count: int) -> tuple[Round, Provision, list[str]]:
    code = Code(slug="bench", title="Bench code")
    round_ = Round(code=code, number=1, name="Draft", visibility="public", levels=["measure"])
    provision = Provision(
        round=round_,
        key="m-1",
        kind="measure",
        depth=1,
        position=0,
        label="Measure 1",
        number="1",
        title="Documentation",
        body="Signatories shall keep documentation up to date.",
        body_html="",
        text="Signatories shall keep documentation up to date.",
    )
    author = accounts.create_user("bench@example.org", "Bench Author", category="industry")
    db.session.add_all([code, round_, provision])
    texts = comment_texts(count + count // 100)
    for text in texts[:count]:
        db.session.add(
            Comment(round=round_, provision=provision, author=author, body=text, stance="amend")
        )
    db.session.commit()
    return round_, provision, texts[count:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(config_for_tests(f"sqlite:///{folder}/bench.db"))
        with app.app_context():
            db.create_all()
            round_, provision, extra = seed(args.comments)
            embedder = get_embedder()
            embedder.encode(["warm up the model"])
            start = time.perf_counter()
            first = run_synthesis(round_, provision=provision, embedder=embedder)
            db.session.commit()
            first_time = time.perf_counter() - start
            first_themes = len(first.themes)
            author = accounts.find_user("bench@example.org")
            for text in extra:
                db.session.add(
                    Comment(
                        round=round_,
                        provision=provision,
                        author=author,
                        body=text,
                        stance="support",
                    )
                )
            db.session.commit()
            start = time.perf_counter()
            second = run_synthesis(round_, provision=provision, embedder=embedder)
            db.session.commit()
            second_time = time.perf_counter() - start
            second_themes = len(second.themes)
    print(f"first run:  {args.comments} comments, {first_themes} themes, {first_time:.2f} s")
    print(f"re-run:     +{len(extra)} comments (1%), {second_themes} themes, {second_time:.2f} s")
    ratio = second_time / first_time
    print(
        f"re-run / first run: {ratio:.3f} (target under 0.10) "
        f"{'OK' if ratio < 0.10 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()

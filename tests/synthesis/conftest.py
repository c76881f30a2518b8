"""Fixtures for synthesis tests: a round with feedback on two working groups' provisions.

Runs use the HashingEmbedder, a deterministic FAKE: the real model takes seconds to load and
is proved by the one test marked `model`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from app.core.db import db
from app.feedback.models import Comment

UPDATES = [
    "Documentation should be updated every six months, not only after major model changes.",
    "A six month update cycle for the model documentation is realistic for providers.",
    "Please require documentation updates every six months so downstream users stay informed.",
    "Updating documentation every six months would keep the information current and useful.",
    "The documentation update cycle should be fixed at six months for every model version.",
    "Six months between documentation updates is the right cycle for model documentation.",
]
SMES = [
    "Small companies cannot carry the cost of these reporting duties; SMEs need lighter forms.",
    "The reporting burden for SMEs and start-ups is too heavy; offer simplified forms for SMEs.",
    "SMEs should get simplified reporting templates because the cost of compliance is high.",
    "For start-ups and SMEs the reporting cost is disproportionate; simplified forms please.",
    "Simplified reporting forms for SMEs would reduce the compliance cost for small companies.",
]
COPYRIGHT = [
    "Rightsholders need a public summary of the training data to enforce copyright.",
    "The training data summary must list copyright protected sources used for training.",
    "Copyright holders cannot check opt-outs without a detailed training data summary.",
    "A training data summary with copyright sources is essential for rightsholders.",
    "Publish a training data summary so that copyright opt-outs can be verified.",
]
CAMPAIGN = ("We ask the chairs to protect creators: every provider must publish which "
            "copyrighted works were used in training and pay fair remuneration to authors.")


@pytest.fixture(autouse=True)
def fake_embedder(app: Any) -> Iterator[None]:
    """Every synthesis in these tests embeds with the deterministic HashingEmbedder."""
    previous = app.config.get("PLENARY_FAKE_EMBEDDER")
    app.config["PLENARY_FAKE_EMBEDDER"] = True
    yield
    app.config["PLENARY_FAKE_EMBEDDER"] = previous


@pytest.fixture
def add_comments(create_user: Any):  # type: ignore[no-untyped-def]
    """Comments on a provision, each by a new author of the given category."""
    counter = iter(range(1, 100_000))

    def make(provision: Any, texts: Sequence[str], *, category: str = "civil_society",
             stance: str = "amend", prefix: str | None = None, **extra: Any) -> list[Comment]:
        made = []
        for text in texts:
            n = next(counter)
            author = create_user(f"author{n}-{provision.key}@example.org", category=category,
                                 password=None)
            comment = Comment(round=provision.round, provision=provision, author=author,
                              body=text, stance=stance,
                              external_id=f"{prefix}-{n}" if prefix else None, **extra)
            db.session.add(comment)
            made.append(comment)
        db.session.commit()
        return made

    return make


@pytest.fixture
def feedback(create_round: Any, create_provision: Any, add_comments: Any,
             create_group: Any) -> dict[str, Any]:
    """Round 1 (window open) with a wg1 measure carrying three themes, a campaign and "+1"s,
    a wg2 measure with a few comments, and round 2 with the measures that followed."""
    round1 = create_round(1, visibility="plenary", window="closed")
    doc = create_provision(round1, "documentation", label="Measure 1.1",
                           title="Keeping documentation up to date",
                           body="Signatories shall keep model documentation up to date.")
    other = create_provision(round1, "safety", label="Measure 2.1", title="Safety framework",
                             body="Signatories shall adopt a safety framework.", group="wg2")
    add_comments(doc, UPDATES, category="civil_society", stance="amend", prefix="upd")
    add_comments(doc, SMES, category="sme", stance="oppose", prefix="sme")
    add_comments(doc, COPYRIGHT, category="rightsholder", stance="amend", prefix="cr")
    add_comments(doc, [CAMPAIGN] * 3 + [CAMPAIGN + " Our members agree strongly."],
                 category="rightsholder", stance="support", prefix="camp")
    add_comments(doc, ["+1", "See attachment."], category="industry", stance="support")
    add_comments(other, ["Safety frameworks should be reviewed by independent auditors.",
                         "Independent auditors should review every safety framework yearly."],
                 category="academia", stance="amend")
    round2 = create_round(2, visibility="plenary", window=None)
    create_provision(round2, "documentation", label="Measure 1.1", title="Documentation")
    create_provision(round2, "sme-forms", label="Measure 1.2", title="Simplified forms")
    return {"round": round1, "doc": doc, "other": other, "round2": round2,
            "wg2": create_group("wg2")}

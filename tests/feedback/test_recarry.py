"""A secretariat's lineage correction re-carries the comments it affects (issue 11, point 6):
the importer announces `lineage_changed` and feedback's listener carries again, so anchored,
moved, orphaned and the adoption suggestion are right afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db
from app.drafting import importer
from app.drafting.models import Round
from app.drafting.services import correct_link
from app.feedback.carry import carried_into, comment_status, latest_carries
from app.feedback.models import Comment, CommentCarry

DRAFT = """---
code: carry-code
title: Carry Code
round: {number}
name: Draft {number}
visibility: public
levels: [chapter, measure]
---

# Transparency {{#transparency wg=wg1}}

Chapter preamble.

## Measure 1.1: Documentation

{first}

## Measure 1.2: Records

{second}
"""
KEEP = "Signatories shall keep the model documentation for ten years after release."
RECORDS = "Signatories shall keep records of incidents and of the measures they took."
# Round 2: Measure 1.1 becomes about records; the ten-year passage moves to Measure 1.2.
NEW_FIRST = "Signatories shall keep records of every serious incident and of what they did."
NEW_SECOND = "Signatories shall keep the model documentation for ten years after release, " \
             "and make it available to the AI Office."


@pytest.fixture
def rounds(database: Any, create_group: Any, participant: Any) -> dict[str, Any]:
    create_group("wg1")
    first = importer.import_round(DRAFT.format(number=1, first=KEEP, second=RECORDS),
                                  "1.md").round
    old = {p.label: p for p in first.provisions}
    comment = Comment(round=first, provision=old["Measure 1.1"], author=participant,
                      stance="amend", body="Ten years is long.", quote_exact="for ten years",
                      quote_start=KEEP.index("for ten years"),
                      quote_end=KEEP.index("for ten years") + len("for ten years"),
                      proposed_text=NEW_SECOND)
    db.session.add(comment)
    db.session.commit()
    second = importer.import_round(
        DRAFT.format(number=2, first=NEW_FIRST, second=NEW_SECOND), "2.md").round
    db.session.commit()
    return {"first": first, "second": second, "old": old,
            "new": {p.label: p for p in second.provisions}, "comment": comment}


def _carry(comment: Comment, round_: Round) -> CommentCarry:
    db.session.expire_all()
    return db.session.scalars(select(CommentCarry).where(
        CommentCarry.comment_id == comment.id, CommentCarry.to_round_id == round_.id)).one()


def test_a_lineage_correction_re_carries_the_comments_it_touches(rounds: dict[str, Any],
                                                                 secretariat: Any) -> None:
    comment, second = rounds["comment"], rounds["second"]
    old, new = rounds["old"], rounds["new"]
    # Point the old Measure 1.1 at the new Measure 1.1 first (whatever the aligner chose) ...
    correct_link(old["Measure 1.1"], [new["Measure 1.1"]], secretariat)
    db.session.commit()
    before = _carry(comment, second)
    assert before.to_provision_id == new["Measure 1.1"].id
    assert before.status == "orphaned"  # the ten-year passage is not in the new 1.1
    assert not before.adopted
    assert comment.id not in {c.comment_id for c in carried_into(new["Measure 1.2"])}
    # ... then the secretariat says that it became the new Measure 1.2.
    correct_link(old["Measure 1.1"], [new["Measure 1.2"]], secretariat)
    db.session.commit()
    after = _carry(comment, second)
    assert after.to_provision_id == new["Measure 1.2"].id
    assert after.status == "moved" and after.quote_exact == "for ten years"
    assert after.adopted  # the suggestion follows the corrected lineage too
    assert comment.id in {c.comment_id for c in carried_into(new["Measure 1.2"])}
    assert comment.id not in {c.comment_id for c in carried_into(new["Measure 1.1"])}
    assert comment_status(comment, latest_carries([comment])[comment.id]) == "moved"


def test_the_re_carry_is_announced_to_the_author_once_per_round(rounds: dict[str, Any],
                                                                secretariat: Any) -> None:
    from app.notifications.models import Notification

    correct_link(rounds["old"]["Measure 1.1"], [rounds["new"]["Measure 1.2"]], secretariat)
    db.session.commit()
    notes = list(db.session.scalars(select(Notification).where(
        Notification.kind == "comment_carried",
        Notification.comment_id == rounds["comment"].id)))
    assert len(notes) == 1 and "carried into Draft 2" in notes[0].title
    assert "It moved to Measure 1.2: Records" in notes[0].body  # corrected, still unread

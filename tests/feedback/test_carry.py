"""Carrying comments into the next round: anchored, moved, orphaned, adopted; never dropped."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.db import db
from app.drafting.models import LineageLink, LineageTarget
from app.feedback.carry import carry_forward, comment_status, latest_carries
from app.feedback.models import CommentCarry

OLD_A = (
    "Signatories shall keep the technical documentation of each model up to date and "
    "shall make it available to the AI Office on request within fourteen days. "
    "Paper copies shall be archived in a fireproof cabinet."
)
NEW_A = (
    "Signatories shall keep the technical documentation of every model current and "
    "shall make it available to the AI Office on request within thirty days."
)
OLD_B = (
    "Providers shall publish a summary of the training content. The summary shall list "
    "the main data sources and the period of collection."
)
NEW_B1 = "Providers shall publish a summary of the training content."
NEW_B2 = "The summary shall list the main data sources and the period of collection."
OLD_C = "Signatories shall report serious incidents to the AI Office without undue delay."


def link(previous: Any, current: Any, old: Any, targets: list[Any], kind: str) -> None:
    row = LineageLink(
        from_round_id=previous.id,
        to_round_id=current.id,
        from_provision_id=old.id,
        kind=kind,
        similarity=0.8,
    )
    row.targets = [LineageTarget(to_provision=t) for t in targets]
    db.session.add(row)
    db.session.commit()


@pytest.fixture
def rounds(create_round, create_provision):
    r1, r2 = create_round(1, window="open"), create_round(2, window=None)
    old = {
        "a": create_provision(r1, "m-a", body=OLD_A),
        "b": create_provision(r1, "m-b", body=OLD_B),
        "c": create_provision(r1, "m-c", body=OLD_C),
    }
    new = {
        "a": create_provision(r2, "m-a", body=NEW_A),
        "b1": create_provision(r2, "m-b", body=NEW_B1),
        "b2": create_provision(r2, "m-b2", body=NEW_B2),
    }
    link(r1, r2, old["a"], [new["a"]], "modified")
    link(r1, r2, old["b"], [new["b1"], new["b2"]], "split")
    link(r1, r2, old["c"], [], "removed")
    return r1, r2, old, new


def carried(comment: Any, round_: Any) -> CommentCarry:
    return db.session.scalar(
        select(CommentCarry).where(
            CommentCarry.comment_id == comment.id, CommentCarry.to_round_id == round_.id
        )
    )


def test_a_quote_still_in_the_same_provision_is_anchored_at_its_new_place(
    rounds, participant, comment_on
):
    r1, r2, old, new = rounds
    comment = comment_on(old["a"], participant, quote="available to the AI Office")
    carry_forward(r1, r2)
    carry = carried(comment, r2)
    assert (carry.status, carry.to_provision_id) == ("anchored", new["a"].id)
    assert NEW_A[carry.quote_start : carry.quote_end] == "available to the AI Office"


def test_a_lightly_reworded_quote_is_found_by_the_fuzzy_match(rounds, participant, comment_on):
    r1, r2, old, new = rounds
    comment = comment_on(
        old["a"], participant, quote="keep the technical documentation of each model"
    )
    carry_forward(r1, r2)
    carry = carried(comment, r2)
    assert carry.status == "anchored" and 0.7 <= carry.score < 1.0
    assert "technical documentation" in carry.quote_exact


def test_a_passage_that_went_to_another_provision_in_a_split_is_moved(
    rounds, participant, comment_on
):
    r1, r2, old, new = rounds
    comment = comment_on(old["b"], participant, quote="the main data sources")
    carry_forward(r1, r2)
    carry = carried(comment, r2)
    assert (carry.status, carry.to_provision_id) == ("moved", new["b2"].id)


def test_a_comment_on_a_removed_provision_is_orphaned_not_dropped(rounds, participant, comment_on):
    r1, r2, old, _ = rounds
    comment = comment_on(old["c"], participant, quote="serious incidents")
    whole = comment_on(old["c"], participant, stance="oppose")
    carry_forward(r1, r2)
    assert carried(comment, r2).status == "orphaned"
    assert carried(comment, r2).to_provision_id is None
    assert carried(whole, r2).status == "orphaned"


def test_a_passage_that_disappeared_is_orphaned(rounds, participant, comment_on):
    r1, r2, old, new = rounds
    comment = comment_on(old["a"], participant, quote="archived in a fireproof cabinet")
    carry_forward(r1, r2)
    carry = carried(comment, r2)
    assert carry.status == "orphaned" and carry.quote_exact is None
    assert carry.to_provision_id == new["a"].id


def test_a_whole_provision_comment_follows_its_key(rounds, participant, comment_on):
    r1, r2, old, new = rounds
    comment = comment_on(old["b"], participant, stance="support")
    carry_forward(r1, r2)
    assert (carried(comment, r2).status, carried(comment, r2).to_provision_id) == (
        "anchored",
        new["b1"].id,
    )


def test_proposed_wording_the_next_draft_took_over_is_adopted(rounds, participant, comment_on):
    r1, r2, old, _ = rounds
    adopted = comment_on(
        old["a"], participant, quote="within fourteen days", proposed_text="within thirty days"
    )
    ignored = comment_on(
        old["a"],
        participant,
        quote="archived in a fireproof cabinet",
        proposed_text="stored in a locked archive room",
    )
    carry_forward(r1, r2)
    assert carried(adopted, r2).adopted and carried(adopted, r2).adoption == 1.0
    assert not carried(ignored, r2).adopted
    carries = latest_carries([adopted, ignored])
    # A suggestion for the chairs, never a status shown as a decision (app/feedback/decisions).
    assert comment_status(adopted, carries[adopted.id]) == "re-anchored"
    assert comment_status(ignored, carries[ignored.id]) == "orphaned"


def test_every_comment_is_carried_once_and_a_rerun_updates_in_place(
    rounds, participant, other, comment_on
):
    r1, r2, old, _ = rounds
    comments = [
        comment_on(old[k], participant, quote=q)
        for k, q in (
            ("a", "technical documentation"),
            ("b", "training content"),
            ("c", "incidents"),
        )
    ]
    reply = comment_on(old["a"], other, parent=comments[0], stance="neutral")
    assert carry_forward(r1, r2) == 4
    db.session.commit()
    carry_forward(r1, r2)
    rows = db.session.scalar(
        select(func.count(CommentCarry.id)).where(CommentCarry.to_round_id == r2.id)
    )
    assert rows == 4
    assert carried(reply, r2).status == "anchored"


def test_statuses_read_as_on_my_feedback(rounds, participant, comment_on):
    r1, r2, old, _ = rounds
    moved = comment_on(old["b"], participant, quote="the main data sources")
    kept = comment_on(old["a"], participant, quote="technical documentation")
    fresh = comment_on(old["a"], participant)
    carry_forward(r1, r2)
    carries = latest_carries([moved, kept, fresh])
    assert comment_status(moved, carries[moved.id]) == "moved"
    assert comment_status(kept, carries[kept.id]) == "re-anchored"
    assert comment_status(fresh, None) == "open"


def test_a_proposal_on_a_passage_the_next_draft_left_unchanged_is_not_adopted(
    rounds, participant, comment_on
):
    r1, r2, old, _ = rounds
    comment = comment_on(
        old["a"],
        participant,
        quote="shall make it available to the AI Office on request",
        proposed_text="shall make it available to the AI Office on written request",
    )
    carry_forward(r1, r2)
    carry = carried(comment, r2)
    assert carry.adoption >= 0.8 and not carry.adopted
    assert comment_status(comment, carry) == "re-anchored"


def test_a_proposed_deletion_the_next_draft_made_is_adopted(rounds, participant, comment_on):
    r1, r2, old, _ = rounds
    comment = comment_on(
        old["a"],
        participant,
        quote="the AI Office on request within fourteen days. Paper copies shall be archived",
        proposed_text="the AI Office on request",
    )
    carry_forward(r1, r2)
    assert carried(comment, r2).adopted

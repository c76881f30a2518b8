"""The chairs' decision on proposed wording: the service, its refusals, its audit trail, and
what the author sees on My feedback and on the comment."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db
from app.core.errors import BadInput, Conflict
from app.feedback.decisions import decide_proposal
from app.feedback.permissions import can_decide

PROPOSAL = "within thirty days"


@pytest.fixture
def closed(create_round: Any, create_provision: Any) -> Any:
    from tests.feedback.conftest import TEXT

    round_ = create_round(1, window="closed")
    return create_provision(round_, "m-1-1", label="Measure 1.1", title="Documentation",
                            body=TEXT, group="wg1")


@pytest.fixture
def proposal(closed: Any, participant: Any) -> Any:
    from app.feedback.models import Comment

    comment = Comment(round=closed.round, provision=closed, author=participant, stance="amend",
                      body="Fourteen days is too short.", quote_exact="within fourteen days",
                      quote_start=100, quote_end=120, proposed_text=PROPOSAL)
    db.session.add(comment)
    db.session.commit()
    return comment


def _decisions() -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "proposal.decide").order_by(AuditEvent.id)))


def test_a_chair_decides_a_proposal_and_it_is_audited(proposal: Any, chair: Any) -> None:
    decide_proposal(proposal, "partly_accepted", "  Thirty days for  large models. ",
                    actor=chair)
    db.session.commit()
    assert (proposal.decision, proposal.decision_reason) == (
        "partly_accepted", "Thirty days for large models.")
    assert proposal.decided_by_id == chair.id and proposal.decided_at is not None
    [event] = _decisions()
    assert event.actor_id == chair.id and event.detail["decision"] == "partly_accepted"
    assert event.detail["previous"] is None


def test_accepting_needs_no_reason(proposal: Any, chair: Any) -> None:
    decide_proposal(proposal, "accepted", "", actor=chair)
    assert proposal.decision == "accepted" and proposal.decision_reason is None


@pytest.mark.parametrize("decision", ["partly_accepted", "not_taken_up"])
@pytest.mark.parametrize("reason", ["   ", "\u200b \u200b", "\u202e"])
def test_a_reason_is_required_unless_accepted(
    proposal: Any, chair: Any, decision: str, reason: str
) -> None:
    with pytest.raises(BadInput, match="short reason"):
        decide_proposal(proposal, decision, reason, actor=chair)
    assert proposal.decision is None and _decisions() == []


@pytest.mark.parametrize("decision", ["adopted", "partly", "", None, 3])
def test_an_unknown_decision_is_refused(proposal: Any, chair: Any, decision: Any) -> None:
    with pytest.raises(BadInput, match="Unknown decision"):
        decide_proposal(proposal, decision, "A reason.", actor=chair)
    assert proposal.decision is None


def test_a_comment_without_proposed_wording_cannot_be_decided(
    closed: Any, participant: Any, chair: Any
) -> None:
    from app.feedback.models import Comment

    comment = Comment(round=closed.round, provision=closed, author=participant,
                      stance="support", body="Fine as it is.")
    db.session.add(comment)
    db.session.commit()
    with pytest.raises(BadInput, match="proposes no wording"):
        decide_proposal(comment, "accepted", "", actor=chair)
    assert comment.decision is None


def test_no_decision_while_the_window_is_open_or_on_a_withdrawn_comment(
    provision: Any, participant: Any, chair: Any, comment_on: Any
) -> None:
    from app.feedback.services import withdraw_comment

    open_one = comment_on(provision, participant, proposed_text=PROPOSAL)
    with pytest.raises(Conflict, match="still open"):
        decide_proposal(open_one, "accepted", "", actor=chair)
    withdrawn = comment_on(provision, participant, proposed_text=PROPOSAL)
    withdraw_comment(withdrawn)
    provision.round.closes_at = provision.round.opens_at
    db.session.commit()
    with pytest.raises(Conflict, match="withdrew"):
        decide_proposal(withdrawn, "accepted", "", actor=chair)
    assert open_one.decision is None and withdrawn.decision is None


def test_changing_a_decision_keeps_one_current_decision_and_audits_the_change(
    proposal: Any, chair: Any, secretariat: Any
) -> None:
    decide_proposal(proposal, "not_taken_up", "Out of line with the AI Act.", actor=chair)
    decide_proposal(proposal, "not_taken_up", "Out of line with the AI Act.", actor=chair)
    decide_proposal(proposal, "accepted", "", actor=secretariat)
    db.session.commit()
    assert proposal.decision == "accepted" and proposal.decided_by_id == secretariat.id
    first, second = _decisions()  # the repeat of the same decision changed nothing
    assert second.detail["previous"] == "not_taken_up"
    assert second.detail["previous_reason"] == "Out of line with the AI Act."


def test_who_may_decide(proposal: Any, participant: Any, chair: Any, secretariat: Any,
                        create_user: Any) -> None:
    vice = create_user("vice@example.org", groups=[("wg1", "vice_chair")])
    other_chair = create_user("wg2chair@example.org", groups=[("wg2", "chair")])
    member = create_user("member@example.org", groups=[("wg1", "member")])
    assert can_decide(chair, proposal) and can_decide(vice, proposal)
    assert can_decide(secretariat, proposal)
    assert not can_decide(participant, proposal) and not can_decide(other_chair, proposal)
    assert not can_decide(member, proposal) and not can_decide(None, proposal)


def test_the_author_sees_the_decision_on_my_feedback_and_on_the_comment(
    client: Any, auth: Any, proposal: Any, participant: Any, chair: Any
) -> None:
    auth.login(participant.email)
    mine = client.get("/my/feedback").get_data(as_text=True)
    assert "Not decided yet" in mine
    decide_proposal(proposal, "not_taken_up", "The AI Office needs the shorter delay.",
                    actor=chair)
    db.session.commit()
    mine = client.get("/my/feedback").get_data(as_text=True)
    assert "The chairs' decision on your proposed wording" in mine
    assert "outcome-not_taken_up" in mine and "The AI Office needs the shorter delay." in mine
    page = client.get("/codes/demo-code/rounds/1/provisions/m-1-1").get_data(as_text=True)
    card = page[page.index(f'id="comment-{proposal.id}"'):]
    assert "Not taken up" in card and "The AI Office needs the shorter delay." in card
    assert "adopted" not in mine.lower()

"""Submitting, editing, withdrawing and hiding comments (the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.db import db
from app.core.errors import BadInput, Conflict, TooLarge
from app.feedback import services
from app.feedback.models import CONSENT_TERMS_VERSION, Comment
from app.feedback.permissions import can_comment
from app.feedback.services import (
    edit_comment,
    hide_comment,
    submit_comment,
    withdraw_comment,
)


def count() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


def test_a_whole_provision_comment_is_stored_open_and_unanchored(provision, participant):
    comment = submit_comment(provision, participant, stance="support", body="  Good measure. ")
    assert (comment.stance, comment.body, comment.status) == ("support", "Good measure.", "open")
    assert comment.round_id == provision.round_id and not comment.anchored


def test_a_quote_is_stored_as_text_quote_and_position_selectors(provision, participant):
    exact = "within fourteen days"
    comment = submit_comment(
        provision,
        participant,
        stance="amend",
        body="Too short.",
        quote={"exact": exact, "prefix": "x", "suffix": "", "start": "3"},
    )
    start = provision.text.index(exact)
    assert (comment.quote_exact, comment.quote_start, comment.quote_end) == (
        exact,
        start,
        start + len(exact),
    )
    assert comment.quote_prefix == provision.text[start - 32 : start]
    assert comment.quote_suffix == provision.text[start + len(exact) :][:32]


def test_a_quote_that_is_not_in_the_provision_is_refused_and_nothing_stored(provision, participant):
    with pytest.raises(BadInput, match="(?i)the quoted passage is not in the provision"):
        submit_comment(provision, participant, stance="amend", body="x", quote="within thirty days")
    assert count() == 0


def test_an_unknown_stance_is_refused(provision, participant):
    with pytest.raises(BadInput, match="Unknown stance"):
        submit_comment(provision, participant, stance="furious", body="x")


@pytest.mark.parametrize("body", ["", "   \n ", "\u200b", " \u200b\u202e\ufeff "])  # shows nothing
def test_an_empty_body_is_refused(provision, participant, body):
    with pytest.raises(BadInput, match="empty"):
        submit_comment(provision, participant, stance="support", body=body)


def test_a_body_past_ten_thousand_characters_is_too_large(provision, participant):
    submit_comment(provision, participant, stance="support", body="a" * 10_000)
    with pytest.raises(TooLarge) as error:
        submit_comment(provision, participant, stance="support", body="a" * 10_001)
    assert error.value.status == 413


def test_proposed_wording_past_five_thousand_characters_is_too_large(provision, participant):
    with pytest.raises(TooLarge):
        submit_comment(provision, participant, stance="amend", body="x", proposed_text="b" * 5_001)


@pytest.mark.parametrize("window", ["closed", "upcoming", None])
def test_no_comment_outside_an_open_window(create_round, create_provision, participant, window):
    round_ = create_round(2, window=window)
    item = create_provision(round_, "m-1")
    with pytest.raises(Conflict):
        submit_comment(item, participant, stance="support", body="Late.")
    assert count() == 0


def test_a_final_round_takes_no_comment(create_round, create_provision, participant):
    item = create_provision(create_round(4, final=True), "m-1")
    with pytest.raises(Conflict, match="final"):
        submit_comment(item, participant, stance="support", body="x")


def test_a_participant_may_not_comment_on_a_round_they_may_not_see(
    create_round, create_provision, participant, client, auth
):
    item = create_provision(create_round(3, visibility="internal"), "m-1")
    assert not can_comment(participant, item.round)
    auth.login(participant.email)
    token = auth.csrf_token("/my/feedback")
    response = client.post(f"/feedback/provisions/{item.id}/comments",
                           data={"stance": "support", "body": "x", "csrf_token": token})
    assert response.status_code == 404 and count() == 0


def test_participants_may_comment_on_another_groups_provision(
    open_round, create_provision, create_user
):
    item = create_provision(open_round, "m-9", group="wg3")
    member = create_user(groups=[("wg1", "member")])
    assert submit_comment(item, member, stance="question", body="Why?").provision_id == item.id


def test_a_reply_inherits_the_parents_provision_and_round_and_carries_no_quote(
    open_round, create_provision, provision, participant, other, comment_on
):
    parent = comment_on(provision, participant, quote="fourteen days")
    elsewhere = create_provision(open_round, "m-2")
    reply = submit_comment(
        elsewhere, other, stance="neutral", body="Agreed.", parent=parent, quote="anything"
    )
    assert (reply.provision_id, reply.round_id, reply.parent_id) == (
        provision.id,
        provision.round_id,
        parent.id,
    )
    assert reply.quote_exact is None


def test_publishing_consent_is_recorded_with_time_and_terms(provision, participant):
    now = dt.datetime.now(dt.UTC)
    consented = submit_comment(
        provision, participant, stance="support", body="x", publish_consent=True, now=now
    )
    private = submit_comment(provision, participant, stance="support", body="y", now=now)
    assert (consented.consent_at, consented.consent_terms) == (now, CONSENT_TERMS_VERSION)
    assert (private.publish_consent, private.consent_at) == (False, None)


def test_the_author_edits_while_the_window_is_open(provision, participant, comment_on):
    comment = comment_on(provision, participant)
    edit_comment(
        comment,
        stance="oppose",
        body="Changed my mind.",
        proposed_text="within thirty days",
    )
    assert (comment.stance, comment.body, comment.proposed_text) == (
        "oppose",
        "Changed my mind.",
        "within thirty days",
    )


def test_someone_else_cannot_edit_or_withdraw_a_comment(
    provision, participant, other, comment_on, client, auth
):
    comment = comment_on(provision, participant, publish_consent=True)
    auth.login(other.email)
    token = auth.csrf_token("/my/feedback")
    edited = client.post(f"/feedback/comments/{comment.id}/edit",
                         data={"stance": "oppose", "body": "Hijacked.", "csrf_token": token})
    withdrawn = client.post(f"/feedback/comments/{comment.id}/withdraw",
                            data={"csrf_token": token})
    assert (edited.status_code, withdrawn.status_code) == (403, 403)
    db.session.refresh(comment)
    assert comment.status == "open" and comment.body != "Hijacked."


def test_nothing_changes_once_the_window_closed(provision, participant, comment_on):
    comment = comment_on(provision, participant)
    later = provision.round.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(Conflict, match="closed"):
        edit_comment(comment, body="Too late.", now=later)
    with pytest.raises(Conflict):
        withdraw_comment(comment, now=later)


def test_withdrawing_keeps_the_comment_marked_withdrawn(provision, participant, comment_on):
    comment = comment_on(provision, participant)
    withdraw_comment(comment)
    db.session.commit()
    assert db.session.get(Comment, comment.id).status == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        edit_comment(comment, body="again")


def test_the_secretariat_hides_with_a_reason_in_the_audit_log(
    provision, participant, secretariat, comment_on
):
    comment = comment_on(provision, participant)
    hide_comment(comment, "Insults another participant.", secretariat)
    db.session.commit()
    assert comment.hidden and comment.hidden_by_id == secretariat.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.hide"))
    assert event.target_id == str(comment.id)
    assert event.detail["reason"] == "Insults another participant."


def test_only_the_secretariat_hides_and_only_with_a_reason(
    provision, participant, chair, secretariat, comment_on, client, auth
):
    comment = comment_on(provision, participant)
    auth.login(chair.email)
    token = auth.csrf_token("/my/feedback")
    refused = client.post(f"/feedback/comments/{comment.id}/hide",
                          data={"reason": "no", "csrf_token": token})
    assert refused.status_code == 403
    with pytest.raises(BadInput):
        hide_comment(comment, "  ", secretariat)
    db.session.refresh(comment)
    assert not comment.hidden


def test_a_repeated_idempotency_key_returns_the_first_comment(provision, participant):
    first = submit_comment(
        provision, participant, stance="support", body="Once.", idempotency_key="k-1"
    )
    again = submit_comment(
        provision, participant, stance="support", body="Once.", idempotency_key="k-1"
    )
    assert again.id == first.id and count() == 1


def test_an_idempotency_key_reused_for_another_comment_is_a_conflict(provision, participant):
    submit_comment(provision, participant, stance="support", body="Once.", idempotency_key="k")
    with pytest.raises(Conflict, match="Idempotency-Key"):
        submit_comment(provision, participant, stance="support", body="Other.", idempotency_key="k")


@pytest.mark.parametrize(
    "change",
    [{"stance": "oppose"}, {"publish_consent": True}, {"proposed_text": "within a week"},
     {"quote": "within fourteen days"}],
)  # fmt: skip
def test_a_replay_that_differs_in_anything_but_the_key_is_a_conflict(
    provision, participant, change
):
    """The same key and body with another stance, consent, wording or passage is not a replay:
    answering 201 with the first comment would tell the client its change was stored."""
    first = dict(stance="support", body="Once.", idempotency_key="k-2")
    submit_comment(provision, participant, **first)
    with pytest.raises(Conflict, match="Idempotency-Key"):
        submit_comment(provision, participant, **{**first, **change})
    assert count() == 1


def test_a_lost_idempotency_race_returns_the_winners_comment(
    provision, participant, monkeypatch: Any
):
    """The unique constraint decides when two requests pass the look-up at the same time."""
    winner = submit_comment(
        provision, participant, stance="support", body="Race.", idempotency_key="race"
    )
    real = services._existing_for_key
    calls = iter([None])
    monkeypatch.setattr(
        services, "_existing_for_key", lambda author, key: next(calls, None) or real(author, key)
    )
    loser = submit_comment(
        provision, participant, stance="support", body="Race.", idempotency_key="race"
    )
    assert loser.id == winner.id and count() == 1


def test_a_stored_external_id_is_a_conflict(provision, participant):
    submit_comment(provision, participant, stance="support", body="a", external_id="x-1")
    with pytest.raises(Conflict, match="external_id"):
        submit_comment(provision, participant, stance="support", body="b", external_id="x-1")


def test_replies_are_hidden_with_their_comment_and_shown_again_with_it(
    provision, participant, other, secretariat, comment_on
):
    from app.feedback.permissions import can_view_comment

    comment = comment_on(provision, participant)
    reply = services.submit_comment(provision, other, stance="neutral", body="I disagree.",
                                    parent=comment, publish_consent=True)
    already = services.submit_comment(provision, other, stance="neutral", body="Spam.",
                                      parent=comment, publish_consent=True)
    services.hide_comment(already, "Spam.", secretariat)
    services.hide_comment(comment, "Insults another participant.", secretariat)
    db.session.commit()
    assert reply.hidden and reply.hidden_reason == services.REPLY_HIDDEN_REASON
    assert not can_view_comment(None, reply)  # the public no longer sees it alone
    assert already.hidden_reason == "Spam."  # its own reason kept
    services.unhide_comment(comment, secretariat)
    db.session.commit()
    assert not reply.hidden and can_view_comment(None, reply)
    assert already.hidden  # hidden for a reason of its own: it stays hidden

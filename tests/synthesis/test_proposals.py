"""The chairs decide proposed wording from the workspace: the list of a scope's proposals, with
the redline against the passage, the adoption suggestion and a compact form each."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.models import Comment, CommentCarry

LIST = "/chair/codes/demo-code/rounds/1/proposals"


@pytest.fixture
def proposals(feedback: Any, create_user: Any) -> list[Comment]:
    """Three proposals on wg1's measure and one on wg2's; round 1 closed, round 2 imported."""
    author = create_user("proposer@example.org", name="Pia Proposer")
    made = []
    for n, (provision, wording) in enumerate([
            (feedback["doc"], "keep model documentation up to date every six months"),
            (feedback["doc"], "keep model documentation current"),
            (feedback["doc"], "publish model documentation"),
            (feedback["other"], "adopt and publish a safety framework")]):
        comment = Comment(round=feedback["round"], provision=provision, author=author,
                          stance="amend", body=f"Proposal number {n}.", proposed_text=wording)
        db.session.add(comment)
        made.append(comment)
    db.session.flush()
    db.session.add(CommentCarry(comment_id=made[0].id, to_round_id=feedback["round2"].id,
                                to_provision_id=None, status="anchored", adoption=0.92,
                                adopted=True))
    db.session.commit()
    return made


@pytest.fixture
def wg1_chair(create_user: Any, auth: Any) -> Any:
    user = create_user("wg1chair@example.org", name="Carla Chair", groups=[("wg1", "chair")])
    auth.login(user.email)
    return user


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_list_shows_the_groups_proposals_with_redline_and_suggestion(
    client: Any, wg1_chair: Any, proposals: list[Comment]
) -> None:
    page = client.get(LIST).get_data(as_text=True)
    assert all(f'id="proposal-{c.id}"' in page for c in proposals[:3])
    assert f'id="proposal-{proposals[3].id}"' not in page  # wg2's: not this chair's
    assert "<ins>" in page and "six months" in page
    first = page[page.index(f'id="proposal-{proposals[0].id}"'):]
    assert "appears to take this wording over (92%" in first and "not a decision" in first
    assert "3 not decided yet" in page
    author = proposals[0].author  # a name is isolated in its line (direction marks)
    assert f"<bdi>{author.display_name}</bdi>" in first


def test_a_chair_decides_three_proposals_from_the_workspace(
    client: Any, wg1_chair: Any, proposals: list[Comment]
) -> None:
    token = _token(client.get(LIST).get_data(as_text=True))
    choices = [("accepted", ""), ("partly_accepted", "Only the six-month cycle."),
               ("not_taken_up", "Publication is covered by Measure 1.3.")]
    for comment, (decision, reason) in zip(proposals, choices, strict=False):
        response = client.post(f"/chair/comments/{comment.id}/decision",
                               data={"csrf_token": token, "decision": decision,
                                     "reason": reason})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"#proposal-{comment.id}")
    db.session.expire_all()
    assert [c.decision for c in proposals[:3]] == ["accepted", "partly_accepted",
                                                   "not_taken_up"]
    page = client.get(LIST).get_data(as_text=True)
    assert "Every proposal in this scope has a decision." in page
    every = client.get(LIST + "?show=all").get_data(as_text=True)
    assert "Change decision" in every and "Publication is covered by Measure 1.3." in every
    assert len(list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "proposal.decide")))) == 3


def test_a_missing_reason_is_a_clear_message_and_nothing_is_stored(
    client: Any, wg1_chair: Any, proposals: list[Comment]
) -> None:
    token = _token(client.get(LIST).get_data(as_text=True))
    target = proposals[1]
    response = client.post(f"/chair/comments/{target.id}/decision", follow_redirects=True,
                           data={"csrf_token": token, "decision": "not_taken_up",
                                 "reason": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give a short reason" in page and f"Proposal {target.id}" in page
    # The message sits in the proposal's card too, with what the chair chose and typed kept.
    card = page[page.index(f'id="proposal-{target.id}"'):]
    card = card[:card.index("</article>")]
    assert 'role="alert"' in card and "Give a short reason" in card
    assert 'value="not_taken_up" checked' in card and "autofocus" in card
    long_reason = "Because " + "the wording is too broad " * 100  # past the 2,000 limit
    response = client.post(f"/chair/comments/{target.id}/decision",
                           data={"csrf_token": token, "decision": "not_taken_up",
                                 "reason": long_reason})
    assert response.status_code == 400 and long_reason in response.get_data(as_text=True)
    response = client.post(f"/chair/comments/{target.id}/decision", follow_redirects=True,
                           data={"csrf_token": token, "decision": "maybe"})
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert target.decision is None


def test_a_chair_of_another_group_may_not_decide(
    client: Any, proposals: list[Comment], create_user: Any, auth: Any
) -> None:
    create_user("wg2chair@example.org", groups=[("wg2", "chair")])
    auth.login("wg2chair@example.org")
    token = _token(client.get(LIST).get_data(as_text=True))
    target = proposals[0]
    # an unpublished comment of wg1 does not exist for them; a published one is 403
    data = {"csrf_token": token, "decision": "accepted"}
    assert client.post(f"/chair/comments/{target.id}/decision", data=data).status_code == 404
    target.publish_consent = True
    db.session.commit()
    assert client.post(f"/chair/comments/{target.id}/decision", data=data).status_code == 403
    assert client.post("/chair/comments/999999/decision", data=data).status_code == 404
    db.session.expire_all()
    assert target.decision is None
    # their list filtered to wg1 (or to no group at all) is not silently their own: 404
    assert client.get(LIST + "?group=wg1").status_code == 404
    assert client.get(LIST + "?group=nope").status_code == 404
    assert client.get(LIST + "?group=wg2").status_code == 200


def test_participants_never_reach_the_list(
    client: Any, proposals: list[Comment], create_user: Any, auth: Any
) -> None:
    assert client.get(LIST).status_code == 404
    create_user("someone@example.org")
    auth.login("someone@example.org")
    assert client.get(LIST).status_code == 404


def test_the_theme_page_and_round_page_lead_to_the_proposals(
    client: Any, wg1_chair: Any, proposals: list[Comment]
) -> None:
    page = client.get("/chair/codes/demo-code/rounds/1/synthesis").get_data(as_text=True)
    assert LIST in page


def test_a_comment_without_proposed_wording_is_refused_with_a_message(
    client: Any, wg1_chair: Any, proposals: list[Comment], feedback: Any
) -> None:
    plain = db.session.scalars(select(Comment).where(
        Comment.provision_id == feedback["doc"].id, Comment.proposed_text.is_(None))).first()
    token = _token(client.get(LIST).get_data(as_text=True))
    page = client.post(f"/chair/comments/{plain.id}/decision", follow_redirects=True,
                       data={"csrf_token": token, "decision": "accepted"}).get_data(
        as_text=True)
    assert "This comment proposes no wording: there is nothing to decide." in page
    db.session.expire_all()
    assert plain.decision is None

"""My feedback: every comment with a link to it in context, edit and withdraw while the window
is open, and its fate; withdrawing asks first, keeps the comment and is audit-logged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.models import Comment
from tests.feedback.test_pages import PAGE


def test_each_comment_links_to_its_context_with_edit_and_withdraw_while_open(
    client, auth, provision, participant, comment_on
):
    comment = comment_on(provision, participant, body="Still open.")
    auth.login(participant.email)
    html = client.get("/my/feedback").get_data(as_text=True)
    assert f'href="{PAGE}#comment-{comment.id}"' in html
    assert f'href="/feedback/comments/{comment.id}/edit"' in html
    assert f'href="/feedback/comments/{comment.id}/withdraw"' in html
    provision.round.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    html = client.get("/my/feedback").get_data(as_text=True)
    assert f'href="{PAGE}#comment-{comment.id}"' in html
    assert "/edit" not in html and "/withdraw" not in html


def test_withdrawing_asks_first_then_keeps_the_comment_marked_and_audit_logged(
    client, auth, provision, participant, comment_on
):
    comment = comment_on(provision, participant, body="Take this back.", publish_consent=True)
    auth.login(participant.email)
    url = f"/feedback/comments/{comment.id}/withdraw"
    page = client.get(url).get_data(as_text=True)
    assert "cannot be undone" in page and "Take this back." in page
    assert db.session.get(Comment, comment.id).status == "open"
    response = client.post(url, data={"csrf_token": auth.csrf_token(url)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == "withdrawn"
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "comment.withdraw")).one()
    assert (event.actor_id, event.target_id) == (participant.id, str(comment.id))
    mine = client.get("/my/feedback").get_data(as_text=True)
    assert "Take this back." in mine and "status-withdrawn" in mine
    auth.logout()
    assert "Take this back." not in client.get(PAGE).get_data(as_text=True)


def test_a_withdrawn_comment_offers_no_second_withdrawal(
    client, auth, provision, participant, create_comment
):
    comment = create_comment(provision, participant, status="withdrawn")
    auth.login(participant.email)
    page = client.get(f"/feedback/comments/{comment.id}/withdraw").get_data(as_text=True)
    assert "already withdrawn" in page and "Withdraw this comment</button>" not in page

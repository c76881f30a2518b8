"""How notifications reach people: e-mail through a real SMTP socket (daily digest by default,
instant on request, none when off or unconfigured), the worker's periodic task, and the
personal Atom feed with its revocable secret URL."""

from __future__ import annotations

import datetime as dt
import email
import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db, utcnow
from app.feedback.decisions import decide_proposal
from app.notifications import services
from app.notifications.delivery import DIGEST_HOUR, deliver
from app.notifications.models import Notification
from app.notifications.tasks import run_notifications

# The next digest hour after now (notifications older than two weeks are no longer mailed).
MORNING = dt.datetime.combine(utcnow().date() + dt.timedelta(days=1), dt.time(DIGEST_HOUR, 5),
                              tzinfo=dt.UTC)


def text(raw: str) -> str:
    """A received message's headers and decoded body."""
    message = email.message_from_string(raw)
    body = message.get_payload(decode=True).decode()
    return "\n".join(f"{k}: {v}" for k, v in message.items()) + "\n\n" + body


@pytest.fixture
def chair(create_user: Any) -> Any:
    return create_user("wg1chair@example.org", groups=[("wg1", "chair")])


def decided(why: Any, chair: Any, *comments: Any) -> None:
    for comment in comments or (why.undecided,):
        decide_proposal(comment, "not_taken_up", "Not this time.", actor=chair)
    db.session.commit()


def test_the_daily_digest_sends_one_mail_with_everything_new(
    why: Any, chair: Any, smtp: list[str]
) -> None:
    author = why.undecided.author
    decided(why, chair)
    services.notify([author], services.News(
        kind="round_published", key="extra", title="A second piece of news", body="",
        url="/codes/demo", round=why.story.rounds[3]))
    db.session.commit()
    assert deliver(MORNING - dt.timedelta(hours=2)) == 0  # before the digest hour
    assert deliver(MORNING) == 1
    [mail] = [text(m) for m in smtp]
    assert author.email in mail and "Plenary: 2 new notifications" in mail
    assert "decided on your proposed wording" in mail and "A second piece of news" in mail
    assert "/my/notifications/settings" in mail
    assert deliver(MORNING + dt.timedelta(hours=3)) == 0  # once a day
    assert all(n.emailed_at is not None for n in db.session.scalars(
        select(Notification).where(Notification.user_id == author.id)))
    decided(why, chair, why.refused)  # another author
    assert deliver(MORNING + dt.timedelta(days=1)) == 1 and len(smtp) == 2


def test_instant_mail_is_one_message_per_notification(
    why: Any, chair: Any, smtp: list[str]
) -> None:
    author = why.undecided.author
    services.update_settings(author, "instant", services.KINDS)
    decided(why, chair)
    assert deliver(MORNING - dt.timedelta(hours=5)) == 1  # no waiting for the digest hour
    assert "Subject: Plenary: The chairs decided on your proposed wording" in text(smtp[0])
    assert deliver(MORNING) == 0


def test_no_mail_when_e_mail_is_off_or_no_smtp_server_is_configured(
    why: Any, chair: Any, app: Any
) -> None:
    decided(why, chair)
    assert app.config.get("MAIL_SERVER") is None
    assert deliver(MORNING) == 0
    pending = db.session.scalars(select(Notification)).all()
    assert pending and all(n.emailed_at is None for n in pending)  # kept for the page


def test_off_means_no_mail(why: Any, chair: Any, smtp: list[str]) -> None:
    services.update_settings(why.undecided.author, "off", services.KINDS)
    decided(why, chair)
    assert deliver(MORNING) == 0 and smtp == []


def test_a_round_turned_internal_is_never_mailed_about(
    why: Any, chair: Any, smtp: list[str]
) -> None:
    decided(why, chair)
    why.story.rounds[2].visibility = "internal"
    db.session.commit()
    assert deliver(MORNING) == 0 and smtp == []


def test_the_worker_task_announces_windows_and_mails(story: Any, create_user: Any,
                                                     smtp: list[str]) -> None:
    from app.core.tasks import huey
    from app.notifications import tasks

    reader = create_user("reader@example.org")
    third = story.rounds[3]
    assert third.opens_at is not None
    created, _ = run_notifications(third.opens_at + dt.timedelta(hours=1))
    assert created >= 1
    assert any(n.kind == "window_opened" for n in services.notifications_for(reader))
    assert tasks.notifications_task.task_class in huey._registry._periodic_tasks


def test_the_feed_opens_with_its_secret_and_stops_when_regenerated_or_revoked(
    why: Any, chair: Any, client: Any, auth: Any
) -> None:
    author = why.undecided.author
    author.password_hash = chair.password_hash
    decided(why, chair)
    auth.login(author.email)
    token = auth.csrf_token("/my/notifications/settings")
    page = client.post("/my/notifications/feed", data={"csrf_token": token}).get_data(
        as_text=True)
    url = re.search(r'<code class="secret">http://localhost(/notifications/feed/[^<]+)</code>',
                    page).group(1)
    auth.logout()
    feed = client.get(url)
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    body = feed.get_data(as_text=True)
    assert "decided on your proposed wording" in body and "<author><name>Plenary" in body
    feed_id = re.search(r"<id>([^<]+)</id>", body).group(1)  # the feed's, first
    assert re.fullmatch(r"urn:plenary:notifications:[0-9a-f]{24}", feed_id)  # not the account id
    assert "private" in feed.headers["Cache-Control"]
    # Its links name the configured public address, whatever Host the request claims.
    spoofed = client.get(url, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in spoofed and 'href="http://localhost/' in spoofed
    auth.login(author.email)
    token = auth.csrf_token("/my/notifications/settings")
    again = client.post("/my/notifications/feed", data={"csrf_token": token}).get_data(
        as_text=True)
    fresh = re.search(r'http://localhost(/notifications/feed/[^<]+)</code>', again).group(1)
    assert fresh != url
    assert client.get(url).status_code == 404 and client.get(fresh).status_code == 200
    client.post("/my/notifications/feed/revoke", data={"csrf_token": token})
    assert client.get(fresh).status_code == 404
    assert client.get("/notifications/feed/nf_made-up.atom").status_code == 404


def test_the_feed_shows_nothing_about_a_round_turned_internal(why: Any, chair: Any,
                                                              client: Any) -> None:
    decided(why, chair)
    secret = services.new_feed_token(why.undecided.author)
    db.session.commit()
    assert "decided on your" in client.get(f"/notifications/feed/{secret}.atom").get_data(
        as_text=True)
    why.story.rounds[2].visibility = "internal"
    db.session.commit()
    body = client.get(f"/notifications/feed/{secret}.atom").get_data(as_text=True)
    assert "decided on your" not in body and "Second draft" not in body

"""Participants hear back: what creates a notification, who gets it, and what they may see."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.db import db, utcnow
from app.drafting import importer
from app.drafting.services import set_visibility
from app.feedback.decisions import decide_proposal
from app.feedback.models import Comment
from app.notifications import services
from app.notifications.delivery import announce_windows
from app.notifications.models import Notification
from app.synthesis import workspace


def notes(user: Any, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_the_author_hears_of_a_decision_on_their_proposal(why: Any, create_user: Any) -> None:
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    decide_proposal(why.undecided, "not_taken_up", "Too short to be useful.", actor=chair)
    db.session.commit()
    [note] = notes(why.undecided.author, "proposal_decided")
    assert "not taken up" in note.title and note.body == "Too short to be useful."
    assert note.url == f"/codes/demo/rounds/2/provisions/m-edit#comment-{why.undecided.id}"
    decide_proposal(why.undecided, "accepted", "", actor=chair)  # a changed decision: told again
    db.session.commit()
    assert len(notes(why.undecided.author, "proposal_decided")) == 2
    # Reverted to the first decision, then only its reason changed: told each time, and the
    # newest notice says what holds now.
    decide_proposal(why.undecided, "not_taken_up", "Too short to be useful.", actor=chair)
    decide_proposal(why.undecided, "not_taken_up", "Too short, and out of scope.", actor=chair)
    db.session.commit()
    told = notes(why.undecided.author, "proposal_decided")
    assert len(told) == 4
    assert "changed their decision" in told[-1].title and "not taken up" in told[-1].title
    assert told[-1].body == "Too short, and out of scope."


def test_authors_in_an_answered_theme_hear_of_the_answer(why: Any) -> None:
    theme = why.run.themes[1]  # "Shorter text": comments 5 and 6
    workspace.respond(theme, "out_of_scope", "A matter for the AI Act itself.", [], actor=None)
    db.session.commit()
    told = {a.id for a in why.authors if notes(a, "theme_answered")}
    assert told == {why.comments[5].author_id, why.comments[6].author_id}
    [note] = notes(why.comments[5].author, "theme_answered")
    assert "“Shorter text”: out of scope" in note.title
    assert note.url == f"/codes/demo/rounds/2/register#theme-{theme.identity_id}"


def test_an_unpublished_answer_tells_no_one(why: Any) -> None:
    theme = why.run.themes[1]
    db.session.delete(theme.identity.response)  # a theme not answered yet
    db.session.flush()
    db.session.expire(theme.identity, ["response"])
    workspace.respond(theme, "accepted", "Draft only.", [], published=False, actor=None)
    db.session.commit()
    assert not any(notes(a, "theme_answered") for a in why.authors)


def test_opted_out_kinds_are_not_created(why: Any, create_user: Any) -> None:
    author = why.undecided.author
    services.update_settings(author, "digest",
                             [k for k in services.KINDS if k != "proposal_decided"])
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    decide_proposal(why.undecided, "accepted", "", actor=chair)
    workspace.respond(why.run.themes[1], "accepted", "Yes.", [], actor=None)
    db.session.commit()
    assert notes(author, "proposal_decided") == [] and notes(author, "theme_answered")


def test_a_new_round_and_its_carried_comments_are_told_when_it_is_published(
    database: Any, create_group: Any, create_user: Any
) -> None:
    from tests.feedback.test_recarry import DRAFT, KEEP, RECORDS

    create_group("wg1")
    reader = create_user("reader@example.org")
    author = create_user("author@example.org")
    first = importer.import_round(DRAFT.format(number=1, first=KEEP, second=RECORDS),
                                  "1.md").round
    comment = Comment(round=first, provision=first.provisions[1], author=author,
                      stance="support", body="Good.")
    db.session.add(comment)
    db.session.commit()
    internal = DRAFT.format(number=2, first=KEEP, second=RECORDS).replace(
        "visibility: public", "visibility: internal")
    second = importer.import_round(internal, "2.md").round
    db.session.commit()
    assert notes(author) == [n for n in notes(author) if n.round_id == first.id]
    assert not notes(reader, "round_published") or all(
        n.round_id == first.id for n in notes(reader, "round_published"))
    set_visibility(second, "public", actor=None)
    db.session.commit()
    assert [n.round_id for n in notes(reader, "round_published")][-1] == second.id
    [carried] = notes(author, "comment_carried")
    assert carried.round_id == second.id and "re-anchored" in carried.body


def test_windows_are_announced_once_and_two_days_before_they_close(
    story: Any, create_user: Any
) -> None:
    reader = create_user("reader@example.org")
    third = story.rounds[3]  # opened yesterday, closes in a week
    assert announce_windows() >= 1
    assert [n.round_id for n in notes(reader, "window_opened")] == [third.id]
    assert announce_windows() == 0  # idempotent: every worker may run it
    assert notes(reader, "window_closing") == []
    assert third.closes_at is not None
    announce_windows(third.closes_at - dt.timedelta(days=1))
    [closing] = notes(reader, "window_closing")
    assert "closes soon" in closing.title
    # the internal round 4 has no window; nobody hears of a round they may not see
    assert all(n.round_id != story.rounds[4].id for n in notes(reader))


def test_nothing_is_told_about_a_round_one_may_not_see(story: Any, create_user: Any) -> None:
    reader = create_user("reader@example.org")
    chair = create_user("chair@example.org", groups=[("wg1", "chair")])
    secret = story.rounds[4]
    secret.opens_at = utcnow() - dt.timedelta(days=1)
    secret.closes_at = utcnow() + dt.timedelta(days=1)
    db.session.commit()
    announce_windows()
    assert all(n.round_id != secret.id for n in notes(reader))
    assert any(n.round_id == secret.id for n in notes(chair, "window_closing"))


def test_a_round_turned_internal_hides_its_notifications_everywhere(
    why: Any, create_user: Any, client: Any, auth: Any
) -> None:
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    decide_proposal(why.undecided, "accepted", "", actor=chair)
    db.session.commit()
    author = why.undecided.author
    assert len(services.notifications_for(author)) == 1
    why.story.rounds[2].visibility = "internal"
    db.session.commit()
    assert services.notifications_for(author) == [] and services.unread_count(author) == 0
    author.password_hash = chair.password_hash
    db.session.commit()
    auth.login(author.email)
    page = client.get("/my/notifications").get_data(as_text=True)
    assert "decided on your proposed wording" not in page and "Second draft" not in page


def test_an_answer_is_shown_once_the_register_is_public(why: Any) -> None:
    why.story.rounds[2].closes_at = utcnow() + dt.timedelta(days=3)
    db.session.commit()
    workspace.respond(why.run.themes[1], "accepted", "Yes.", [], actor=None)
    db.session.commit()
    author = why.comments[5].author
    assert len(notes(author, "theme_answered")) == 1
    assert services.notifications_for(author) == []  # the register is not public yet
    why.story.rounds[2].closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert len(services.notifications_for(author)) == 1


def test_the_page_lists_notifications_and_reading_it_writes_nothing(
    why: Any, create_user: Any, client: Any, auth: Any
) -> None:
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    author = create_user("pia@example.org", name="Pia")
    comment = Comment(round=why.story.rounds[2], provision=why.story.p[2, "m-edit"],
                      author=author, stance="amend", body="Mine.", proposed_text="Better.")
    db.session.add(comment)
    db.session.commit()
    decide_proposal(comment, "partly_accepted", "In part.", actor=chair)
    db.session.commit()
    auth.login(author.email)
    assert "Notifications (1)" in client.get("/").get_data(as_text=True)
    page = client.get("/my/notifications").get_data(as_text=True)
    assert "The chairs decided on your proposed wording for Measure 1.2: partly accepted" in page
    assert "In part." in page and 'class="notification kind-proposal_decided unread"' in page
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.read_at.is_not(None))) == 0
    token = auth.csrf_token("/my/notifications")
    assert client.post("/my/notifications/read", data={"csrf_token": token}).status_code == 302
    assert "Notifications (1)" not in client.get("/").get_data(as_text=True)


def test_settings_are_saved_per_account(client: Any, auth: Any, create_user: Any) -> None:
    user = create_user("set@example.org")
    auth.login(user.email)
    page = client.get("/my/notifications/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="digest"', page)
    token = auth.csrf_token("/my/notifications/settings")
    response = client.post("/my/notifications/settings", data={
        "csrf_token": token, "email": "instant", "kinds": ["proposal_decided",
                                                           "theme_answered"]})
    assert response.status_code == 302
    assert services.email_mode(user) == "instant"
    assert services.wants(user) == {"proposal_decided", "theme_answered"}
    bad = client.post("/my/notifications/settings", data={"csrf_token": token,
                                                          "email": "pigeon"})
    assert bad.status_code == 400 and services.email_mode(user) == "instant"


@pytest.mark.parametrize("kind", ["nonsense"])
def test_an_unknown_kind_is_refused_by_the_service(create_user: Any, kind: str) -> None:
    from app.core.errors import BadInput

    with pytest.raises(BadInput):
        services.update_settings(create_user("x@example.org"), "digest", [kind])


def test_notifications_are_in_the_personal_data_export(why: Any, create_user: Any) -> None:
    from app.core import hooks

    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    decide_proposal(why.undecided, "accepted", "", actor=chair)
    db.session.commit()
    sections: dict[str, Any] = {}
    for part in hooks.personal_data.send(user=why.undecided.author):
        sections.update(part)
    assert sections["notification_settings"] == {"email": "digest", "muted": [],
                                                 "feed": False}
    assert [n["kind"] for n in sections["notifications"]] == ["proposal_decided"]


def test_notifications_are_listed_newest_first_by_when_they_happened(create_user: Any) -> None:
    # The demo and imports date news back: the list follows the dates, page after page.
    reader = create_user()
    now = utcnow()
    days = [3, 1, 5, 0, 2, 4]  # made in this order, dated this many days ago
    for n, ago in enumerate(days):
        services.notify([reader], services.News(
            kind="round_published", key=f"dated:{n}", title=f"News {n}", body="", url="/"),
            now=now - dt.timedelta(days=ago))
    first = services.notifications_for(reader, limit=4)
    rest = services.notifications_for(reader, limit=4, before=first[-1].id)
    assert [n.title for n in first + rest] == [f"News {days.index(d)}" for d in range(6)]

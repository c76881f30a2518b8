"""Notifications in the reader's language: the page, the feed and e-mail write each notice
from its message id and values (docs/i18n.md), notices stored before as English text are
recognised by it, and an account is e-mailed in the language it chose."""

from __future__ import annotations

import datetime as dt
import email
from email.header import decode_header, make_header
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import privacy
from app.accounts import services as accounts
from app.core.db import db, utcnow
from app.feedback.decisions import decide_proposal
from app.feedback.models import Comment
from app.notifications import services
from app.notifications.delivery import deliver
from app.notifications.messages import (
    MESSAGES,
    Notice,
    Outcome,
    Phrase,
    english,
    recognise,
    stored,
)
from app.notifications.models import Notification
from tests.notifications.test_delivery import MORNING, text

NNBSP = "\u202f"


def subject(raw: str) -> str:
    return str(make_header(decode_header(email.message_from_string(raw)["Subject"])))


@pytest.fixture
def pia(why: Any, create_user: Any) -> Any:
    """An author whose proposal the chairs decided on (one new-style notice), and two notices
    stored the earlier way: English text only."""
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    author = create_user("pia@example.org", name="Pia")
    comment = Comment(round=why.story.rounds[2], provision=why.story.p[2, "m-edit"],
                      author=author, stance="amend", body="Mine.", proposed_text="Better.")
    db.session.add(comment)
    db.session.commit()
    decide_proposal(comment, "partly_accepted", "In part.", actor=chair)
    round_ = why.story.rounds[2]
    earlier = dict(user_id=author.id, round_id=round_.id, url="/codes/demo",
                   created_at=utcnow() - dt.timedelta(days=1))
    db.session.add_all([
        Notification(kind="window_opened", key="opened:old", **earlier,
                     title=f"Feedback on {round_.code.title}, {round_.name}, is open",
                     body="You can comment until 05 December 2026, 12:00 UTC."),
        Notification(kind="round_published", key="published:old", **earlier,
                     title="Something a later version will never say", body=""),
    ])
    db.session.commit()
    return author


def page_in(client: Any, auth: Any, user: Any, lang: str) -> str:
    auth.login(user.email)
    client.set_cookie("plenary_lang", lang)
    return client.get("/my/notifications").get_data(as_text=True)


def test_a_french_reader_sees_new_and_earlier_notifications_in_french(
    pia: Any, why: Any, client: Any, auth: Any
) -> None:
    page = page_in(client, auth, pia, "fr")
    code, name = why.story.rounds[2].code.title, why.story.rounds[2].name
    assert ("La présidence a statué sur la formulation que vous avez proposée pour "
            f"Measure 1.2{NNBSP}: partiellement acceptée") in page
    assert "In part." in page  # the chairs' reason, as written
    # stored as English text before messages were kept: recognised, with its date rewritten
    assert f"La période de consultation sur {code}, {name}, est ouverte" in page
    assert "Vous pouvez commenter jusqu’au 5 décembre 2026, 12:00 UTC." in page
    assert "Something a later version will never say" in page  # not recognised: as stored
    assert "The chairs decided" not in page and "Feedback on" not in page


def test_an_english_reader_sees_the_same_notifications_in_english(
    pia: Any, why: Any, client: Any, auth: Any
) -> None:
    page = page_in(client, auth, pia, "en")
    assert "The chairs decided on your proposed wording for Measure 1.2: partly accepted" in page
    assert "You can comment until 5 December 2026, 12:00 UTC." in page


def test_the_stored_text_stays_english_whatever_the_language_of_the_page(
    why: Any, create_user: Any, app: Any
) -> None:
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    with app.test_request_context(headers={"Accept-Language": "fr"}):  # a chair reading French
        decide_proposal(why.undecided, "not_taken_up", "Not this time.", actor=chair)
        assert "présidence" in Notification(kind="proposal_decided", title="", body="",
                                            message=stored(Notice("decided.title", {
                                                "provision": "x", "decision": "y"}), "")
                                            ).shown_title
    db.session.commit()
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == why.undecided.author_id))
    assert note.title.startswith("The chairs decided on your proposed wording for")
    assert note.message["title"] == {"id": "decided.title", "params": {
        "provision": why.undecided.provision.label or why.undecided.provision.title,
        "decision": {"outcome": "not_taken_up"}}}
    assert "body" not in note.message and note.body == "Not this time."


SAMPLES = {
    "carried.title": {"provision": "Measure 1.2", "round": "Second draft: revised"},
    "carried.anchored": {"new": Phrase("this_draft")},
    "carried.moved": {"new": "Measure 2.1 Documentation"},
    "published.title": {"code": "Code of Practice", "round": "Draft 3"},
    "published.changes": {"previous": "Draft 2"},
    "decided.changed": {"provision": "Measure 1.2", "decision": Outcome("not_taken_up")},
    "decided.title": {"provision": "Measure 1.2: Scope", "decision": Outcome("accepted")},
    "answered.title": {"theme": "Shorter text", "outcome": Outcome("out_of_scope")},
    "answered.body": {"round": "Draft 2", "reason": "A matter for the AI Act.\nSee above."},
    "closing.body": {"closes": dt.datetime(2026, 12, 19, 12, 0, tzinfo=dt.UTC)},
}
KINDS = {"carried": "comment_carried", "published": "round_published",
         "decided": "proposal_decided", "answered": "theme_answered",
         "opened": "window_opened", "closing": "window_closing"}


@pytest.mark.parametrize("message_id", sorted(SAMPLES))
def test_an_earlier_notice_is_recognised_by_its_english(app: Any, message_id: str) -> None:
    said = Notice(message_id, SAMPLES[message_id])
    part = "title" if message_id.endswith((".title", ".changed")) else "body"
    with app.app_context():
        assert recognise(KINDS[message_id.split(".")[0]], part, english(said)) == said


def test_the_rounds_names_settle_where_an_earlier_title_splits(app: Any) -> None:
    said = Notice("opened.title", {"code": "Code of Practice, transparency",
                                    "round": "Draft 2, revised"})
    hints = {"code": "Code of Practice, transparency", "round": "Draft 2, revised"}
    with app.app_context():
        assert recognise("window_opened", "title", english(said), hints) == said
        # renamed since: still recognised, split at the first comma
        assert recognise("window_opened", "title", english(said), {"round": "Draft 3"}) \
            is not None


def test_every_message_id_is_known_and_an_unknown_one_is_refused() -> None:
    assert all(key.split(".")[0] in KINDS for key in MESSAGES)
    with pytest.raises(ValueError):
        Notice("carried.nonsense")


def test_mail_goes_out_in_each_recipients_language(
    why: Any, create_user: Any, smtp: list[str]
) -> None:
    chair = create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    french, english_reader = why.undecided.author, why.refused.author
    assert french.id != english_reader.id
    accounts.remember_language(french, "fr")
    decide_proposal(why.undecided, "not_taken_up", "Pas cette fois.", actor=chair)
    decide_proposal(why.refused, "not_taken_up", "Not this time.", actor=chair)
    round_ = why.story.rounds[3]
    for user in (french, english_reader):
        services.notify([user], services.News(
            kind="window_closing", key="closing:test", url="/codes/demo", round=round_,
            title=Notice("closing.title", {"code": "Demo", "round": "Draft 4"}),
            body=Notice("closing.body",
                         {"closes": dt.datetime(2026, 12, 19, 12, 0, tzinfo=dt.UTC)})))
    db.session.commit()
    assert deliver(MORNING) == 2
    mails = {email.message_from_string(m)["To"]: m for m in smtp}
    fr, en = text(mails[french.email]), text(mails[english_reader.email])
    assert subject(mails[french.email]) == f"Plenary{NNBSP}: 2 nouvelles notifications"
    assert "La période de consultation se clôt le 19 décembre 2026, 12:00 UTC." in fr
    assert f"{NNBSP}: non retenue" in fr and "Pas cette fois." in fr
    assert f"Toutes vos notifications{NNBSP}: " in fr and "The chairs" not in fr
    assert subject(mails[english_reader.email]) == "Plenary: 2 new notifications"
    assert "The consultation closes on 19 December 2026, 12:00 UTC." in en
    assert "All your notifications: " in en and "présidence" not in en


def test_the_feed_is_in_its_owners_language(pia: Any, client: Any, auth: Any) -> None:
    secret = services.new_feed_token(pia)
    accounts.remember_language(pia, "fr")
    db.session.commit()
    body = client.get(f"/notifications/feed/{secret}.atom").get_data(as_text=True)
    assert 'xml:lang="fr"' in body and f"Plenary{NNBSP}: notifications de Pia" in body
    assert "La présidence a statué" in body and "Vous pouvez commenter jusqu’au" in body


def test_an_account_remembers_the_language_it_chose(
    create_user: Any, client: Any, auth: Any
) -> None:
    user = create_user("lang@example.org")
    client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    token = auth.csrf_token()
    client.post("/login", data={"email": user.email, "password": "correct horse battery staple",
                                "csrf_token": token},
                headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    db.session.refresh(user)
    assert user.locale == "fr"  # the browser's, at the first login
    token = auth.csrf_token("/")
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": token})
    db.session.refresh(user)
    assert user.locale == "en"  # the switcher's
    auth.logout()
    client.delete_cookie("plenary_lang")
    auth.login(user.email)  # a French browser without the switcher's cookie: kept
    db.session.refresh(user)
    assert user.locale == "en"
    assert privacy.export_data(user)["account"]["language"] == "en"


def test_an_invitation_is_mailed_in_the_invited_accounts_language(
    create_user: Any, smtp: list[str]
) -> None:
    invited = create_user("new@example.org", password=None)
    accounts.remember_language(invited, "fr")
    accounts.invite(invited, actor=None)
    mail = text(smtp[-1])
    assert subject(smtp[-1]) == "Votre compte Plenary" and "Définissez votre mot de passe" in mail
    other = create_user("other@example.org", password=None)
    accounts.invite(other, actor=None)  # no language yet, from the command line: English
    assert "Set your password here" in text(smtp[-1])

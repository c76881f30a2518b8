"""The migration that keeps notifications' messages and accounts' languages: notices stored
before it keep their English text (and are shown in the reader's language by recognising it),
and its downgrade gives the earlier schema back with the notices as they were."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from app import create_app
from app.accounts.models import User
from app.config import config_for_tests
from app.core.db import db, utcnow
from app.notifications.models import Notification

BEFORE = "5b2d8e4f6a17"
TITLE = ("The chairs decided on your proposed wording for Measure 1.2: not taken up")


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_earlier_notices_survive_the_migration_both_ways(fresh_database_url: str) -> None:
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        # Plain inserts of the columns the tables had then (the ORM would name the new ones).
        user_id = db.session.execute(db.insert(User.__table__).values(
            email="old@example.org", name="Old Timer", created_at=utcnow())
            .returning(User.__table__.c.id)).scalar_one()
        db.session.execute(db.insert(Notification.__table__).values(
            user_id=user_id, kind="proposal_decided", key="decided:1", title=TITLE,
            body="Not this time.", created_at=utcnow()))
        db.session.commit()
        db.session.remove()

        upgrade()
        assert {"message"} <= columns("notifications") and {"locale"} <= columns("users")
        note = db.session.scalar(select(Notification))
        user = db.session.get(User, user_id)
        assert note.message is None and note.title == TITLE and user.locale is None
        with force_locale("fr"):
            assert note.shown_title.endswith(": non retenue")
            assert note.shown_body == "Not this time."
        note.message = {"title": {"id": "decided.title", "params": {}}}
        user.locale = "fr"
        db.session.commit()
        db.session.remove()

        downgrade(revision=BEFORE)
        assert "message" not in columns("notifications") and "locale" not in columns("users")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT title, body FROM notifications")).one() == (
                TITLE, "Not this time.")
            assert connection.execute(text("SELECT email FROM users")).scalar_one() == (
                "old@example.org")
        upgrade()
        db.engine.dispose()


def test_a_message_that_cannot_be_written_falls_back_to_the_stored_text(app: Any) -> None:
    note = Notification(kind="proposal_decided", title=TITLE, body="",
                        message={"title": {"id": "decided.title", "params": {}}})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert note.shown_title == TITLE  # its values are missing
        note.message = {"title": {"id": "no.such.message", "params": {}}}
        assert note.shown_title == TITLE

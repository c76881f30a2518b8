import pytest
from sqlalchemy import text

from app.core.db import db


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")


def test_sqlite_runs_with_wal_foreign_keys_full_sync_and_busy_timeout(app, sqlite_only):
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") >= 5000


def test_sqlite_write_transactions_take_the_write_lock_at_begin(app, sqlite_only, tmp_path):
    """A second writer cannot even begin while the first holds BEGIN IMMEDIATE."""
    import sqlite3

    with app.app_context(), db.engine.connect() as connection:
        connection.begin()
        path = db.engine.url.database
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_foreign_keys_are_enforced(database):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(
                text(
                    "INSERT INTO memberships (user_id, group_id, role) "
                    "VALUES (999999, 999999, 'member')"
                )
            )


def test_a_read_only_request_does_not_leave_later_work_in_the_thread_deferred(app, client):
    from app.core.db import sqlite_write_intent

    client.get("/")
    assert sqlite_write_intent.get() is True


def test_a_bulk_write_that_breaks_a_unique_key_raises_sqlalchemys_integrity_error(
        app, create_user):  # fmt: skip
    """COPY on PostgreSQL, executemany on SQLite: a clash reaches the caller as the same
    IntegrityError, which the bulk import turns into a row-by-row retry."""
    from sqlalchemy.exc import IntegrityError

    from app.accounts.models import User
    from app.core.db import insert_rows, utcnow

    taken = create_user("taken@example.org")
    row = {"email": taken.email, "name": "Copy", "organisation": None, "category": "other",
           "role": "participant", "password_hash": None, "session_version": 1, "active": True,
           "locale": None, "created_at": utcnow(), "deleted_at": None}
    with app.app_context():
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                insert_rows(User.__table__, [row])
        db.session.rollback()

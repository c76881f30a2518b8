"""The database: declarative base, engine tuning and small column types."""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from flask import Flask, current_app, has_app_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Whether the next SQLite transaction should take the write lock at once (BEGIN IMMEDIATE).
# Requests that only read (GET/HEAD) set it to False; everything else writes safely by default.
sqlite_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sqlite_write_intent", default=True
)


SQLITE_BUSY_MS = 10000


def configure_sqlite(engine: Engine, busy_ms: int | None = None) -> None:
    """WAL, foreign keys, a busy timeout, full sync, and write transactions begun IMMEDIATE.

    pysqlite's own transaction handling is switched off so that we can emit BEGIN ourselves:
    a deferred read-then-write transaction fails with "database is locked" under concurrency.
    The busy timeout (how long a writer waits for the lock before the request answers 503) is
    `busy_ms`, else the app's PLENARY_SQLITE_BUSY_MS, else 10 s.
    """
    if busy_ms is None and has_app_context():
        busy_ms = current_app.config.get("PLENARY_SQLITE_BUSY_MS")
    busy = int(busy_ms if busy_ms is not None else SQLITE_BUSY_MS)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = "IMMEDIATE" if sqlite_write_intent.get() else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_database(app: Flask) -> None:
    """Bind the database to `app`, tune SQLite, and decide each request's write intent before
    its first query: GET, HEAD and OPTIONS read (BEGIN DEFERRED), everything else writes."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    @app.before_request
    def _read_only_requests_read_deferred() -> None:
        sqlite_write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _later_work_writes_immediate_again(_error: BaseException | None) -> None:
        # The flag lives in the thread's context, not the request's: left False after a GET,
        # a task, a CLI command or the next test in this thread would begin DEFERRED.
        sqlite_write_intent.set(True)

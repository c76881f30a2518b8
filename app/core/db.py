"""The database: declarative base, engine tuning and small column types."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import os
import sqlite3
from typing import Any

from flask import Flask, current_app, has_app_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, MetaData, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, IntegrityError
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


class MissingDatabase(sqlite3.OperationalError):
    """The SQLite file is not there, and only `plenary db upgrade` (or the demo) creates one."""


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def guard_sqlite_file(engine: Engine, may_create: bool) -> None:
    """A missing database file is an outage, not an invitation to start an empty database.

    Unless `may_create`, connecting to a SQLite file that does not exist fails (and the request
    answers 503) instead of creating an empty file. Each pooled connection remembers which file
    it opened: when the file is gone or replaced (restored from a backup, say), the connection
    is dropped at checkout and a new one opens whatever is there now, so the service recovers
    as soon as the file is back.
    """
    path = engine.url.database or ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return

    @event.listens_for(engine, "do_connect")
    def _refuse_missing(_dialect: Any, _record: Any, _args: Any, _params: Any) -> None:
        if not may_create and not os.path.exists(path):
            raise MissingDatabase(
                f"the database file {path} is missing; create it with `plenary db upgrade`"
            )

    @event.listens_for(engine, "connect")
    def _remember_file(_connection: Any, record: Any) -> None:
        record.info["sqlite_file"] = _file_identity(path)

    @event.listens_for(engine, "checkout")
    def _same_file(_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("sqlite_file") != _file_identity(path):
            raise DisconnectionError("the SQLite file was removed or replaced")


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
            guard_sqlite_file(db.engine, bool(app.config.get("SQLITE_MAY_CREATE")))

    @app.before_request
    def _read_only_requests_read_deferred() -> None:
        sqlite_write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _later_work_writes_immediate_again(_error: BaseException | None) -> None:
        # The flag lives in the thread's context, not the request's: left False after a GET,
        # a task, a CLI command or the next test in this thread would begin DEFERRED.
        sqlite_write_intent.set(True)


_heads: dict[str, str | None] = {}


def schema_state() -> tuple[bool, str]:
    """(healthy, description) of the database's schema against the newest migration: the
    revision when it is current; "missing", "unversioned" or "behind: <revision>" otherwise.
    Raises OperationalError when the database cannot be reached at all."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text

    directory = current_app.extensions["migrate"].directory
    if directory not in _heads:
        _heads[directory] = ScriptDirectory(directory).get_current_head()
    head = _heads[directory]
    tables = set(inspect(db.session.connection()).get_table_names())
    if "alembic_version" not in tables:
        return False, "unversioned" if tables else "missing"
    version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version != head:
        return False, f"behind: {version}"
    return True, str(version)


def insert_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    """Write many complete rows (every column they need, defaults included) into `table` in
    the session's transaction: COPY on PostgreSQL (a statement per row is most of a bulk
    import's time there), one executemany INSERT elsewhere. No ids come back. Flushes the
    session first, so the rows may refer to what it holds."""
    if not rows:
        return
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    try:
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([json.dumps(row[n]) if n in as_json and row[n] is not None
                                    else row[n] for n in columns])
    except connection.dialect.dbapi.IntegrityError as error:  # as SQLAlchemy raises it elsewhere
        raise IntegrityError(statement, None, error) from error


def one_of(column: Any, values: list[Any]) -> Any:
    """`column IN values` as one bound parameter on PostgreSQL (`= ANY(array)`): a bulk
    import's batches ask for 500 ids at a time, and 500 parameters cost more to build and send
    than the query takes to run. A plain IN elsewhere."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)

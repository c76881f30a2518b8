"""Shared fixtures: one schema per run, one rolled-back transaction per test (flaskr style).

The database is SQLite in a temporary folder by default; set PLENARY_TEST_DATABASE_URL to run
the same suite on PostgreSQL (CI does both).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import User, WorkingGroup
from app.config import config_for_tests
from app.core.db import db

pytest_plugins = ["tests.browser.fixtures"]

PASSWORD = "correct horse battery staple"


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PLENARY_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(tmp_path_factory)


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the suite's (a file on SQLite, a database of its
    own on PostgreSQL, dropped afterwards): for migrations and processes of their own."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"plenary_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def stamp_head() -> None:
    """Mark a schema made by create_all as the newest migration's (tests/core/test_migrations
    proves the two are the same), so that /healthz sees a current schema."""
    from sqlalchemy import text

    from app.core.db import schema_state

    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    from flask_migrate import stamp

    stamp()
    assert schema_state()[0]


class IsolatedClient(FlaskClient):
    """A test client whose requests do not see the `g` of the test's own app context.

    Requests reuse the app context the test holds (Flask does so for the same app), so without
    this Flask-Login's cached user of one request would leak into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            g.__dict__.clear()
        response = super().open(*args, **kwargs)
        if has_app_context():
            g.__dict__.clear()
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ.setdefault("PLENARY_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = create_app(config_for_tests(database_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        db.create_all()
        stamp_head()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def database(app: Flask) -> Iterator[Any]:
    """The test's database session, inside a transaction rolled back after the test.

    Flask-SQLAlchemy picks its bind from `db.engines`, so the test's connection stands in for
    the engine there; sessions join it with savepoints, so a route's commit stays inside.
    """
    from app.core.extensions import limiter

    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        original = db.session
        db.session = db._make_scoped_session(  # type: ignore[method-assign]
            {"join_transaction_mode": "create_savepoint"}
        )
        limiter.reset()
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original  # type: ignore[method-assign]
            engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, database: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, database: Any) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def create_group(database: Any):  # type: ignore[no-untyped-def]
    def make(slug: str = "wg1", name: str | None = None) -> WorkingGroup:
        existing = db.session.query(WorkingGroup).filter_by(slug=slug).one_or_none()
        if existing:
            return existing
        group = accounts.create_group(slug, name or f"Working group {slug}")
        db.session.commit()
        return group

    return make


@pytest.fixture
def create_user(database: Any, create_group: Any):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, *, name: str = "Alex Example", role: str = "participant",
             category: str = "civil_society", organisation: str | None = "Example NGO",
             groups: list[tuple[str, str]] | None = None,
             password: str | None = PASSWORD) -> User:
        for slug, _ in groups or []:
            create_group(slug)
        user = accounts.create_user(
            email or f"person{next(counter)}@example.org", name, organisation=organisation,
            category=category, role=role, groups=groups, password=password)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def csrf_token(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        return match.group(1) if match else ""

    def login(self, email: str, password: str = PASSWORD, remember: bool = False) -> Any:
        data = {"email": email, "password": password, "csrf_token": self.csrf_token()}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self) -> Any:
        return self.client.post("/logout", data={"csrf_token": self.csrf_token("/")})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose service is absent only when told to (CI runs everything)."""
    if os.environ.get("PLENARY_SKIP_BROWSER"):
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="PLENARY_SKIP_BROWSER is set"))


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def create_round(database: Any, create_group: Any):  # type: ignore[no-untyped-def]
    """A round of a code (the code is created on first use) with a visibility and window.

    window: "open" (opened yesterday, closes in a week), "closed" (closed yesterday),
    "upcoming" or None (no consultation).
    """
    import datetime as dt

    from app.drafting.models import Code, Round

    def make(number: int = 1, *, code: str = "demo-code", visibility: str = "public",
             window: str | None = "open", final: bool = False, name: str | None = None) -> Round:
        code_row = db.session.query(Code).filter_by(slug=code).one_or_none()
        if code_row is None:
            code_row = Code(slug=code, title=f"Code {code}")
            db.session.add(code_row)
        now = dt.datetime.now(dt.UTC)
        opens = closes = None
        if window == "open":
            opens, closes = now - dt.timedelta(days=1), now + dt.timedelta(days=7)
        elif window == "closed":
            opens, closes = now - dt.timedelta(days=10), now - dt.timedelta(days=1)
        elif window == "upcoming":
            opens, closes = now + dt.timedelta(days=1), now + dt.timedelta(days=10)
        round_ = Round(code=code_row, number=number, name=name or f"Draft {number}",
                       visibility=visibility, opens_at=opens, closes_at=closes, final=final,
                       levels=["chapter", "measure"])
        db.session.add(round_)
        db.session.commit()
        return round_

    return make


@pytest.fixture
def create_provision(database: Any, create_group: Any):  # type: ignore[no-untyped-def]
    """A provision of a round; `group` is a working-group slug (created if needed)."""
    from app.drafting.markdown import plain_text, render_markdown
    from app.drafting.models import Provision

    def make(round_: Any, key: str, *, label: str | None = None, title: str = "A provision",
             body: str = "Signatories shall keep documentation up to date.",
             kind: str = "measure", parent: Any = None, group: str | None = "wg1",
             position: int | None = None) -> Provision:
        html = render_markdown(body)
        provision = Provision(
            round=round_, key=key, kind=kind, depth=2 if parent is not None else 1,
            position=position if position is not None else len(round_.provisions),
            label=label, number=label.split()[-1] if label else None, title=title, body=body,
            body_html=html, text=plain_text(html), search_text=f"{title} {body}".lower(),
            parent=parent, group=create_group(group) if group else None)
        db.session.add(provision)
        db.session.commit()
        return provision

    return make


@pytest.fixture
def create_comment(database: Any):  # type: ignore[no-untyped-def]
    """A comment on a provision, stored without going through the feedback services."""
    from app.feedback.models import Comment

    def make(
        provision: Any, author: Any, body: str = "Please clarify this measure.", **fields: Any
    ) -> Comment:
        comment = Comment(
            round=provision.round,
            provision=provision,
            author=author,
            body=body,
            stance=fields.pop("stance", "question"),
            **fields,
        )
        db.session.add(comment)
        db.session.commit()
        return comment

    return make

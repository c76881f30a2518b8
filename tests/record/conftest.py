"""Fixtures of the record tests: an open round with a provision, an author with a token, and
helpers to read the log back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.db import db
from app.record.models import LogEntry

ROOT = Path(__file__).resolve().parents[2]
TEXT = (
    "Signatories shall keep the technical documentation of each model up to date and "
    "shall make it available to the AI Office on request within fourteen days."
)
URL = "/api/v1/codes/demo-code/rounds/1/provisions/m-1-1/comments"
SECRET_BODY = "Our confidential red-team finding: model X leaks training data via prompt Z."


@pytest.fixture
def open_round(create_round: Any) -> Any:
    return create_round(1, window="open")


@pytest.fixture
def provision(open_round: Any, create_provision: Any) -> Any:
    return create_provision(open_round, "m-1-1", label="Measure 1.1", title="Documentation",
                            body=TEXT, group="wg1")  # fmt: skip


@pytest.fixture
def author(create_user: Any) -> Any:
    return create_user("author@example.org", name="Ada Author")


def token_for(user: Any) -> str:
    _, secret = accounts.create_token(user, "tests")
    db.session.commit()
    return secret


@pytest.fixture
def headers(author: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(author)}"}


def post(client: Any, headers: dict[str, str], url: str = URL, **payload: Any) -> Any:
    payload.setdefault("stance", "amend")
    payload.setdefault("body", "Fourteen days is too short.")
    return client.post(url, json=payload, headers=headers)


def entries(kind: str | None = None) -> list[LogEntry]:
    query = select(LogEntry).order_by(LogEntry.leaf_index)
    if kind is not None:
        query = query.where(LogEntry.kind == kind)
    return list(db.session.scalars(query))


def leaf(entry: LogEntry) -> dict[str, Any]:
    return json.loads(entry.leaf)

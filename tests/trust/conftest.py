"""Fixtures of the trust tests: comments written straight to the database, a secretariat."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.db import db


@pytest.fixture
def create_comment(database: Any):  # type: ignore[no-untyped-def]
    """A comment on a provision, stored without going through the feedback services."""
    from app.feedback.models import Comment

    def make(provision: Any, author: Any, body: str = "Please clarify this measure.",
             **fields: Any) -> Comment:
        comment = Comment(round=provision.round, provision=provision, author=author, body=body,
                          stance=fields.pop("stance", "question"), **fields)
        db.session.add(comment)
        db.session.commit()
        return comment

    return make

"""Fixtures of the feedback tests: an open round with a provision whose text is known."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.db import db

TEXT = (
    "Signatories shall keep the technical documentation of each model up to date and "
    "shall make it available to the AI Office on request within fourteen days."
)


@pytest.fixture
def open_round(create_round: Any) -> Any:
    return create_round(1, window="open")


@pytest.fixture
def provision(open_round: Any, create_provision: Any) -> Any:
    return create_provision(
        open_round, "m-1-1", label="Measure 1.1", title="Documentation", body=TEXT, group="wg1"
    )


@pytest.fixture
def participant(create_user: Any) -> Any:
    return create_user("pat@example.org", name="Pat Participant", organisation="Open Data NGO")


@pytest.fixture
def other(create_user: Any) -> Any:
    return create_user(
        "olive@example.org",
        name="Olive Other",
        organisation="Model Maker Ltd",
        category="gpai_provider",
    )


@pytest.fixture
def chair(create_user: Any) -> Any:
    return create_user("chair@example.org", name="Chris Chair", groups=[("wg1", "chair")])


@pytest.fixture
def secretariat(create_user: Any) -> Any:
    return create_user(
        "sec@example.org", name="Sam Secretariat", role="secretariat", organisation="AI Office"
    )


@pytest.fixture
def comment_on(database: Any) -> Any:
    """Submit a comment through the service and commit it."""
    from app.feedback.services import submit_comment

    def make(provision: Any, author: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("stance", "amend")
        kwargs.setdefault("body", "Fourteen days is too short for a large model.")
        comment = submit_comment(provision, author, **kwargs)
        db.session.commit()
        return comment

    return make

"""Fixtures of the search tests: a code with a round of each visibility and a comment in each
state, and a helper that indexes provisions made by the factories (the importer does that by
itself, through the round_imported hook)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.core.db import db

VISIBILITIES = ("public", "plenary", "internal")
STATES = ("published", "private", "hidden", "withdrawn")
ROLES = ("public", "participant", "author", "chair", "other_chair", "secretariat")


def token(state: str, visibility: str) -> str:
    """The word only the comment in this state in this round contains."""
    return f"mark{state}{visibility}"


def may_see(role: str, state: str, visibility: str) -> bool:
    """The rules, stated again independently of the app: the round first, then the comment."""
    sees_round = {
        "public": True,
        "plenary": role != "public",
        "internal": role in ("chair", "other_chair", "secretariat"),
    }[visibility]
    if not sees_round:
        return False
    if state == "withdrawn":  # shown to nobody but its author, as the withdrawal promises
        return role == "author"
    return role in ("secretariat", "author", "chair") or state == "published"


@pytest.fixture
def index_provisions(database: Any):  # type: ignore[no-untyped-def]
    from app.search.index import index_round

    def index(*rounds: Any) -> None:
        for round_ in rounds:
            index_round(round_)
        db.session.commit()

    return index


@pytest.fixture
def search_world(create_user: Any, create_round: Any, create_provision: Any,
                 index_provisions: Any) -> SimpleNamespace:  # fmt: skip
    """search-code: round 1 public, 2 plenary, 3 internal, each open, with provision m-1 of wg1
    ("kiwi records") and, on it, the author's comments published, private (no consent),
    hidden and withdrawn, each saying "kiwi" and its own token."""
    from app.feedback import services as feedback

    users = {
        "participant": create_user("participant@example.org", password=None),
        "author": create_user("author@example.org", password=None),
        "chair": create_user("chair@example.org", groups=[("wg1", "chair")], password=None),
        "other_chair": create_user("other.chair@example.org", groups=[("wg2", "chair")],
                                   password=None),
        "secretariat": create_user("sec@example.org", role="secretariat", password=None),
    }
    rounds, comments = {}, {}
    for number, visibility in enumerate(VISIBILITIES, start=1):
        round_ = create_round(number, code="search-code", visibility=visibility,
                              name=f"Draft {visibility}")  # fmt: skip
        provision = create_provision(round_, "m-1", label="Measure 1", title="Records",
                                     body="Signatories shall keep kiwi records.", group="wg1")
        index_provisions(round_)
        rounds[visibility] = round_
        for state in STATES:
            comment = feedback.submit_comment(
                provision, users["author"], stance="amend", body=f"kiwi {token(state, visibility)}",
                publish_consent=state != "private", bulk=True)  # fmt: skip
            if state == "hidden":
                feedback.hide_comment(comment, "Off topic.", users["secretariat"])
            elif state == "withdrawn":
                feedback.withdraw_comment(comment)
            comments[(state, visibility)] = comment
    db.session.commit()
    return SimpleNamespace(users=users, rounds=rounds, comments=comments)


@pytest.fixture
def as_role(search_world: SimpleNamespace):  # type: ignore[no-untyped-def]
    """The user object of a role (None for the public)."""
    return lambda role: search_world.users.get(role)

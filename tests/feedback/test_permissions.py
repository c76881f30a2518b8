"""Who sees, writes and changes comments: a table of reader x comment state."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login import AnonymousUserMixin

from app.core.db import db
from app.feedback.permissions import (
    can_comment,
    can_edit_comment,
    can_export,
    can_view_comment,
)

READERS = ("author", "chair", "vice_chair", "other_chair", "secretariat", "other", "public")
STATES = {
    # state: readers who may see it
    "private": {"author", "chair", "vice_chair", "secretariat"},
    "published": set(READERS),
    "published_hidden": {"author", "chair", "vice_chair", "secretariat"},
    # Withdrawn: shown to nobody but its author, as the withdrawal page promises.
    "published_withdrawn": {"author"},
    "private_withdrawn": {"author"},
}


@pytest.fixture
def readers(create_user, participant):
    return {
        "author": participant,
        "chair": create_user(groups=[("wg1", "chair")]),
        "vice_chair": create_user(groups=[("wg1", "vice_chair")]),
        "other_chair": create_user(groups=[("wg2", "chair")]),
        "secretariat": create_user(role="secretariat"),
        "other": create_user(),
        "public": AnonymousUserMixin(),
    }


@pytest.mark.parametrize("state", sorted(STATES))
def test_who_may_see_a_comment(provision, participant, readers, comment_on, state):
    comment = comment_on(provision, participant, publish_consent=state.startswith("published"))
    if state.endswith("hidden"):
        comment.hidden_at = dt.datetime.now(dt.UTC)
    if state.endswith("withdrawn"):
        comment.status = "withdrawn"
    db.session.flush()
    seen = {name for name, user in readers.items() if can_view_comment(user, comment)}
    assert seen == STATES[state]


def test_a_published_comment_of_a_plenary_round_is_not_shown_to_the_public(
    create_round, create_provision, participant, comment_on
):
    item = create_provision(create_round(2, visibility="plenary"), "m-1")
    comment = comment_on(item, participant, publish_consent=True)
    assert not can_view_comment(AnonymousUserMixin(), comment)
    assert can_view_comment(participant, comment)


def test_only_signed_in_readers_comment_and_only_while_open(create_round, participant):
    open_round, closed = create_round(1), create_round(2, window="closed")
    assert can_comment(participant, open_round)
    assert not can_comment(AnonymousUserMixin(), open_round)
    assert not can_comment(participant, closed)


def test_only_the_author_edits_and_only_while_open(provision, participant, other, comment_on):
    comment = comment_on(provision, participant)
    assert can_edit_comment(participant, comment)
    assert not can_edit_comment(other, comment)
    assert not can_edit_comment(participant, comment, provision.round.closes_at)


def test_exports_are_for_the_groups_chairs_and_the_secretariat(readers, provision):
    group_id = provision.group_id
    allowed = {name for name, user in readers.items() if can_export(user, group_id)}
    assert allowed == {"chair", "vice_chair", "secretariat"}
    assert {n for n, u in readers.items() if can_export(u, None)} == {"secretariat"}

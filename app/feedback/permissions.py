"""Who may see, write and manage comments (pure functions, shared by pages and the API).

Decision (docs/feedback.md): every signed-in participant who can see a round may comment on
any provision of it, whatever its working group, as in the real plenary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.accounts.permissions import account, can_chair, is_secretariat
from app.drafting.models import Round
from app.drafting.permissions import can_view_round


def is_author(user: Any, comment: Any) -> bool:
    acct = account(user)
    return acct is not None and acct.id == comment.author_id


def can_moderate(user: Any) -> bool:
    """Hiding and showing comments, bulk imports: the secretariat."""
    return is_secretariat(user)


def can_read_all(user: Any, comment: Any) -> bool:
    """Chairs and vice-chairs of the provision's group and the secretariat see every comment."""
    return can_chair(user, comment.provision.group_id)


def is_published(comment: Any) -> bool:
    """Visible to everyone who can see the round: consented, not hidden, not withdrawn."""
    return (
        bool(comment.publish_consent)
        and comment.hidden_at is None
        and comment.status != "withdrawn"
    )


def can_view_comment(user: Any, comment: Any) -> bool:
    """The author; the group's chairs and vice-chairs and the secretariat, unless the author
    withdrew it (shown to nobody else, as the withdrawal promises); others only if published.

    "Others" (other participants and the public) must also be able to see the round.
    """
    if is_author(user, comment):
        return True
    if comment.status == "withdrawn":
        return False
    return can_read_all(user, comment) or (
        is_published(comment) and can_view_round(user, comment.round))


def can_comment(user: Any, round_: Round, now: dt.datetime | None = None) -> bool:
    """A signed-in account that sees the round, while its consultation window is open."""
    return account(user) is not None and can_view_round(user, round_) and round_.is_open(now)


def can_edit_comment(user: Any, comment: Any, now: dt.datetime | None = None) -> bool:
    """Its author, while the comment stands, the round's window is open and the author may
    still see the round (a round made internal again is closed to its commenters)."""
    return (
        is_author(user, comment)
        and comment.status != "withdrawn"
        and comment.round.is_open(now)
        and can_view_round(user, comment.round)
    )


def can_export(user: Any, group_id: int | None) -> bool:
    """A group's comments: its chairs and the secretariat; a whole round: the secretariat."""
    if group_id is None:
        return is_secretariat(user)
    return can_chair(user, group_id)


def can_decide(user: Any, comment: Any) -> bool:
    """Deciding on a proposed wording: the chairs and vice-chairs of the provision's working
    group, and the secretariat (docs/feedback.md, "Decisions")."""
    return can_chair(user, comment.provision.group_id)

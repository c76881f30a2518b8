"""Who may work on syntheses and who sees the public register (pure functions)."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import account, can_chair, is_secretariat
from app.drafting.models import Round
from app.drafting.permissions import can_view_round
from app.feedback.accountability import settled


def can_use_workspace(user: Any) -> bool:
    """The chair workspace exists for the secretariat and for chairs and vice-chairs."""
    acct = account(user)
    return acct is not None and (acct.is_secretariat or bool(acct.chaired_group_ids))


def can_synthesise_scope(user: Any, round_: Round, group_id: int | None, whole: bool) -> bool:
    """A group's chairs work on that group's scopes (a group, or a provision of it); the whole
    round is the secretariat's. The round must be visible to them."""
    if not can_view_round(user, round_):
        return False
    if whole:
        return is_secretariat(user)
    return can_chair(user, group_id)


def can_view_register(user: Any, round_: Round) -> bool:
    """The register is public once the round's window has closed (or for a round that never
    had one), to whoever sees the round."""
    return can_view_round(user, round_) and settled(round_)

"""Who an account is, as permission checks see it (pure functions, no request)."""

from __future__ import annotations

from typing import Any

from app.accounts.models import User


def account(user: Any) -> User | None:
    """The signed-in account, or None for the public (anonymous or missing user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    return user  # type: ignore[no-any-return]


def is_secretariat(user: Any) -> bool:
    acct = account(user)
    return acct is not None and acct.is_secretariat


def is_chair_anywhere(user: Any) -> bool:
    acct = account(user)
    return acct is not None and bool(acct.chaired_group_ids)


def can_chair(user: Any, group_id: int | None) -> bool:
    """Chairs and vice-chairs act for their own group; the secretariat for every group."""
    acct = account(user)
    if acct is None:
        return False
    return acct.is_secretariat or (group_id is not None and acct.chairs(group_id))


def can_manage_platform(user: Any) -> bool:
    return is_secretariat(user)

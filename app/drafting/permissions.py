"""Who may see and manage rounds (pure functions, shared by pages and the API)."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import account, is_chair_anywhere, is_secretariat
from app.drafting.models import Round


def can_view_round(user: Any, round_: Round) -> bool:
    """internal: secretariat and chairs; plenary: every signed-in account; public: everyone."""
    if round_.visibility == "public":
        return True
    if round_.visibility == "plenary":
        return account(user) is not None
    return is_secretariat(user) or is_chair_anywhere(user)


def can_manage_rounds(user: Any) -> bool:
    return is_secretariat(user)

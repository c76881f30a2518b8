"""What feedback does when drafting announces something (see app/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from app.core import hooks
from app.core.db import db
from app.drafting.models import Round
from app.feedback.carry import carry_forward
from app.feedback.models import Comment


def _carry(previous: Round | None, current: Round, **_: Any) -> None:
    """Comments of `previous` follow the (new or corrected) lineage into `current`."""
    if previous is not None:
        carry_forward(previous, current)


def _has_feedback(round: Round, **_: Any) -> str | None:  # noqa: A002  (the hook's keyword)
    if db.session.scalar(select(exists().where(Comment.round_id == round.id))):
        return "already has feedback"
    return None


def connect() -> None:
    hooks.round_imported.connect(_carry)
    hooks.lineage_changed.connect(_carry)
    hooks.round_replace_refusal.connect(_has_feedback)

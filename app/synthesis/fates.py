"""The answered theme of each comment, for its author's "My feedback" (a COMMENT_FATES
provider): the theme it is part of in the newest finished synthesis of each scope of its round,
and the chairs' published answer to that theme (or to the theme it was merged into). Only
published answers are shown, and only where the reader may see the round's register: a
theme's working title is the chairs' draft until they answer it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.core.panels import COMMENT_FATES
from app.feedback.models import Comment
from app.synthesis.models import SynthesisRun, Theme, ThemeIdentity, ThemeMember
from app.synthesis.permissions import can_view_register


@dataclass(frozen=True)
class ThemeFate:
    title: str
    outcome: str
    outcome_name: str
    answer: str
    url: str


def _latest_runs(round_ids: set[int]) -> list[int]:
    """The newest finished run of every scope of these rounds (one GROUP BY)."""
    return list(db.session.scalars(
        select(func.max(SynthesisRun.id))
        .where(SynthesisRun.round_id.in_(round_ids), SynthesisRun.status == "done")
        .group_by(SynthesisRun.round_id, SynthesisRun.scope_key)))


def answered_themes_of(comments: Sequence[Comment], user: Any) -> dict[int, ThemeFate]:
    """Comment id -> the published answer to its theme, for the comments whose round's
    register `user` may see (four queries however many comments; a chain of merges longer
    than one costs one more per link)."""
    shown = [c for c in comments if can_view_register(user, c.round)]
    if not shown:
        return {}
    runs = _latest_runs({c.round_id for c in shown})
    if not runs:
        return {}
    rows = db.session.execute(
        select(ThemeMember.comment_id, ThemeIdentity)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .join(ThemeIdentity, ThemeIdentity.id == Theme.identity_id)
        .where(ThemeMember.run_id.in_(runs),
               ThemeMember.comment_id.in_([c.id for c in shown]))
        .order_by(ThemeMember.run_id.desc())
        .options(selectinload(ThemeIdentity.response),
                 selectinload(ThemeIdentity.merged_into).selectinload(ThemeIdentity.response)))
    by_id = {c.id: c for c in shown}
    fates: dict[int, ThemeFate] = {}
    for comment_id, identity in rows:
        if comment_id in fates:
            continue
        for answered in (identity, identity.root()):
            response = answered.response
            if response is not None and response.published:
                fates[comment_id] = ThemeFate(
                    title=answered.title or f"Theme {answered.id}",
                    outcome=response.outcome, outcome_name=response.outcome_name,
                    answer=response.reason,
                    url=f"{_register_path(by_id[comment_id])}#theme-{answered.id}")
                break
    return fates


def _register_path(comment: Comment) -> str:
    return f"/codes/{comment.round.code.slug}/rounds/{comment.round.number}/register"


COMMENT_FATES.append(answered_themes_of)

"""What search does when drafting and feedback announce something (see app/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from app.core import hooks
from app.drafting.models import Round
from app.feedback.models import Comment
from app.search.index import index_comment, index_comments, index_round


def _round_imported(current: Round, **_: Any) -> None:
    """A round was imported or re-imported: its provisions' entries are replaced."""
    index_round(current)


def _comment_written(comment: Comment, **_: Any) -> None:
    """Submitted, edited, withdrawn, hidden or shown: the entry is (re)written from the comment
    as stored (visibility itself is read from the comment at search time)."""
    index_comment(comment)


def _comments_imported(ids: list[int], **_: Any) -> None:
    index_comments(ids)


def connect() -> None:
    hooks.round_imported.connect(_round_imported)
    hooks.comments_imported.connect(_comments_imported)
    for hook in (hooks.comment_submitted, hooks.comment_edited, hooks.comment_withdrawn,
                 hooks.comment_hidden):  # fmt: skip
        hook.connect(_comment_written)

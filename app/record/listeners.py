"""What the record does when another domain announces something (see app/core/hooks.py).

Every listener appends inside the announcer's transaction and flushes: the event and its leaf
are committed together or not at all. A listener that fails (no signing key in production, a
damaged log) fails the event with it: nothing is stored that the log does not show.
"""

from __future__ import annotations

from typing import Any

from app.core import hooks
from app.record import events


def _submitted(comment: Any, **_: Any) -> None:
    events.log_comment(comment)


def _imported(round: Any, ids: list[int], **_: Any) -> None:  # noqa: A002  (the hook's keyword)
    events.log_comments(round, ids)


def _edited(comment: Any, **_: Any) -> None:
    events.log_comment(comment, kind="comment_edited")


def _withdrawn(comment: Any, **_: Any) -> None:
    events.log_withdrawal(comment)


def _hidden(comment: Any, hidden: bool = True, **_: Any) -> None:
    events.log_hiding(comment, hidden)


def _published(round: Any, **_: Any) -> None:  # noqa: A002  (the hook's keyword)
    events.log_round_published(round)


def _answered(response: Any, **_: Any) -> None:
    events.log_answer_when_due(response)


LISTENERS = (
    (hooks.comment_submitted, _submitted),
    (hooks.comments_imported, _imported),
    (hooks.comment_edited, _edited),
    (hooks.comment_withdrawn, _withdrawn),
    (hooks.comment_hidden, _hidden),
    (hooks.round_published, _published),
    (hooks.answer_published, _answered),
)


def connect() -> None:
    from app.record import tasks  # noqa: F401  (registers the periodic window sweep)

    for hook, listener in LISTENERS:
        hook.connect(listener)


def disconnect() -> None:
    """Stop logging (the bench measures comment POSTs without the log this way)."""
    for hook, listener in LISTENERS:
        if listener in hook._listeners:
            hook._listeners.remove(listener)

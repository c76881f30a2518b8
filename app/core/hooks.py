"""Hooks: how a domain tells the domains above it that something happened, without importing them.

A lower domain *announces* (`round_imported.send(previous=..., current=...)`); the domains that
care *listen* (`@round_imported.connect`), registered from their `listeners.py` when the app is
built. Listeners run synchronously, inside the announcer's transaction: what they write is
committed, or rolled back, with the event itself. They flush, never commit.

Every hook is declared here, with what it passes, so that a reader sees in one place what can
be listened to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]


class Hook:
    """A named event with listeners, called in the order they connected (each once)."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({len(self._listeners)} listeners)>"

    def connect(self, listener: Listener) -> Listener:
        """Add `listener` (once, however often the app is built); usable as a decorator."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def send(self, **kwargs: Any) -> list[Any]:
        """Call every listener with the keyword arguments; their return values, in order."""
        return [listener(**kwargs) for listener in list(self._listeners)]

    def any(self, **kwargs: Any) -> Any:
        """The first true value a listener returns, or None (for questions such as "why may
        this round not be replaced?")."""
        for listener in list(self._listeners):
            answer = listener(**kwargs)
            if answer:
                return answer
        return None


# -- accounts -----------------------------------------------------------------------------
personal_data = Hook(
    "personal_data",
    "An account's personal data export is being assembled: each listener returns a dict of "
    "sections to add (for instance {\"comments\": [...]}), holding nothing the account may "
    "not see: user.",
)

# -- drafting ------------------------------------------------------------------------------
round_imported = Hook(
    "round_imported",
    "A round was imported (created or replaced) with its lineage from `previous` (None for a "
    "first round) stored: previous, current, actor.",
)
lineage_changed = Hook(
    "lineage_changed",
    "The stored links from round `previous` to round `current` were recomputed (a re-import of "
    "either side, or a secretariat correction): previous, current, actor.",
)
round_replace_refusal = Hook(
    "round_replace_refusal",
    "Asked before a round is overwritten by a re-import: a listener returns why it must not "
    "be, a whole sentence (a Message, for instance: it has feedback), or None: round.",
)
round_published = Hook(
    "round_published",
    "A round became visible beyond the secretariat and chairs (imported as plenary or public, "
    "or its visibility raised from internal), or a published round was replaced: round, actor.",
)

# -- feedback ------------------------------------------------------------------------------
comment_submitted = Hook(
    "comment_submitted",
    "A comment (or reply) was stored, by the page, the API or a bulk import; it has its id: "
    "comment.",
)
comments_imported = Hook(
    "comments_imported",
    "A bulk import stored a batch of comments at once (instead of one comment_submitted "
    "each); listeners handle the batch in a few statements: round, ids (in the order stored).",
)
comment_edited = Hook("comment_edited", "Its author changed a comment: comment.")
comment_withdrawn = Hook("comment_withdrawn", "Its author withdrew a comment: comment.")
comment_hidden = Hook(
    "comment_hidden",
    "The secretariat hid a comment (hidden=True) or showed it again (hidden=False): comment, "
    "hidden, actor.",
)

proposal_decided = Hook(
    "proposal_decided",
    "Chairs or the secretariat decided (or changed their decision on) a comment's proposed "
    "wording; the comment carries the new decision: comment, previous (the decision before, or "
    "None), actor.",
)

# -- synthesis -----------------------------------------------------------------------------
answer_published = Hook(
    "answer_published",
    "Chairs published (or changed) their answer to a theme: response (a ThemeResponse), actor.",
)

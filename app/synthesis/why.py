"""From each change to its reasons: what the earlier version received, and what became of it.

For every entry of a comparison (old version -> new version): the comments the old version
received and their stances, its proposals by decision, the decided proposals the reader may
see, and the published answers that concern the change. Computed per comparison in a few
queries (two GROUP BYs over comments, one over decided proposals, a handful for the answers),
never per entry. The same figures feed the compare, "what changed" and history pages, the
provision page and the diff API (`EntryFeedback.json`, CONTRACT §7).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from app.drafting.models import Provision, Round
from app.feedback.accountability import (
    Received,
    decided_proposals,
    received_in,
    sees_exact,
    sees_feedback,
    small,
)
from app.feedback.models import Comment
from app.feedback.permissions import can_read_all, can_view_comment
from app.synthesis.accountability import Answered, answers_about, cached_answered_themes

SHOWN_PROPOSALS = 5  # decided proposals listed under one entry; the rest are counted
# Rendered notes, memoised under everything they show (EntryFeedback.fingerprint), so that a
# note is rendered once per change of its figures, answers or decisions, not per request.
RENDERED_SIZE = 4096
_RENDERED: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
_RENDERED_LOCK = Lock()


@dataclass
class EntryFeedback:
    """What the earlier version of one change received, as one reader may see it."""

    round: Round
    old: Provision | None
    visible: bool
    exact: bool
    changed: bool
    received: Received = field(default_factory=Received)
    answers: list[Answered] = field(default_factory=list)
    decided: list[Comment] = field(default_factory=list)
    named: frozenset[int] = frozenset()  # decided proposals whose author may be named
    ident: str = ""  # unique on the page (ids of the charts)

    @property
    def figures(self) -> dict[str, Any]:
        return self.received.shown(self.exact)

    @property
    def hides_small(self) -> bool:
        figures = self.figures
        values = [figures["comments"], *figures["by_stance"].values(),
                  *figures["proposals"].values()]
        return any(isinstance(v, str) for v in values)

    @property
    def empty(self) -> bool:
        return not self.received.comments and not self.answers

    @property
    def taken_up(self) -> list[Answered]:
        """Answers that led to this change; none where the wording did not change (an answer
        may link a provision that in the end stayed as it was)."""
        return [a for a in self.answers if a.taken_up] if self.changed else []

    @property
    def other_answers(self) -> list[Answered]:
        return [a for a in self.answers if not a.taken_up or not self.changed]

    def size(self, answer: Answered) -> int | str:
        return small(answer.size, self.exact)

    def fingerprint(self) -> tuple[Any, ...]:
        """Everything the rendered note shows: equal fingerprints render the same HTML (the
        reader's language included: the note's words are translated)."""
        old = self.old
        figures = self.figures
        shown = self.decided[:SHOWN_PROPOSALS]
        return (
            str(get_locale()), self.ident, self.round.id, self.round.number, self.round.name,
            self.round.code.slug, (old.id, old.label, old.title) if old else None,
            self.visible, self.changed, self.hides_small, self.received.proposal_count,
            figures["comments"], tuple(figures["by_stance"].items()),
            tuple(figures["proposals"].items()),
            tuple((a.identity_id, a.title, a.outcome, a.answer, self.size(a), a.taken_up)
                  for a in self.answers),
            len(self.decided),
            tuple((c.id, c.decision, c.decision_reason, c.provision_id, c.quote_exact,
                   c.proposed_text, c.id in self.named,
                   (c.author.display_name, c.author.organisation) if c.id in self.named
                   else None) for c in shown),
        )

    def html(self) -> Markup:
        """The note as HTML (templates/macros/accountability.html `why`), memoised."""
        key = self.fingerprint()
        with _RENDERED_LOCK:
            found = _RENDERED.get(key)
            if found is not None:
                _RENDERED.move_to_end(key)
                return found
        macro = get_template_attribute("macros/accountability.html", "why")
        html = Markup(macro(self))  # noqa: S704  (an autoescaped macro)
        with _RENDERED_LOCK:
            _RENDERED[key] = html
            if len(_RENDERED) > RENDERED_SIZE:
                _RENDERED.popitem(last=False)
        return html

    def json(self) -> dict[str, Any] | None:
        """The `feedback` of a diff entry (CONTRACT §7); None while the reader may not see it."""
        if not self.visible:
            return None
        figures = self.figures
        return {
            "comments": figures["comments"],
            "by_stance": figures["by_stance"],
            "themes": [{"id": a.identity_id, "title": a.title, "outcome": a.outcome,
                        "answer": a.answer, "comments": self.size(a)} for a in self.answers],
            "proposals": figures["proposals"],
        }


def _group_of(old: Provision | None, new: Provision | None) -> int | None:
    return old.group_id if old is not None else (new.group_id if new is not None else None)


class FeedbackOf:
    """What the provisions of one round received, loaded once and read per change."""

    def __init__(self, round_: Round, user: Any, old_ids: Sequence[int]):
        self.round, self.user = round_, user
        self.received = received_in(round_)
        self.answered = cached_answered_themes(round_)
        self.by_old: dict[int, list[Answered]] = {}
        self.by_key: dict[str, list[Answered]] = {}
        for answer in self.answered:
            for provision_id in answer.about:
                self.by_old.setdefault(provision_id, []).append(answer)
            for key in answer.link_keys:
                self.by_key.setdefault(key, []).append(answer)
        self._sees: dict[int | None, tuple[bool, bool]] = {}
        decided = any(r.proposal_count > r.proposals["undecided"]
                      for pid, r in self.received.items() if pid in set(old_ids))
        self.decided = decided_proposals(round_, old_ids, user) if decided else {}

    def sees(self, group_id: int | None) -> tuple[bool, bool]:
        """(sees the figures, sees exact counts) for provisions of this group."""
        if group_id not in self._sees:
            self._sees[group_id] = (sees_feedback(self.user, self.round, group_id),
                                    sees_exact(self.user, group_id))
        return self._sees[group_id]

    def entry(self, old: Provision | None, new: Provision | None, changed: bool) -> EntryFeedback:
        visible, exact = self.sees(_group_of(old, new))
        item = EntryFeedback(self.round, old, visible, exact, changed)
        if not visible:
            return item
        if old is not None:
            item.received = self.received.get(old.id, Received())
            item.decided = [c for c in self.decided.get(old.id, [])
                            if can_view_comment(self.user, c)]
            item.named = frozenset(c.id for c in item.decided
                                   if c.publish_consent or can_read_all(self.user, c))
        candidates = {a.identity_id: a for a in [
            *(self.by_old.get(old.id, []) if old is not None else []),
            *(self.by_key.get(new.key, []) if new is not None else [])]}
        item.answers = answers_about(candidates.values(), old, new) if candidates else []
        return item


def comparison_feedback(comparison: Any, user: Any) -> dict[str, EntryFeedback]:
    """Entry anchor -> what its earlier version received (a COMPARISON_NOTES provider)."""
    entries = list(comparison.entries)
    if not entries:
        return {}
    old_ids = [e.old.id for e in entries if e.old is not None]
    source = FeedbackOf(comparison.from_round, user, old_ids)
    notes = {}
    for e in entries:
        note = source.entry(e.old, e.new, e.kind != "unchanged" and e.diff.changed)
        note.ident = e.anchor
        notes[e.anchor] = note
    return notes


def provision_feedback(
    previous: Round, predecessors: Sequence[Provision], provision: Provision, user: Any,
    changed: bool,
) -> list[EntryFeedback]:
    """What the versions of `provision` in `previous` received (one per predecessor; an
    added provision gets one entry with no old version, for answers linked to it)."""
    source = FeedbackOf(previous, user, [p.id for p in predecessors])
    notes = [source.entry(old, provision, changed) for old in predecessors or [None]]
    for note in notes:
        note.ident = f"p{provision.id}-{note.old.id if note.old else 'new'}"
    return notes

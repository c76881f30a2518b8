"""What each provision of a round received: comments by stance, proposals by decision.

Counted per round in two GROUP BY queries (comments by provision and stance, proposals by
provision and decision), so that a page comparing two rounds attaches the figures to every
entry without a query per entry. What is counted: top-level comments (replies are
conversation, not feedback on the text), neither withdrawn nor hidden by moderation.

Who sees which figures (docs/feedback.md, "Accountability"): the chairs and vice-chairs of a
provision's working group and the secretariat see exact counts always; everyone else sees the
figures of a round they may see once its consultation has closed (or a round that never had
one), with any count from 1 to MINIMUM_COUNT - 1 given as SMALL ("<5"), so that no one is
singled out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.permissions import can_chair
from app.core.charts import fill_days
from app.core.db import db
from app.drafting.models import Provision, Round
from app.drafting.permissions import can_view_round
from app.feedback.models import DECISIONS, STANCES, Comment
from app.feedback.services import visibility_clause

MINIMUM_COUNT = 5
SMALL = f"<{MINIMUM_COUNT}"
PROPOSAL_KEYS = (*DECISIONS, "undecided")
Shown = int | str


def small(count: int, exact: bool = False) -> Shown:
    """A count as shown: itself when `exact`, zero or at least MINIMUM_COUNT; else SMALL."""
    return count if exact or count == 0 or count >= MINIMUM_COUNT else SMALL


SMALLER = "smaller_groups"  # several small counts shown together (see merge_small)


def merge_small(counts: Mapping[str, int], exact: bool = False) -> dict[str, Shown]:
    """A breakdown as the reader sees it, the small counts (1 to MINIMUM_COUNT - 1) merged
    into one SMALLER entry: their sum where at least two are merged and it reaches the
    minimum, else SMALL. Exact readers see every count."""
    if exact:
        return dict(counts)
    shown: dict[str, Shown] = {k: v for k, v in counts.items() if small(v) == v and v}
    hidden = [v for v in counts.values() if small(v) != v]
    if hidden:
        merged = sum(hidden)
        shown[SMALLER] = merged if len(hidden) > 1 and merged >= MINIMUM_COUNT else SMALL
    return shown


def settled(round_: Round, now: dt.datetime | None = None) -> bool:
    """The round takes no more feedback: its window has closed (or it never had one)."""
    return round_.consultation_status(now) in ("closed", "none")


def sees_exact(user: Any, group_id: int | None) -> bool:
    """Exact counts, always: the group's chairs and vice-chairs, and the secretariat."""
    return can_chair(user, group_id)


def sees_feedback(user: Any, round_: Round, group_id: int | None) -> bool:
    """Whether the user sees what provisions of this round (of that group) received."""
    return sees_exact(user, group_id) or (can_view_round(user, round_) and settled(round_))


def counted_only(provision: Any, user: Any) -> Shown:
    """How many comments a provision received, as `user` may see the figure (0 if they may
    not): for a reader who may read none of them, so that the page does not say "none"."""
    if not sees_feedback(user, provision.round, provision.group_id):
        return 0
    item = received_in(provision.round).get(provision.id)
    return small(item.comments, sees_exact(user, provision.group_id)) if item else 0


def _counted() -> list[Any]:
    return [Comment.parent_id.is_(None), Comment.status != "withdrawn",
            Comment.hidden_at.is_(None)]


@dataclass
class Received:
    """What one provision received: comments, by stance, and proposals, by decision."""

    comments: int = 0
    by_stance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCES, 0))
    proposals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROPOSAL_KEYS, 0))

    @property
    def proposal_count(self) -> int:
        return sum(self.proposals.values())

    def shown(self, exact: bool) -> dict[str, Any]:
        """The figures as the reader sees them (small counts hidden unless `exact`)."""
        return {
            "comments": small(self.comments, exact),
            "by_stance": {k: small(v, exact) for k, v in self.by_stance.items()},
            "proposals": {k: small(v, exact) for k, v in self.proposals.items()},
        }

    def add(self, other: Received) -> None:
        self.comments += other.comments
        for key, value in other.by_stance.items():
            self.by_stance[key] = self.by_stance.get(key, 0) + value
        for key, value in other.proposals.items():
            self.proposals[key] = self.proposals.get(key, 0) + value


def received_in(round_: Round) -> dict[int, Received]:
    """Provision id -> what it received in this round (two queries for the whole round)."""
    out: dict[int, Received] = {}
    stances = db.session.execute(
        select(Comment.provision_id, Comment.stance, func.count())
        .where(Comment.round_id == round_.id, *_counted())
        .group_by(Comment.provision_id, Comment.stance)
    )
    for provision_id, stance, count in stances:
        item = out.setdefault(provision_id, Received())
        item.comments += count
        item.by_stance[stance] = item.by_stance.get(stance, 0) + count
    decisions = db.session.execute(
        select(Comment.provision_id, Comment.decision, func.count())
        .where(Comment.round_id == round_.id, Comment.proposed_text.is_not(None), *_counted())
        .group_by(Comment.provision_id, Comment.decision)
    )
    for provision_id, decision, count in decisions:
        item = out.setdefault(provision_id, Received())
        item.proposals[decision or "undecided"] += count
    return out


def total(received: Mapping[int, Received], ids: Collection[int] | None = None) -> Received:
    """The sum over the given provisions (all of them without `ids`)."""
    result = Received()
    for provision_id, item in received.items():
        if ids is None or provision_id in ids:
            result.add(item)
    return result


def decided_proposals(
    round_: Round, provision_ids: Collection[int], user: Any = None
) -> dict[int, list[Comment]]:
    """Provision id -> its decided proposals that `user` may see (newest decision first),
    authors loaded; the round's visibility is the caller's check."""
    if not provision_ids:
        return {}
    query = (
        select(Comment).join(Provision, Provision.id == Comment.provision_id)
        .where(Comment.round_id == round_.id, Comment.provision_id.in_(list(provision_ids)),
               Comment.decision.is_not(None), *_counted())
        .order_by(Comment.decided_at.desc(), Comment.id)
        .options(selectinload(Comment.author))
    )
    query = query.where(visibility_clause(user))
    out: dict[int, list[Comment]] = {}
    for comment in db.session.scalars(query):
        out.setdefault(comment.provision_id, []).append(comment)
    return out


def comments_per_day(round_: Round) -> list[tuple[dt.date, int]]:
    """How many comments arrived on each day of the round's window (UTC days), for the
    secretariat's chart; days before or after the window are folded into its ends."""
    moments = db.session.scalars(
        select(Comment.submitted_at).where(Comment.round_id == round_.id, *_counted())
    ).all()
    days = Counter(moment.date() for moment in moments)
    if round_.opens_at is None or round_.closes_at is None:
        if not days:
            return []
        first, last = min(days), max(days)
    else:
        first, last = round_.opens_at.date(), round_.closes_at.date()
        inside: Counter[dt.date] = Counter()
        for day, count in days.items():
            inside[min(max(day, first), last)] += count
        days = inside
    return fill_days(days, first, last)

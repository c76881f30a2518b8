"""Carrying comments of one round into the next (re-anchoring on lineage successors).

Every comment of the previous round gets exactly one CommentCarry per later round: anchored
(its passage, or the whole provision, is in the provision with the same key), moved (it now
sits in another provision, after a split, merge or re-keying) or orphaned (the passage or the
provision is gone). Proposed wording the new text took over wholly or largely is marked
adopted. Nothing is dropped, and running it again updates the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.db import db, utcnow
from app.drafting.models import LineageLink, LineageTarget, Provision, Round
from app.feedback.anchoring import ADOPTED_THRESHOLD, Anchor, adoption, reanchor
from app.feedback.models import Comment, CommentCarry


@dataclass(frozen=True)
class Placement:
    status: str  # anchored | moved | orphaned
    provision: Provision | None
    anchor: Anchor | None
    score: float


def _successors(previous: Round, current: Round) -> dict[int, list[Provision]]:
    """Old provision id -> its successors in `current` (same-key target first)."""
    links = db.session.scalars(
        select(LineageLink)
        .where(LineageLink.from_round_id == previous.id, LineageLink.to_round_id == current.id)
        .options(
            selectinload(LineageLink.targets).selectinload(LineageTarget.to_provision),
            selectinload(LineageLink.from_provision),
        )
    )
    result: dict[int, list[Provision]] = {}
    for link in links:
        key = link.from_provision.key
        targets = [t.to_provision for t in link.targets if t.to_provision.round_id == current.id]
        result[link.from_provision_id] = sorted(targets, key=lambda p: (p.key != key, p.position))
    return result


def _status_for(old: Provision, target: Provision) -> str:
    return "anchored" if target.key == old.key else "moved"


def place(comment: Comment, successors: Sequence[Provision]) -> Placement:
    """Where a comment lands among its provision's successors (pure apart from attributes)."""
    old = comment.provision
    if not successors:
        return Placement("orphaned", None, None, 0.0)
    if not comment.anchored:
        return Placement(_status_for(old, successors[0]), successors[0], None, 1.0)
    anchor = Anchor(
        exact=comment.quote_exact or "",
        prefix=comment.quote_prefix or "",
        suffix=comment.quote_suffix or "",
        start=comment.quote_start or 0,
        end=comment.quote_end or 0,
    )
    best: Placement | None = None
    for target in successors:
        result = reanchor(anchor, target.text, old.text)
        if result.anchor is None:
            continue
        candidate = Placement(_status_for(old, target), target, result.anchor, result.score)
        if best is None or candidate.score > best.score:
            best = candidate
        if result.score >= 1.0:
            break
    return best or Placement("orphaned", successors[0], None, 0.0)


def _adoption(comment: Comment, successors: Sequence[Provision]) -> float:
    if not comment.proposed_text:
        return 0.0
    texts = [p.text for p in successors]
    return max((adoption(comment.proposed_text, text) for text in texts), default=0.0)


def carry_forward(previous: Round, current: Round) -> int:
    """Carry every comment of `previous` into `current` along the stored lineage.

    Called by the draft importer after it has stored the lineage of `current` (and safe to
    call again: one CommentCarry per comment and round, updated in place). Flushes only.
    Returns the number of comments carried.
    """
    successors = _successors(previous, current)
    existing = {
        carry.comment_id: carry
        for carry in db.session.scalars(
            select(CommentCarry).where(CommentCarry.to_round_id == current.id)
        )
    }
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.round_id == previous.id)
        .order_by(Comment.id)
        .options(selectinload(Comment.provision))
    ).all()
    for comment in comments:
        targets = successors.get(comment.provision_id, [])
        placement = place(comment, targets)
        share = _adoption(comment, targets)
        carry = existing.get(comment.id)
        if carry is None:
            carry = CommentCarry(comment_id=comment.id, to_round_id=current.id)
            db.session.add(carry)
        carry.to_provision_id = placement.provision.id if placement.provision else None
        carry.status = placement.status
        carry.quote_exact = placement.anchor.exact if placement.anchor else None
        carry.quote_start = placement.anchor.start if placement.anchor else None
        carry.quote_end = placement.anchor.end if placement.anchor else None
        carry.score = placement.score
        carry.adoption = share
        carry.adopted = share >= ADOPTED_THRESHOLD
        carry.created_at = utcnow()
    db.session.flush()
    return len(comments)


def latest_carries(comments: Iterable[Comment]) -> dict[int, CommentCarry]:
    """Each comment's carry into the latest later round it was carried to."""
    ids = [c.id for c in comments]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CommentCarry, Round.number)
        .join(Round, Round.id == CommentCarry.to_round_id)
        .where(CommentCarry.comment_id.in_(ids))
        .options(selectinload(CommentCarry.to_provision))
    ).all()
    best: dict[int, tuple[int, CommentCarry]] = {}
    for carry, number in rows:
        if carry.comment_id not in best or number > best[carry.comment_id][0]:
            best[carry.comment_id] = (number, carry)
    return {cid: carry for cid, (_, carry) in best.items()}


def comment_status(
    comment: Comment, carry: CommentCarry | None = None, now: dt.datetime | None = None
) -> str:
    """One word for a comment's state: withdrawn, adopted, re-anchored, moved, orphaned,
    open or closed (in that order of precedence)."""
    if comment.status == "withdrawn":
        return "withdrawn"
    if carry is not None:
        if carry.adopted:
            return "adopted"
        return {"anchored": "re-anchored"}.get(carry.status, carry.status)
    return "open" if comment.round.is_open(now) else "closed"

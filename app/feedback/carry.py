"""Carrying comments of one round into the next (re-anchoring on lineage successors).

Every comment of the previous round gets exactly one CommentCarry per later round: anchored
(its passage, or the whole provision, is in the provision with the same key), moved (it now
sits in another provision, after a split, merge or re-keying) or orphaned (the passage or the
provision is gone). Proposed wording the new text took over wholly or largely is marked
`adopted`: a suggestion for the chairs, who decide (app/feedback/decisions.py). Nothing is
dropped, and running it again updates the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
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


def _contains(text: str, passage: str) -> bool:
    return " ".join(passage.split()).casefold() in " ".join(text.split()).casefold()


def adoption_of(comment: Comment, successors: Sequence[Provision]) -> tuple[float, bool]:
    """How much of a comment's proposed wording its successors took over, and whether that
    counts as adopted.

    A proposal usually repeats most of the passage it amends, so a high share alone proves
    nothing: the new text must also have moved towards the proposal, either matching more of it
    than the old text did, or dropping the quoted passage (a deletion or a rewrite).
    """
    if not comment.proposed_text or not successors:
        return 0.0, False
    proposal = comment.proposed_text
    old_text = comment.provision.text
    passage = comment.quote_exact or old_text
    shares = [(adoption(proposal, p.text), p.text) for p in successors]
    share, new_text = max(shares, key=lambda pair: pair[0])
    if share < ADOPTED_THRESHOLD:
        return share, False
    moved = share > adoption(proposal, old_text) or not _contains(new_text, passage)
    return share, moved


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
        share, adopted = adoption_of(comment, targets)
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
        carry.adopted = adopted
        carry.created_at = utcnow()
    db.session.flush()
    return len(comments)


def latest_carries(
    comments: Iterable[Comment], can_see: Callable[[Round], bool] | None = None
) -> dict[int, CommentCarry]:
    """Each comment's carry into the latest later round it was carried to.

    With `can_see`, carries into rounds it rejects are ignored, so that a page never names a
    round its reader may not see.
    """
    ids = [c.id for c in comments]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CommentCarry, Round.number)
        .join(Round, Round.id == CommentCarry.to_round_id)
        .where(CommentCarry.comment_id.in_(ids))
        .options(selectinload(CommentCarry.to_provision), selectinload(CommentCarry.to_round))
    ).all()
    best: dict[int, tuple[int, CommentCarry]] = {}
    for carry, number in rows:
        if can_see is not None and not can_see(carry.to_round):
            continue
        if carry.comment_id not in best or number > best[carry.comment_id][0]:
            best[carry.comment_id] = (number, carry)
    return {cid: carry for cid, (_, carry) in best.items()}


def carried_into(provision: Provision) -> list[CommentCarry]:
    """Comments of the previous round that landed on this provision: re-anchored, moved, or
    adopted (even when the adopted rewrite left the quoted passage nowhere to anchor).

    Top-level comments only (a reply makes no sense without its thread), withdrawn ones left
    out, oldest first. The caller filters them by who may see each comment.
    """
    return list(
        db.session.scalars(
            select(CommentCarry)
            .join(Comment, Comment.id == CommentCarry.comment_id)
            .where(
                CommentCarry.to_provision_id == provision.id,
                or_(CommentCarry.status != "orphaned", CommentCarry.adopted.is_(True)),
                Comment.parent_id.is_(None),
                Comment.status != "withdrawn",
            )
            .order_by(CommentCarry.adopted.desc(), Comment.id)
            .options(
                selectinload(CommentCarry.comment).selectinload(Comment.author),
                selectinload(CommentCarry.comment).selectinload(Comment.provision),
                selectinload(CommentCarry.comment).selectinload(Comment.round),
            )
        )
    )


@dataclass(frozen=True)
class Passage:
    """Where a re-anchored quote now sits: some words before, the passage, some words after."""

    before: str
    exact: str
    after: str


def passage_context(text: str, start: int | None, end: int | None, width: int = 60) -> Passage:
    """The passage text[start:end] with about `width` characters of context on each side,
    cut at word boundaries and marked with an ellipsis where the text goes on."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return Passage("", "", "")
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    if start - width > 0:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end + width < len(text):
        after = after.rsplit(" ", 1)[0] + "…" if " " in after else after + "…"
    return Passage(before, text[start:end], after)


def comment_status(
    comment: Comment, carry: CommentCarry | None = None, now: dt.datetime | None = None
) -> str:
    """One word for a comment's state: withdrawn, re-anchored, moved, orphaned, open or closed
    (in that order of precedence). Whether its proposed wording was taken over is the chairs'
    decision (`Comment.decision`), never this status: the automatic adoption check
    (`CommentCarry.adopted`) is only a suggestion shown to them."""
    if comment.status == "withdrawn":
        return "withdrawn"
    if carry is not None:
        return {"anchored": "re-anchored"}.get(carry.status, carry.status)
    return "open" if comment.round.is_open(now) else "closed"

"""The chairs' decision on each proposed wording: accepted, partly accepted or not taken up.

A comment with proposed wording has at most one current decision (on the comment itself);
deciding again replaces it, and every decision, first or changed, is audit-logged
(`proposal.decide`, with the previous decision) and announced (`hooks.proposal_decided`), so
that the author hears of it. The automatic adoption check (`CommentCarry.adopted`) is only a
suggestion shown to the chair. Who may decide is the caller's check
(`permissions.can_decide`); services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, false, func, select

from app.core import audit, hooks
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict
from app.core.i18n import N_, Number
from app.core.text import blank
from app.drafting.models import Provision
from app.feedback.models import (
    DECISION_REASON_LIMIT,
    DECISIONS,
    REASON_REQUIRED,
    Comment,
)

# One sentence for each decision that needs a reason (REASON_REQUIRED).
REASON_NEEDED = {
    "partly_accepted": N_("Give a short reason: it is required when a proposal is partly "
                          "accepted."),
    "not_taken_up": N_("Give a short reason: it is required when a proposal is not taken up."),
}


def clean_decision(decision: Any, reason: Any) -> tuple[str, str]:
    """The decision and its trimmed reason; BadInput for an unknown decision, a missing reason
    where one is required (partly accepted, not taken up) or one past the limit."""
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise BadInput(N_("Unknown decision %(decision)r: use one of %(decisions)s."),
                       decision=decision, decisions=", ".join(DECISIONS))
    if reason is not None and not isinstance(reason, str):
        raise BadInput(N_("The reason must be text."))
    text = " ".join((reason or "").split())
    text = "" if blank(text) else text
    if decision in REASON_REQUIRED and not text:
        raise BadInput(REASON_NEEDED[decision])
    if len(text) > DECISION_REASON_LIMIT:
        raise BadInput(N_("A reason may have at most %(limit)s characters."),
                       limit=Number(DECISION_REASON_LIMIT))
    return decision, text


def decision_problem(comment: Comment, now: dt.datetime | None = None) -> str | None:
    """Why this comment cannot be decided now, or None."""
    if not comment.proposed_text:
        return N_("This comment proposes no wording: there is nothing to decide.")
    if comment.status == "withdrawn":
        return N_("Its author withdrew this comment: it is no longer decided on.")
    if comment.round.is_open(now):
        return N_("The consultation on this draft is still open and the author may still "
                  "change the proposal: decide once it has closed.")
    return None


def decide_proposal(
    comment: Comment, decision: str, reason: str | None, *, actor: Any,
    now: dt.datetime | None = None,
) -> Comment:
    """Record the chairs' decision on a comment's proposed wording and return the comment.

    Raises BadInput for a comment without proposed wording, an unknown decision or a missing
    reason; Conflict for a withdrawn comment or while the round's window is open. Deciding
    the same thing again changes nothing; a different decision or reason replaces the current
    one (audited with the previous one).
    """
    decision, text = clean_decision(decision, reason)
    problem = decision_problem(comment, now)
    if problem is not None:
        raise (BadInput if not comment.proposed_text else Conflict)(problem)
    if comment.decision == decision and (comment.decision_reason or "") == text:
        return comment
    previous = comment.decision
    audit.record("proposal.decide", actor=actor, target=comment, decision=decision,
                 reason=text, previous=previous, previous_reason=comment.decision_reason)
    comment.decision, comment.decision_reason = decision, text or None
    comment.decided_by_id = getattr(actor, "id", None)
    comment.decided_at = now or utcnow()
    db.session.flush()
    hooks.proposal_decided.send(comment=comment, previous=previous, actor=actor)
    return comment


def proposals_query(
    round_: Any, *, group_ids: Collection[int] | None = None, provision_key: str | None = None,
    undecided: bool = False,
) -> Select[tuple[Comment]]:
    """The round's comments with proposed wording (top-level, not withdrawn), in document
    order: of the working groups `group_ids` (None: all), of one provision, or undecided only."""
    query = (
        select(Comment).join(Provision, Provision.id == Comment.provision_id)
        .where(Comment.round_id == round_.id, Comment.proposed_text.is_not(None),
               Comment.parent_id.is_(None), Comment.status != "withdrawn")
    )
    if group_ids is not None:
        query = query.where(Provision.group_id.in_(list(group_ids)) if group_ids else false())
    if provision_key:
        query = query.where(Provision.key == provision_key)
    if undecided:
        query = query.where(Comment.decision.is_(None))
    return query.order_by(Provision.position, Comment.id)


def proposal_counts(query: Select[tuple[Comment]]) -> dict[str, int]:
    """How many of the proposals `query` selects have each decision ("undecided" for none)."""
    inner = query.order_by(None).subquery()
    rows = db.session.execute(
        select(inner.c.decision, func.count()).group_by(inner.c.decision)
    )
    counts = dict.fromkeys((*DECISIONS, "undecided"), 0)
    for decision, count in rows:
        counts[decision or "undecided"] += count
    return counts

"""What feedback does when drafting announces something (see app/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from app.core import hooks
from app.core.db import db
from app.core.i18n import N_, Message
from app.drafting.models import Round
from app.drafting.permissions import can_view_round
from app.feedback.carry import carry_forward
from app.feedback.models import Comment, CommentCarry


def _carry(previous: Round | None, current: Round, **_: Any) -> None:
    """Comments of `previous` follow the (new or corrected) lineage into `current`."""
    if previous is not None:
        carry_forward(previous, current)


def _has_feedback(round: Round, **_: Any) -> str | None:  # noqa: A002  (the hook's keyword)
    if db.session.scalar(select(exists().where(Comment.round_id == round.id))):
        return Message(N_("round %(round)s of %(code)s already has feedback and cannot be "
                          "overwritten; import the changes as a new round"),
                       round=round.number, code=round.code.slug)
    return None


def _personal_data(user: Any, **_: Any) -> dict[str, Any]:
    """The account's comments for its data export, each with where it went in later rounds:
    only into rounds the account may see (a carry into an unpublished draft would reveal it)."""
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    ).all()
    carries: dict[int, list[CommentCarry]] = {}
    if comments:
        for carry in db.session.scalars(
            select(CommentCarry)
            .where(CommentCarry.comment_id.in_([c.id for c in comments]))
            .order_by(CommentCarry.id)
        ):
            if can_view_round(user, carry.to_round):
                carries.setdefault(carry.comment_id, []).append(carry)
    return {"comments": [_exported(c, carries.get(c.id, [])) for c in comments]}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _exported(comment: Comment, carries: list[CommentCarry]) -> dict[str, Any]:
    return {
        "id": comment.id, "external_id": comment.external_id,
        "code": comment.round.code.slug, "round": comment.round.number,
        "provision": comment.provision.key, "provision_label": comment.provision.label,
        "reply_to": comment.parent_id, "source": comment.source, "stance": comment.stance,
        "body": comment.body, "proposed_text": comment.proposed_text,
        "quote": comment.quote_exact, "quote_start": comment.quote_start,
        "quote_end": comment.quote_end, "status": comment.status,
        "hidden": comment.hidden_at is not None,
        "decision": comment.decision, "decision_reason": comment.decision_reason,
        "decided_at": _iso(comment.decided_at),
        "publish_consent": comment.publish_consent, "consent_at": _iso(comment.consent_at),
        "consent_terms": comment.consent_terms,
        "created_at": _iso(comment.created_at), "submitted_at": _iso(comment.submitted_at),
        "carried": [
            {"round": c.to_round.number,
             "provision": c.to_provision.key if c.to_provision else None,
             "status": c.status, "quote": c.quote_exact}  # (the adoption check is the chairs')
            for c in carries
        ],
    }  # fmt: skip


def connect() -> None:
    hooks.round_imported.connect(_carry)
    hooks.lineage_changed.connect(_carry)
    hooks.round_replace_refusal.connect(_has_feedback)
    hooks.personal_data.connect(_personal_data)

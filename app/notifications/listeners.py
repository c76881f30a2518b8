"""What participants are told when the other domains announce something (app/core/hooks.py).

Listeners run inside the announcer's transaction and flush, never commit. The hooks run after
feedback's own listeners (connected first in create_app), so comments are already carried when
a round's import is announced here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import hooks
from app.core.db import db
from app.drafting.models import Provision, Round
from app.drafting.services import neighbour_round
from app.feedback.models import Comment, CommentCarry
from app.notifications.messages import Notice, Outcome, Phrase
from app.notifications.models import Notification, NotificationSettings
from app.notifications.services import (
    News,
    accounts_seeing,
    deliverable,
    notify,
    notify_each,
)
from app.synthesis.models import SynthesisRun, Theme, ThemeMember, ThemeResponse

CARRIED = {"anchored": "carried.anchored", "moved": "carried.moved",
           "orphaned": "carried.orphaned"}


def round_path(round_: Round) -> str:
    return f"/codes/{round_.code.slug}/rounds/{round_.number}"


def provision_path(provision: Provision) -> str:
    return f"{round_path(provision.round)}/provisions/{provision.key}"


def _carried(previous: Round | None, current: Round, *, refresh: bool = False,
             **_: Any) -> None:
    """Each author of a comment of `previous` hears where it landed in `current` (with
    `refresh`, an unread notice is corrected to where the comment now is)."""
    if previous is None:
        return
    carries = db.session.scalars(
        select(CommentCarry).join(Comment, Comment.id == CommentCarry.comment_id)
        .where(CommentCarry.to_round_id == current.id, Comment.round_id == previous.id,
               Comment.parent_id.is_(None), Comment.status != "withdrawn")
        .options(selectinload(CommentCarry.comment).selectinload(Comment.author),
                 selectinload(CommentCarry.comment).selectinload(Comment.provision),
                 selectinload(CommentCarry.to_provision))
    )
    items = []
    for carry in carries:
        comment = carry.comment
        old, new = comment.provision, carry.to_provision
        where = new.heading if new is not None else Phrase("this_draft")
        url = (f"{provision_path(new)}#carried-{comment.id}" if new is not None
               and carry.status != "orphaned" else f"{provision_path(old)}#comment-{comment.id}")
        items.append((comment.author, News(
            kind="comment_carried", key=f"carried:{comment.id}:{current.id}",
            title=Notice("carried.title", {"provision": old.label or old.title,
                                            "round": current.name}),
            body=Notice(CARRIED[carry.status], {"new": where})
            if carry.status in CARRIED else "", url=url,
            round=current, comment=comment)))
    notify_each(items, refresh=refresh)


def _recarried(previous: Round | None, current: Round, **_: Any) -> None:
    """A corrected lineage moved comments: unread notices say where they are now."""
    _carried(previous, current, refresh=True)


def _published(round: Round, **_: Any) -> None:  # noqa: A002  (the hook's keyword)
    """Everyone who may see the new round hears of it; authors hear where their comments went
    (the import announced while the round was still internal could not tell them)."""
    previous = neighbour_round(round, -1)
    link = f"{round_path(round)}/changes" if previous is not None else round_path(round)
    notify(accounts_seeing(round), News(
        kind="round_published", key=f"published:{round.id}:{round.source_hash[:16]}",
        title=Notice("published.title", {"code": round.code.title, "round": round.name}),
        body=(Notice("published.changes", {"previous": previous.name})
              if previous is not None else Notice("published.first")),
        url=link, round=round))
    _carried(previous, round)


def _decided(comment: Comment, previous: str | None = None, **_: Any) -> None:
    """The author hears of every decision on their proposal, a changed one too (a decision
    reverted, or only its reason changed, is news: the key carries the moment of deciding)."""
    provision = comment.provision
    moment = comment.decided_at.isoformat() if comment.decided_at is not None else ""
    notify([comment.author], News(
        kind="proposal_decided", key=f"decided:{comment.id}:{comment.decision}:{moment}",
        title=Notice("decided.changed" if previous is not None else "decided.title",
                      {"provision": provision.label or provision.title,
                       "decision": Outcome(comment.decision or "undecided")}),
        body=comment.decision_reason or "",
        url=f"{provision_path(provision)}#comment-{comment.id}",
        round=comment.round, comment=comment))


def _answered(response: ThemeResponse, **_: Any) -> None:
    """The authors of the comments in the answered theme (as of the scope's latest run)."""
    identity = response.identity
    root = identity.root()
    run_id = db.session.scalar(
        select(SynthesisRun.id).where(SynthesisRun.round_id == identity.round_id,
                                      SynthesisRun.scope_key == identity.scope_key,
                                      SynthesisRun.status == "done")
        .order_by(SynthesisRun.id.desc()).limit(1))
    if run_id is None:
        return
    members = db.session.scalars(
        select(Comment).join(ThemeMember, ThemeMember.comment_id == Comment.id)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(ThemeMember.run_id == run_id, Theme.identity_id.in_({identity.id, root.id}))
        .options(selectinload(Comment.author)))
    round_ = db.session.get(Round, identity.round_id)
    if round_ is None:
        return
    authors = list({comment.author_id: comment.author for comment in members}.values())
    notify(authors, News(
        kind="theme_answered", key=f"answered:{identity.id}:{response.outcome}",
        title=(Notice("answered.title", {"theme": identity.title,
                                          "outcome": Outcome(response.outcome)})
               if identity.title else
               Notice("answered.untitled", {"outcome": Outcome(response.outcome)})),
        body=Notice("answered.body", {"round": round_.name, "reason": response.reason}),
        url=f"{round_path(round_)}/register#theme-{identity.id}", round=round_))


def _personal_data(user: Any, **_: Any) -> dict[str, Any]:
    """The account's notifications and settings for its data export (never the feed's hash)."""
    settings = db.session.scalar(
        select(NotificationSettings).where(NotificationSettings.user_id == user.id))
    items = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return {
        "notification_settings": {
            "email": settings.email if settings else "digest",
            "muted": list(settings.muted or []) if settings else [],
            "feed": bool(settings and settings.feed_token_hash),
        },
        "notifications": [
            {"kind": n.kind, "title": n.title, "body": n.body, "url": n.url,
             "created_at": n.created_at.isoformat(),
             "read_at": n.read_at.isoformat() if n.read_at else None,
             "emailed_at": n.emailed_at.isoformat() if n.emailed_at else None}
            for n in items if deliverable(n, user)
        ],
    }


def connect() -> None:
    hooks.round_imported.connect(_carried)
    hooks.lineage_changed.connect(_recarried)
    hooks.round_published.connect(_published)
    hooks.proposal_decided.connect(_decided)
    hooks.answer_published.connect(_answered)
    hooks.personal_data.connect(_personal_data)

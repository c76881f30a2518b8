"""Creating, showing and configuring notifications (flush, never commit).

A notification is created only for an account that may see the round it is about (and, for a
comment, the comment's round), unless the account muted that kind; `key` makes creating it
idempotent. It is shown (page, feed, e-mail) only while that still holds: a round may turn
internal after the notification was made (`deliverable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core import audit
from app.core.db import db, utcnow
from app.core.errors import BadInput
from app.core.i18n import N_
from app.drafting.models import Round
from app.drafting.permissions import can_view_round
from app.feedback.models import Comment
from app.notifications.messages import Notice, english, stored
from app.notifications.models import EMAIL_MODES, KINDS, Notification, NotificationSettings
from app.synthesis.permissions import can_view_register

PAGE_SIZE = 50
FEED_SIZE = 50


@dataclass(frozen=True)
class News:
    """What to tell: the same for every recipient of one event. A title or body given as a
    Notice is shown in each reader's language; given as text (what someone wrote), as is."""

    kind: str
    key: str
    title: str | Notice
    body: str | Notice
    url: str
    round: Round | None = None
    comment: Comment | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def settings_of(user_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(NotificationSettings).where(NotificationSettings.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


def own_settings(user: User) -> NotificationSettings:
    """The account's settings row (created, with the defaults, when first needed)."""
    row = db.session.scalar(
        select(NotificationSettings).where(NotificationSettings.user_id == user.id))
    if row is None:
        row = NotificationSettings(user_id=user.id, email="digest", muted=[])
        db.session.add(row)
        db.session.flush()
    return row


def sees(user: User, round_: Round | None, comment: Comment | None) -> bool:
    """May this account still see what a notification is about?"""
    if not user.is_active:
        return False
    if round_ is not None and not can_view_round(user, round_):
        return False
    return comment is None or can_view_round(user, comment.round)


def deliverable(notification: Notification, user: User) -> bool:
    """Shown (page, feed, e-mail) only while the account may see what it is about; an answer
    only once the round's register is public."""
    if not sees(user, notification.round, notification.comment):
        return False
    if notification.kind == "theme_answered" and notification.round is not None:
        return can_view_register(user, notification.round)
    return True


def notify(users: Sequence[User], news: News, now: dt.datetime | None = None) -> int:
    """Create `news` for each of `users` who may see it and did not mute its kind, once per
    account and key. Returns how many were created."""
    return notify_each([(user, news) for user in users], now)


def notify_each(
    items: Sequence[tuple[User, News]], now: dt.datetime | None = None, *,
    refresh: bool = False,
) -> int:
    """Create each (account, news) pair as `notify` would, in a few queries for them all.
    With `refresh`, a notification already made under the same key and not read yet takes the
    new title, text and link (a corrected lineage changes where a comment went)."""
    for _, news in items:
        if news.kind not in KINDS:
            raise ValueError(f"unknown notification kind {news.kind!r}")
    settings = settings_of(user.id for user, _ in items)
    wanted = [(user, news) for user, news in items
              if news.kind not in (getattr(settings.get(user.id), "muted", None) or [])
              and sees(user, news.round, news.comment)]
    if not wanted:
        return 0
    found = {(n.user_id, n.key): n for n in db.session.scalars(
        select(Notification).where(
            Notification.user_id.in_({user.id for user, _ in wanted}),
            Notification.key.in_({news.key[:200] for _, news in wanted})))}
    existing = set(found)
    now = now or utcnow()
    texts: dict[int, dict[str, object]] = {}  # the stored columns of each news, made once
    rows = []
    for user, news in wanted:
        key = news.key[:200]
        said = texts.get(id(news))
        if said is None:
            said = texts[id(news)] = {
                "title": english(news.title)[:300], "body": english(news.body),
                "message": stored(news.title, news.body), "url": news.url[:500]}
        if (user.id, key) in existing:
            earlier = found.get((user.id, key))
            if refresh and earlier is not None and earlier.read_at is None:
                for column, value in said.items():
                    setattr(earlier, column, value)
            continue
        existing.add((user.id, key))
        rows.append(Notification(
            user_id=user.id, kind=news.kind, key=key,
            round_id=news.round.id if news.round else None,
            comment_id=news.comment.id if news.comment else None, created_at=now, **said))
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def accounts_seeing(round_: Round) -> list[User]:
    """Every active account that may see the round (the audience of news about it)."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None))
        .options(selectinload(User.memberships)).order_by(User.id))
    return [u for u in users if can_view_round(u, round_)]


def notifications_for(user: User, *, limit: int = PAGE_SIZE,
                      before: int | None = None) -> list[Notification]:
    """The account's notifications it may still see, newest first (by when they happened,
    which the demo and imports may date back; `before`: the id of the last one shown)."""
    query = (select(Notification).where(Notification.user_id == user.id)
             .options(selectinload(Notification.round).selectinload(Round.code),
                 selectinload(Notification.comment))
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if before is not None:
        last = db.session.scalar(select(Notification.created_at).where(
            Notification.user_id == user.id, Notification.id == before))
        query = query.where(Notification.id < before if last is None else or_(
            Notification.created_at < last,
            and_(Notification.created_at == last, Notification.id < before)))
    out: list[Notification] = []
    for notification in db.session.scalars(query.limit(limit * 4)):
        if deliverable(notification, user):
            out.append(notification)
        if len(out) == limit:
            break
    return out


def unread_count(user: User) -> int:
    unread = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .options(selectinload(Notification.round).selectinload(Round.code),
                 selectinload(Notification.comment))
        .limit(100))
    return sum(1 for n in unread if deliverable(n, user))


def mark_all_read(user: User, now: dt.datetime | None = None) -> None:
    db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=now or utcnow()).execution_options(synchronize_session=False))


def update_settings(user: User, email: str, wanted: Iterable[str]) -> NotificationSettings:
    """How the account hears (digest, instant or no e-mail) and which kinds it wants."""
    if email not in EMAIL_MODES:
        raise BadInput(N_("Choose one of %(modes)s."), modes=", ".join(EMAIL_MODES))
    chosen = set(wanted)
    unknown = chosen - set(KINDS)
    if unknown:
        raise BadInput(N_("Unknown kind of notification: %(kind)r."), kind=sorted(unknown)[0])
    row = own_settings(user)
    row.email = email
    row.muted = [kind for kind in KINDS if kind not in chosen]
    audit.record("notifications.settings", actor=user, target=row, email=email,
                 muted=row.muted)
    db.session.flush()
    return row


def new_feed_token(user: User) -> str:
    """A new secret for the account's Atom feed, replacing (revoking) any earlier one; only
    its hash is kept, the secret is returned once."""
    row = own_settings(user)
    secret = "nf_" + secrets.token_urlsafe(24)
    row.feed_token_hash, row.feed_token_prefix = _digest(secret), secret[:8]
    row.feed_created_at = utcnow()
    audit.record("notifications.feed.create", actor=user, target=row, prefix=secret[:8])
    db.session.flush()
    return secret


def revoke_feed_token(user: User) -> bool:
    row = own_settings(user)
    if row.feed_token_hash is None:
        return False
    row.feed_token_hash = row.feed_token_prefix = row.feed_created_at = None
    audit.record("notifications.feed.revoke", actor=user, target=row)
    db.session.flush()
    return True


def user_for_feed(secret: str) -> User | None:
    """The active account whose feed this secret opens, or None (unknown or revoked)."""
    if not secret.startswith("nf_") or len(secret) > 100:
        return None
    row = db.session.scalar(select(NotificationSettings).where(
        NotificationSettings.feed_token_hash == _digest(secret)))
    if row is None or not row.user.is_active:
        return None
    return row.user


def email_mode(user: User) -> str:
    row = settings_of([user.id]).get(user.id)
    return row.email if row is not None else "digest"


def wants(user: User) -> set[str]:
    row = settings_of([user.id]).get(user.id)
    return {k for k in KINDS if row is None or k not in (row.muted or [])}

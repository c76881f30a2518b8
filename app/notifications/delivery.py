"""What the worker does with notifications (app/notifications/tasks.py): announce windows that
opened or close within two days, and e-mail what is new, as a daily digest (the default) or at
once, when an SMTP server is configured (PLENARY_SMTP_HOST).

Safe to run by several workers at once: notifications are idempotent by key, and a
notification is claimed for e-mail by one committed UPDATE before it is sent (a failed send
releases it for the next run).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core.db import db, utcnow
from app.core.i18n import language_of
from app.core.mail import mail_configured, send_mail
from app.drafting.models import Round
from app.notifications.listeners import round_path
from app.notifications.messages import Notice
from app.notifications.models import Notification
from app.notifications.services import (
    News,
    accounts_seeing,
    deliverable,
    notify,
    own_settings,
    settings_of,
)

log = logging.getLogger(__name__)
CLOSING_NOTICE = dt.timedelta(days=2)
DIGEST_HOUR = 7  # UTC: the daily digest goes out with the first run after this hour
KEEP_TRYING = dt.timedelta(days=14)  # older notifications are no longer e-mailed


def announce_windows(now: dt.datetime | None = None) -> int:
    """Tell every account that may see a round when its window is open and, two days before
    it closes, that it closes soon (each once per window). Returns how many were created."""
    now = now or utcnow()
    rounds = db.session.scalars(select(Round).where(
        Round.opens_at.is_not(None), Round.closes_at.is_not(None), Round.opens_at <= now,
        Round.closes_at > now, Round.final.is_(False)))
    created = 0
    for round_ in rounds:
        assert round_.opens_at is not None and round_.closes_at is not None
        audience = accounts_seeing(round_)
        stamp = round_.closes_at.strftime("%Y%m%d%H%M")
        named = {"code": round_.code.title, "round": round_.name}
        created += notify(audience, News(
            kind="window_opened", key=f"opened:{round_.id}:{stamp}",
            title=Notice("opened.title", named),
            body=Notice("opened.body", {"closes": round_.closes_at}),
            url=round_path(round_), round=round_), now)
        if round_.closes_at - now <= CLOSING_NOTICE:
            created += notify(audience, News(
                kind="window_closing", key=f"closing:{round_.id}:{stamp}",
                title=Notice("closing.title", named),
                body=Notice("closing.body", {"closes": round_.closes_at}),
                url=round_path(round_), round=round_), now)
    db.session.flush()
    return created


def _claim(ids: Sequence[int], now: dt.datetime) -> list[int]:
    """Mark these notifications e-mailed in one committed UPDATE; the ids this worker got."""
    db.session.execute(
        update(Notification).where(Notification.id.in_(list(ids)),
                                   Notification.emailed_at.is_(None))
        .values(emailed_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(Notification.id).where(
        Notification.id.in_(list(ids)), Notification.emailed_at == now)))


def _release(ids: Sequence[int]) -> None:
    db.session.execute(
        update(Notification).where(Notification.id.in_(list(ids)))
        .values(emailed_at=None).execution_options(synchronize_session=False))
    db.session.commit()


def _text(items: Sequence[Notification]) -> str:
    """The mail's text, in the current language (`_send` sets the recipient's)."""
    base = str(current_app.config.get("PUBLIC_URL", "")).rstrip("/")
    parts = []
    for n in items:
        title, body = n.shown_title, n.shown_body
        parts.append(f"* {title}\n" + (f"  {body}\n" if body else "")
                     + (f"  {base}{n.url}\n" if n.url else ""))
    footer = ("\n" + gettext("All your notifications: %(url)s", url=f"{base}/my/notifications")
              + "\n" + gettext("Choose what you hear about, and how: %(url)s",
                               url=f"{base}/my/notifications/settings") + "\n")
    return "\n".join(parts) + footer


def _subject(items: Sequence[Notification], *, digest: bool) -> str:
    if digest:
        return ngettext("Plenary: %(num)s new notification", "Plenary: %(num)s new notifications",
                        len(items))
    return gettext("Plenary: %(title)s", title=items[0].shown_title)


def _digest_due(last: dt.datetime | None, now: dt.datetime) -> bool:
    if now.hour < DIGEST_HOUR:
        return False
    return last is None or last.date() < now.date()


def deliver(now: dt.datetime | None = None) -> int:
    """E-mail what is new to the accounts that want it; returns how many mails were sent.

    Instant: one mail per notification. Digest: one mail a day (after DIGEST_HOUR UTC) with
    everything since the last. Nothing is sent without an SMTP server, or to an account whose
    e-mail is off; a notification about a round the account may no longer see is never sent.
    Commits (claims are committed before sending)."""
    if not mail_configured():
        return 0
    now = now or utcnow()
    pending = list(db.session.scalars(
        select(Notification).where(Notification.emailed_at.is_(None),
                                   Notification.created_at >= now - KEEP_TRYING)
        .options(selectinload(Notification.round).selectinload(Round.code),
                 selectinload(Notification.comment))
        .order_by(Notification.user_id, Notification.id)))
    by_user: dict[int, list[Notification]] = {}
    for n in pending:
        by_user.setdefault(n.user_id, []).append(n)
    settings = settings_of(by_user)
    sent = 0
    for user_id, items in by_user.items():
        user = db.session.get(User, user_id)
        row = settings.get(user_id)
        mode = row.email if row is not None else "digest"
        if user is None or mode == "off" or not user.is_active:
            continue
        ready = [n for n in items if deliverable(n, user)]
        if not ready:
            continue
        if mode == "digest":
            if not _digest_due(row.last_digest_at if row else None, now):
                continue
            batches = [ready]
        else:
            batches = [[n] for n in ready]
        for batch in batches:
            sent += _send(user, batch, now, digest=mode == "digest")
    return sent


def _send(user: User, batch: Sequence[Notification], now: dt.datetime, *, digest: bool) -> int:
    claimed = set(_claim([n.id for n in batch], now))
    items = [n for n in batch if n.id in claimed]
    if not items:
        return 0
    with force_locale(language_of(user)):
        subject, text = _subject(items, digest=digest), _text(items)
    try:
        send_mail(user.email, subject[:200], text)
    except OSError as error:
        log.warning("could not e-mail %d notification(s) to user %s: %s", len(items), user.id,
                    error)
        _release([n.id for n in items])
        return 0
    if digest:
        own_settings(user).last_digest_at = now
        db.session.commit()
    return 1

"""The worker's share of notifications: a Huey periodic task (see app/core/tasks.py)."""

from __future__ import annotations

import datetime as dt
import logging

from app.core.db import db, utcnow
from app.core.tasks import app_periodic_task
from app.notifications.delivery import announce_windows, deliver

log = logging.getLogger(__name__)


def run_notifications(now: dt.datetime | None = None) -> tuple[int, int]:
    """Announce opening and closing windows, then e-mail what is due; (created, mails sent).
    Commits. Idempotent: every `plenary worker` runs it, on every host."""
    now = now or utcnow()
    created = announce_windows(now)
    db.session.commit()
    sent = deliver(now)
    db.session.commit()
    if created or sent:
        log.info("notifications: %d created, %d mails sent", created, sent)
    return created, sent


@app_periodic_task(minutes="*/10")
def notifications_task() -> None:
    """Every ten minutes in every worker."""
    run_notifications()

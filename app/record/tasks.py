"""The record's periodic work: log the closing of each consultation window once."""

from __future__ import annotations

import logging

from app.core.db import db
from app.core.tasks import app_periodic_task
from app.record.events import close_windows

log = logging.getLogger(__name__)


def close_due_windows() -> int:
    """Append a `window_closed` entry for every round whose window has closed, and commit;
    returns how many were appended (0 when all are logged already)."""
    appended = close_windows()
    db.session.commit()
    if appended:
        log.info("logged %d closed consultation window(s)", len(appended))
    return len(appended)


@app_periodic_task(minutes="*")
def close_windows_task() -> None:
    """Once a minute in every worker; idempotent, so several workers may run it."""
    close_due_windows()

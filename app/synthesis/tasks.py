"""The background task that runs a queued synthesis and keeps its progress on the run row."""

from __future__ import annotations

import logging
import time

from app.core.db import db
from app.core.tasks import app_task
from app.synthesis.models import SynthesisRun

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between progress commits


@app_task()
def synthesise_task(run_id: int) -> None:
    """Run the queued run `run_id`, committing its progress about once a second so that the
    chair's page can show it; a failure is stored on the run, never lost in the worker log."""
    from app.synthesis.services import execute_run, fail_run

    run = db.session.get(SynthesisRun, run_id)
    if run is None or run.status != "queued":
        return
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY and done < total:
            last[0] = now
            run.progress_done, run.progress_total = done, total
            db.session.commit()

    try:
        execute_run(run, progress=progress)
        db.session.commit()
    except Exception as error:
        log.exception("synthesis run %s failed", run_id)
        db.session.rollback()
        failed = db.session.get(SynthesisRun, run_id)
        if failed is not None:
            fail_run(failed, error)
            db.session.commit()


def queue_synthesis(run: SynthesisRun) -> None:
    """Hand a committed, queued run to the task queue (run inline when HUEY_IMMEDIATE)."""
    synthesise_task(run.id)

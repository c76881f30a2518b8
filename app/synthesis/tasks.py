"""The background task that runs a queued synthesis and keeps its progress on the run row.

The SynthesisRun row, committed with status "queued" before anything is handed to the queue,
is the durable record of the request. If the queue cannot be reached (Redis down), the run
simply stays queued; every `plenary worker` re-enqueues runs queued for longer than
REQUEUE_AFTER once a minute, and a run is claimed atomically, so a run queued twice runs once.
The same sweep fails runs left "running" by a worker that died (see `fail_abandoned_runs`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import select, update

from app.core.db import db, utcnow
from app.core.tasks import QUEUE_ERRORS, app_periodic_task, app_task
from app.synthesis import fanout as _fanout  # noqa: F401  (registers embed_chunk_task)
from app.synthesis import fanout_ranges as _ranges  # noqa: F401  (registers embed_range_task)
from app.synthesis.models import SynthesisRun

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between progress commits
REQUEUE_AFTER = dt.timedelta(minutes=2)  # a queued run this old was lost by the queue
# The run row has no heartbeat column, so a "running" run is judged by its age: one created
# this long ago is far past any real synthesis and its worker is taken to have stopped.
ABANDON_AFTER = dt.timedelta(hours=2)
ABANDONED_MESSAGE = "The worker stopped before this synthesis finished; run it again."


def claim_run(run_id: int) -> bool:
    """Move the run from "queued" to "running" in one committed UPDATE; False when another
    worker (or an earlier copy of the task) got there first, or the run is gone."""
    claimed = db.session.execute(
        update(SynthesisRun)
        .where(SynthesisRun.id == run_id, SynthesisRun.status == "queued")
        .values(status="running")
    )
    db.session.commit()
    return bool(getattr(claimed, "rowcount", 0))


@app_task()
def synthesise_task(run_id: int) -> None:
    """Run the queued run `run_id`, committing its progress about once a second so that the
    chair's page can show it; a failure is stored on the run, never lost in the worker log."""
    from app.synthesis.services import execute_run, fail_run

    if not claim_run(run_id):
        return
    run = db.session.get(SynthesisRun, run_id)
    if run is None:
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


def queue_synthesis(run: SynthesisRun) -> bool:
    """Hand a committed, queued run to the task queue (run inline when HUEY_IMMEDIATE).

    Returns False, without raising, when the queue cannot be reached: the run stays "queued"
    in the database and `requeue_stale_runs` hands it to the queue later."""
    try:
        synthesise_task(run.id)
    except QUEUE_ERRORS as error:
        log.warning("synthesis run %s kept queued in the database: %s", run.id, error)
        return False
    return True


@app_task()
def title_split_task(theme_id: int, kept_id: int | None = None) -> None:
    """Give the theme a split made, and the theme it was split from (`kept_id`), their
    generated titles and summaries (the worker holds the model); a theme gone since is left;
    one the chairs named keeps showing their title."""
    from app.embedding.services import embedder_named
    from app.synthesis.models import Theme
    from app.synthesis.workspace import describe_split

    theme = db.session.get(Theme, theme_id)
    kept = db.session.get(Theme, kept_id) if kept_id is not None else None
    embedder = embedder_named(theme.run.model) if theme is not None else None
    if theme is None or embedder is None:
        return
    describe_split(theme, embedder, kept if kept is not None and kept.run_id == theme.run_id
                   else None)
    db.session.commit()


def queue_title(theme_id: int, kept_id: int | None = None) -> bool:
    """Hand a committed split's two themes to the queue to be titled (inline when
    HUEY_IMMEDIATE); False when the queue cannot be reached: the new one keeps its keywords,
    the other its old title, until the next run."""
    try:
        title_split_task(theme_id, kept_id)
    except QUEUE_ERRORS as error:
        log.warning("theme %s keeps its keyword title: %s", theme_id, error)
        return False
    return True


def requeue_stale_runs(older_than: dt.timedelta = REQUEUE_AFTER) -> int:
    """Enqueue again every run still "queued" that was created more than `older_than` ago;
    returns how many were handed over (stops quietly while the queue is unreachable)."""
    cutoff = utcnow() - older_than
    run_ids = db.session.scalars(
        select(SynthesisRun.id)
        .where(SynthesisRun.status == "queued", SynthesisRun.created_at <= cutoff)
        .order_by(SynthesisRun.id)
    ).all()
    handed = 0
    for run_id in run_ids:
        try:
            synthesise_task(run_id)
        except QUEUE_ERRORS as error:
            log.warning("could not re-enqueue queued synthesis runs: %s", error)
            break
        handed += 1
    if handed:
        log.info("re-enqueued %d queued synthesis run(s)", handed)
    return handed


def fail_abandoned_runs(older_than: dt.timedelta = ABANDON_AFTER) -> int:
    """Mark "failed", in one committed UPDATE, every run still "running" that was created more
    than `older_than` ago (its worker was killed mid-run); returns how many were marked.

    The chair's page then shows the message and offers to run the scope again. A worker that is
    in fact still alive overwrites the status when it finishes."""
    now = utcnow()
    marked = db.session.execute(
        update(SynthesisRun)
        .where(SynthesisRun.status == "running", SynthesisRun.created_at <= now - older_than)
        .values(status="failed", message=ABANDONED_MESSAGE, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    count = int(getattr(marked, "rowcount", 0) or 0)
    if count:
        log.warning("marked %d abandoned synthesis run(s) failed", count)
    return count


@app_periodic_task(minutes="*")
def requeue_stale_runs_task() -> None:
    """Once a minute in every worker: fail runs whose worker died, and hand runs the queue
    lost (or never got) back to it."""
    fail_abandoned_runs()
    requeue_stale_runs()

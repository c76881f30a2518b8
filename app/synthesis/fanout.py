"""Large runs across workers: a run's embedding split into chunks on the task queue.

A run with more distinct texts missing from the vector cache than PLENARY_EMBED_FANOUT_ABOVE
writes one SynthesisChunk row per PLENARY_EMBED_CHUNK of them (committed), hands every chunk to
the queue (`embed_chunk_task`, taken first in, first out by any `plenary worker`) and then
coordinates: it embeds chunks itself from the last one backwards, and waits for the others. So
a run never waits on a busy queue, and a single worker (whose one thread is the coordinator)
still finishes it alone. When every chunk is done the run clusters from the cache as before.

A chunk is claimed under a lease, in one committed UPDATE: its claimant's heartbeat renews the
lease while it embeds, and a chunk whose heartbeat is older than PLENARY_EMBED_LEASE seconds
(its worker was killed) may be claimed again, by the coordinator or any worker. A chunk stores
its vectors and is marked done in one transaction; storing skips vectors already cached (ON
CONFLICT DO NOTHING), so a chunk run twice is harmless. A chunk that raises is released and
tried again (Huey's retries in a worker, the coordinator's loop otherwise) up to CHUNK_RETRIES
times more; then the run fails with its error.

With HUEY_IMMEDIATE (tests, the demo's fixtures) nothing is enqueued: the coordinator runs
every chunk in-process, through the same functions.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from app.core.db import db, utcnow
from app.core.errors import Conflict
from app.core.tasks import QUEUE_ERRORS, app_task, huey
from app.embedding.engine import Embedder, text_hash
from app.embedding.services import BATCH_SIZE, cached_hashes, embed_texts, store_vectors
from app.synthesis.models import SynthesisChunk, SynthesisRun

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
Beat = Callable[[], object]
T = TypeVar("T")
CHUNK_RETRIES = 2  # a failing chunk runs at most 1 + CHUNK_RETRIES times
RETRY_DELAY = 5  # seconds before Huey retries a failed chunk
HEARTBEAT_EVERY = 10.0  # seconds between lease renewals while a chunk embeds
POLL_EVERY = 1.0  # seconds between the coordinator's looks at the chunks while it waits


@dataclass(frozen=True)
class Settings:
    above: int  # fan out when more distinct texts than this are missing from the cache
    size: int  # texts per chunk
    lease: dt.timedelta  # a claim with no heartbeat for this long is taken to be dead


def settings() -> Settings:
    config = current_app.config
    return Settings(
        above=int(config.get("PLENARY_EMBED_FANOUT_ABOVE", 4000)),
        size=max(1, int(config.get("PLENARY_EMBED_CHUNK", 2000))),
        lease=dt.timedelta(seconds=float(config.get("PLENARY_EMBED_LEASE", 120))),
    )


class ChunkFailed(Conflict):
    """A chunk failed on every try; the run cannot be finished."""


def split_chunks(items: Sequence[T], size: int) -> list[list[T]]:
    """`items` in consecutive slices of at most `size`, each item in exactly one."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def worker_name() -> str:
    """Who holds a claim: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def _claimable(lease: dt.timedelta) -> object:
    return and_(SynthesisChunk.done_at.is_(None), SynthesisChunk.attempts <= CHUNK_RETRIES,
                or_(SynthesisChunk.claimed_by.is_(None),
                    SynthesisChunk.heartbeat_at < utcnow() - lease))


def claim_chunk(run_id: int, number: int, owner: str, lease: dt.timedelta) -> bool:
    """Take chunk `number` of the run for `owner` in one committed UPDATE; False when it is
    done, held by a live claim, failed for good, or gone."""
    claimed = db.session.execute(
        update(SynthesisChunk)
        .where(SynthesisChunk.run_id == run_id, SynthesisChunk.number == number,
               _claimable(lease))  # type: ignore[arg-type]
        .values(claimed_by=owner, heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return getattr(claimed, "rowcount", 0) == 1


def _renew(run_id: int, number: int, owner: str) -> None:
    db.session.execute(
        update(SynthesisChunk)
        .where(SynthesisChunk.run_id == run_id, SynthesisChunk.number == number,
               SynthesisChunk.claimed_by == owner)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def release_chunk(run_id: int, number: int, owner: str, error: BaseException) -> None:
    """Give a failed chunk back, one attempt more on its count and its error kept."""
    db.session.rollback()
    db.session.execute(
        update(SynthesisChunk)
        .where(SynthesisChunk.run_id == run_id, SynthesisChunk.number == number,
               SynthesisChunk.claimed_by == owner)
        .values(claimed_by=None, heartbeat_at=None, attempts=SynthesisChunk.attempts + 1,
                error=f"{type(error).__name__}: {error}"[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def embed_chunk(run_id: int, number: int, texts: Sequence[str], embedder: Embedder,
                owner: str, *, beat: Beat | None = None) -> None:
    """Embed the chunk's texts that are not cached yet, renewing the lease as it goes; then
    store their vectors and mark the chunk done, in one transaction."""
    hashes = [text_hash(t) for t in texts]
    cached = cached_hashes(embedder.name, hashes)
    db.session.commit()  # end the read: a SQLite transaction here would hold the write lock
    todo = [(h, t) for h, t in zip(hashes, texts, strict=True) if h not in cached]
    last = [time.monotonic()]

    def renew(_done: int, _total: int) -> None:
        if time.monotonic() - last[0] >= HEARTBEAT_EVERY:
            last[0] = time.monotonic()
            _renew(run_id, number, owner)
            if beat is not None:
                beat()

    vectors = (embedder.encode([t for _, t in todo], batch_size=BATCH_SIZE, progress=renew)
               if todo else np.zeros((0, embedder.dim), np.float32))
    store_vectors(embedder.name, [h for h, _ in todo], vectors)
    db.session.execute(
        update(SynthesisChunk)
        .where(SynthesisChunk.run_id == run_id, SynthesisChunk.number == number)
        .values(done_at=utcnow(), claimed_by=owner)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@app_task(retries=CHUNK_RETRIES, retry_delay=RETRY_DELAY)
def embed_chunk_task(run_id: int, number: int, texts: list[str], model: str) -> None:
    """A worker's share of a large run: embed chunk `number` unless it is done or held."""
    run_claimed(run_id, number, model,
                lambda embedder, owner: embed_chunk(run_id, number, texts, embedder, owner))


def run_claimed(run_id: int, number: int, model: str,
                work: Callable[[Embedder, str], None]) -> None:
    """A chunk task's frame: claim chunk `number` for this worker and `work(embedder, owner)`;
    nothing when the worker's model is not the run's or the chunk is done or held. A chunk
    that raises is released, then raised again for Huey to try it after RETRY_DELAY."""
    from app.embedding.services import embedder_named, get_embedder

    embedder = embedder_named(model)
    if embedder is None:
        log.error("chunk %s of run %s wants model %s; this worker has %s: left to others",
                  number, run_id, model, get_embedder().name)
        return
    owner = worker_name()
    if not claim_chunk(run_id, number, owner, settings().lease):
        return
    try:
        work(embedder, owner)
    except Exception as error:
        release_chunk(run_id, number, owner, error)
        raise


@contextmanager
def keeping_loaded() -> Iterator[None]:
    """Commits inside keep what the session has loaded (the chunks must be seen by other
    processes; the run's scope must not be read again)."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire


def embed_run_texts(run: SynthesisRun, texts: Sequence[str], embedder: Embedder, *,
                    progress: Progress | None = None) -> np.ndarray:
    """The vectors of a run's `texts` (as `embed_texts`), embedded across workers in chunks
    when more distinct texts than the threshold are missing from the cache; `progress` then
    counts distinct texts cached over all chunks. Commits (the chunks must be seen by other
    processes), without expiring what the session has loaded.

    Raises ChunkFailed (the run marked failed) when a chunk fails on every try."""
    config = settings()
    distinct = {text_hash(t): t for t in texts}
    if len(distinct) <= config.above:  # too few to fan out, whatever the cache holds
        return embed_texts(texts, embedder, progress=progress)
    cached = cached_hashes(embedder.name, list(distinct))
    missing = [(h, t) for h, t in distinct.items() if h not in cached]
    if len(missing) <= config.above:
        return embed_texts(texts, embedder, progress=progress)
    with keeping_loaded():
        _coordinate(run, [t for _, t in missing], len(distinct), embedder, config, progress)
    return embed_texts(texts, embedder)


def _coordinate(run: SynthesisRun, missing: list[str], total: int, embedder: Embedder,
                config: Settings, progress: Progress | None) -> None:
    chunks = split_chunks(missing, config.size)
    coordinate(run, [len(chunk) for chunk in chunks], total - len(missing), total, config,
               enqueue=lambda n: embed_chunk_task(run.id, n, chunks[n], embedder.name),
               work=lambda n, owner, beat: embed_chunk(run.id, n, chunks[n], embedder, owner,
                                                       beat=beat),
               progress=progress)


def coordinate(run: SynthesisRun, sizes: Sequence[int], base: int, total: int, config: Settings,
               *, enqueue: Callable[[int], object], work: Callable[[int, str, Beat], None],
               progress: Progress | None) -> None:
    """Write a chunk row of each of `sizes`, hand every chunk to the queue (`enqueue(number)`)
    and run chunks here (`work(number, owner, beat)`) from the last one backwards until every
    chunk is done; `progress` counts `base` plus the sizes of the chunks done, of `total`.

    Raises ChunkFailed (the run marked failed) when a chunk fails on every try."""
    db.session.add_all(SynthesisChunk(run_id=run.id, number=n, size=size)
                       for n, size in enumerate(sizes))
    run.params = {**(run.params or {}), "chunks": len(sizes), "chunk_size": config.size}
    db.session.commit()
    if not huey.immediate:
        for number in range(len(sizes)):
            try:
                enqueue(number)
            except QUEUE_ERRORS as error:  # the coordinator embeds what was not handed over
                log.warning("run %s: chunks %d+ not queued: %s", run.id, number, error)
                break
    owner = worker_name()

    def report() -> tuple[int, int, str | None]:
        done, left, failed = _state(run.id)
        db.session.commit()
        if progress is not None:
            progress(base + done, total)
        return done, left, failed

    report()
    poll = min(POLL_EVERY, config.lease.total_seconds() / 2)
    while True:
        mine = next((n for n in _claimable_numbers(run.id, config.lease)
                     if claim_chunk(run.id, n, owner, config.lease)), None)
        if mine is not None:
            try:
                work(mine, owner, report)
            except Exception as error:
                log.warning("run %s: chunk %s failed: %s", run.id, mine, error)
                release_chunk(run.id, mine, owner, error)
            report()
            continue
        _done, left, failed = report()
        if failed is not None:
            run.status, run.finished_at = "failed", utcnow()
            run.message = f"The synthesis failed: {failed}"[:2000]
            db.session.commit()
            raise ChunkFailed(failed)
        if not left:
            return
        time.sleep(poll)


def _claimable_numbers(run_id: int, lease: dt.timedelta) -> list[int]:
    numbers = list(db.session.scalars(
        select(SynthesisChunk.number)
        .where(SynthesisChunk.run_id == run_id, _claimable(lease))  # type: ignore[arg-type]
        .order_by(SynthesisChunk.number.desc())
    ))
    db.session.commit()
    return numbers


def _state(run_id: int) -> tuple[int, int, str | None]:
    """(texts in done chunks, chunks not done, the error of a chunk that failed for good)."""
    done_size, left = db.session.execute(
        select(func.coalesce(func.sum(SynthesisChunk.size).filter(
                   SynthesisChunk.done_at.is_not(None)), 0),
               func.count().filter(SynthesisChunk.done_at.is_(None)))
        .where(SynthesisChunk.run_id == run_id)
    ).one()
    failed = db.session.execute(
        select(SynthesisChunk.number, SynthesisChunk.error)
        .where(SynthesisChunk.run_id == run_id, SynthesisChunk.done_at.is_(None),
               SynthesisChunk.attempts > CHUNK_RETRIES)
        .limit(1)
    ).first()
    message = (f"embedding chunk {failed.number + 1} failed {CHUNK_RETRIES + 1} times "
               f"({failed.error})") if failed is not None else None
    return int(done_size), int(left), message

"""Large scopes across workers: a large run's embedding split into ranges of comment ids.

A scope of PLENARY_SYNTHESIS_LARGE_FROM comments or more is read streamed (`streaming`); its
texts are too many to hand to the queue as task arguments, or to hold in the coordinator. So
when the run has a queue (not HUEY_IMMEDIATE) and more than PLENARY_EMBED_FANOUT_ABOVE
comments, the scope is first cut into consecutive ranges of PLENARY_EMBED_CHUNK comments by id,
one SynthesisChunk row each. A range's task reads its comments itself, embeds the texts the
vector cache lacks and stores them, under the claims, leases, heartbeats and retries of
`fanout`; the coordinator runs ranges from the last one backwards like any chunk. When every
range is done the run reads the scope as before and finds its vectors cached.

With no queue (HUEY_IMMEDIATE: the demo's fixtures, tests) nobody else could take a range, so
the pass would only read the scope twice: the scope is embedded page by page as it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.core.db import db
from app.core.tasks import app_task, huey
from app.embedding.engine import Embedder
from app.feedback.models import Comment
from app.synthesis.fanout import (
    CHUNK_RETRIES,
    RETRY_DELAY,
    Beat,
    Progress,
    coordinate,
    embed_chunk,
    keeping_loaded,
    run_claimed,
    settings,
)
from app.synthesis.models import SynthesisRun
from app.synthesis.streaming import READ_BATCH, comment_filter
from app.synthesis.vectors import joined_text


@dataclass(frozen=True)
class IdRange:
    """The scope's comments with `after` < id ≤ `upto`: `count` of them when it was cut."""

    after: int
    upto: int
    count: int


def id_ranges(round_id: int, provision_ids: Sequence[int], size: int) -> list[IdRange]:
    """The scope's comments in consecutive ranges of `size` by id, covering each once (only
    the ids are read, streamed)."""
    ranges: list[IdRange] = []
    after, count, last = 0, 0, 0
    query = (select(Comment.id).where(*comment_filter(round_id, provision_ids))
             .order_by(Comment.id).execution_options(yield_per=READ_BATCH * 5))
    for (comment_id,) in db.session.execute(query):
        count, last = count + 1, comment_id
        if count == size:
            ranges.append(IdRange(after, last, count))
            after, count = last, 0
    if count:
        ranges.append(IdRange(after, last, count))
    db.session.commit()  # end the read before the chunks are written
    return ranges


def range_texts(round_id: int, provision_ids: Sequence[int], span: IdRange) -> list[str]:
    """The distinct texts of the scope's comments in `span`, in id order."""
    rows = db.session.execute(
        select(Comment.body, Comment.proposed_text)
        .where(*comment_filter(round_id, provision_ids), Comment.id > span.after,
               Comment.id <= span.upto)
        .order_by(Comment.id))
    return list(dict.fromkeys(joined_text(body, proposed) for body, proposed in rows))


def embed_range(run_id: int, number: int, round_id: int, provision_ids: Sequence[int],
                span: IdRange, embedder: Embedder, owner: str, *, beat: Beat | None = None) -> None:
    """Cache the vectors of the range's texts and mark chunk `number` done (`fanout`)."""
    embed_chunk(run_id, number, range_texts(round_id, provision_ids, span), embedder, owner,
                beat=beat)


@app_task(retries=CHUNK_RETRIES, retry_delay=RETRY_DELAY)
def embed_range_task(run_id: int, number: int, round_id: int, provision_ids: list[int],
                     after: int, upto: int, count: int, model: str) -> None:
    """A worker's share of a large scope: embed range `number` unless it is done or held."""
    span = IdRange(after, upto, count)
    run_claimed(run_id, number, model, lambda embedder, owner: embed_range(
        run_id, number, round_id, provision_ids, span, embedder, owner))


def embed_large_scope(run: SynthesisRun, provision_ids: Sequence[int], embedder: Embedder, *,
                      progress: Progress | None = None) -> bool:
    """Embed a large scope across workers, range by range, when the run has a queue to hand
    ranges to and more comments than the fan-out threshold; True if it did. Commits (without
    expiring what the session has loaded). Raises ChunkFailed (the run marked failed) when a
    range fails on every try."""
    config = settings()
    if huey.immediate:
        return False
    ids = list(provision_ids)
    ranges = id_ranges(run.round_id, ids, config.size)
    total = sum(span.count for span in ranges)
    if total <= config.above:
        return False
    with keeping_loaded():
        coordinate(
            run, [span.count for span in ranges], 0, total, config,
            enqueue=lambda n: embed_range_task(run.id, n, run.round_id, ids, ranges[n].after,
                                               ranges[n].upto, ranges[n].count, embedder.name),
            work=lambda n, owner, beat: embed_range(run.id, n, run.round_id, ids, ranges[n],
                                                    embedder, owner, beat=beat),
            progress=progress)
    return True

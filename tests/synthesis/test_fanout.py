"""Large runs across workers (app/synthesis/fanout.py), in one process: chunks, retries,
leases and progress. The queue runs inline here (HUEY_IMMEDIATE), so the coordinator runs
every chunk itself through the same functions a worker uses; test_fanout_workers.py runs them
in real worker processes on Redis.

The HashingEmbedder FAKE stands in for the model (loading it takes seconds and nothing here
depends on what the vectors mean); test_fanout_workers.py has a run with the real model.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, update

from app.core.db import db, utcnow
from app.embedding.engine import HashingEmbedder, text_hash
from app.embedding.services import cached_hashes
from app.synthesis.fanout import ChunkFailed, split_chunks
from app.synthesis.models import SynthesisChunk
from app.synthesis.services import create_run, execute_run, scope_comments, scope_of
from app.synthesis.vectors import comment_text


@pytest.fixture
def fan_out(app: Any) -> Iterator[None]:
    """Fan out above 3 missing texts, in chunks of 4, with a one-second lease."""
    keys = ("PLENARY_EMBED_FANOUT_ABOVE", "PLENARY_EMBED_CHUNK", "PLENARY_EMBED_LEASE")
    before = {key: app.config.get(key) for key in keys}
    app.config.update(dict(zip(keys, (3, 4, 1), strict=True)))
    yield
    app.config.update(before)


class Flaky(HashingEmbedder):
    """The fake embedder, failing its first `failures` calls, and calling `before` first."""

    def __init__(self, failures: int = 0, before: Any = None) -> None:
        super().__init__()
        self.failures, self.before, self.calls = failures, before, 0

    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        self.calls += 1
        if self.before is not None:
            self.before, before = None, self.before
            before()
        if self.calls <= self.failures:
            raise RuntimeError("the model fell over")
        return super().encode(texts, **kwargs)


def _chunks(run: Any) -> list[SynthesisChunk]:
    return list(db.session.scalars(select(SynthesisChunk).where(SynthesisChunk.run_id == run.id)
                                   .order_by(SynthesisChunk.number)))


def _distinct(run: Any) -> set[str]:
    return {text_hash(comment_text(c)) for c in scope_comments(scope_of(run))}


def test_chunks_cover_every_text_exactly_once() -> None:
    items = list(range(10))
    chunks = split_chunks(items, 4)
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert sorted(i for c in chunks for i in c) == items
    assert split_chunks([], 4) == []


def test_a_large_run_embeds_in_chunks_and_finds_the_same_themes(feedback: Any, fan_out: Any,
                                                                app: Any) -> None:
    run = execute_run(create_run(feedback["round"], provision="documentation"))
    assert run.status == "done"
    chunks = _chunks(run)
    distinct = _distinct(run)
    assert len(chunks) == -(-len(distinct) // 4) > 1
    assert sum(c.size for c in chunks) == len(distinct)
    assert all(c.done_at is not None and c.attempts == 0 for c in chunks)
    assert cached_hashes("hashing-fake", list(distinct)) == distinct
    app.config["PLENARY_EMBED_FANOUT_ABOVE"] = 10_000
    again = execute_run(create_run(feedback["round"], provision="documentation"))
    assert _chunks(again) == []
    assert [sorted(m.comment_id for m in t.members) for t in run.themes] == \
        [sorted(m.comment_id for m in t.members) for t in again.themes]


def test_a_small_run_is_embedded_in_one_piece(feedback: Any, app: Any) -> None:
    run = execute_run(create_run(feedback["round"], provision="documentation"))
    assert run.status == "done" and _chunks(run) == []


def test_a_chunk_that_raises_once_is_tried_again_and_the_run_finishes(feedback: Any,
                                                                      fan_out: Any) -> None:
    run = execute_run(create_run(feedback["round"], provision="documentation"),
                      embedder=Flaky(failures=1))
    assert run.status == "done"
    tried = [c for c in _chunks(run) if c.attempts]
    assert len(tried) == 1 and "the model fell over" in tried[0].error
    assert all(c.done_at is not None for c in _chunks(run))


def test_a_chunk_that_fails_every_try_fails_the_run_with_its_error(feedback: Any,
                                                                   fan_out: Any) -> None:
    run = create_run(feedback["round"], provision="documentation")
    with pytest.raises(ChunkFailed, match="failed 3 times"):
        execute_run(run, embedder=Flaky(failures=10_000))
    assert run.status == "failed" and "the model fell over" in run.message


def test_a_chunk_held_by_a_dead_worker_is_run_again_once_its_lease_expires(
        feedback: Any, fan_out: Any) -> None:
    run = create_run(feedback["round"], provision="documentation")

    def a_worker_claims_chunk_zero_and_dies() -> None:
        db.session.execute(update(SynthesisChunk)
                           .where(SynthesisChunk.run_id == run.id, SynthesisChunk.number == 0)
                           .values(claimed_by="host:4242:1", heartbeat_at=utcnow()))
        db.session.commit()

    start = time.monotonic()
    execute_run(run, embedder=Flaky(before=a_worker_claims_chunk_zero_and_dies))
    assert run.status == "done"
    first = _chunks(run)[0]
    assert first.done_at is not None and first.claimed_by != "host:4242:1"
    assert time.monotonic() - start >= 1  # it waited for the lease (one second here)


def test_progress_counts_texts_cached_over_all_chunks(feedback: Any, fan_out: Any) -> None:
    seen: list[tuple[int, int]] = []
    run = execute_run(create_run(feedback["round"], provision="documentation"),
                      progress=lambda done, total: seen.append((done, total)))
    distinct = len(_distinct(run))
    embedding = [(d, t) for d, t in seen if t == distinct + 1]
    assert embedding[0][0] == 0
    assert [d for d, _ in embedding] == sorted(d for d, _ in embedding)
    assert {d for d, _ in embedding} >= {4, 8, distinct}
    assert seen[-1] == (run.progress_total, run.progress_total)
    assert run.percent == 100


def test_the_run_page_shows_progress_over_every_chunk(client: Any, create_user: Any,
                                                      feedback: Any, auth: Any) -> None:
    auth.login(create_user("chair1@example.org", groups=[("wg1", "chair")]).email)
    run = create_run(feedback["round"], provision="documentation")
    run.status, run.progress_done, run.progress_total = "running", 8, 20
    run.params = {**run.params, "chunks": 5}
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert 'value="8"' in page and "8 of 20 steps" in page
    assert "embedded in 5 chunks, shared among the workers" in page

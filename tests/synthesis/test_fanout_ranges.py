"""Large scopes across workers (app/synthesis/fanout_ranges.py), in one process: ranges of
comment ids as chunks, retries, leases, and the same themes as a run without a queue.

The queue here is a real Huey queue in memory with no consumer (HUEY_IMMEDIATE off): the
ranges are handed to it and nobody takes them, so the coordinator runs every range itself
through the same functions a worker uses; test_fanout_workers.py has two real worker processes
on Redis take ranges of a large scope. The HashingEmbedder FAKE stands in for the model, as in
the other synthesis tests (nothing here depends on what the vectors mean).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from huey.storage import MemoryStorage
from sqlalchemy import insert, select

from app.core.db import db, utcnow
from app.core.tasks import huey
from app.embedding.engine import HashingEmbedder, text_hash
from app.embedding.services import cached_hashes
from app.feedback.models import Comment
from app.synthesis.fanout import ChunkFailed
from app.synthesis.fanout_ranges import IdRange, id_ranges, range_texts
from app.synthesis.models import SynthesisChunk, ThemeMember
from app.synthesis.services import create_run, execute_run
from app.synthesis.vectors import joined_text

TOPICS = ["documentation updates every six months", "simplified reporting forms for SMEs",
          "a public summary of copyrighted training data", "independent audits of safety"]


@pytest.fixture
def large(app: Any) -> Iterator[None]:
    """Scopes of 40 comments or more are large; fan out above 10, in ranges of 16."""
    keys = ("PLENARY_SYNTHESIS_LARGE_FROM", "PLENARY_EMBED_FANOUT_ABOVE", "PLENARY_EMBED_CHUNK",
            "PLENARY_EMBED_LEASE")
    before = {key: app.config.get(key) for key in keys}
    app.config.update(dict(zip(keys, (40, 10, 16, 1), strict=True)))
    yield
    app.config.update(before)


@pytest.fixture
def queue() -> Iterator[Any]:
    """A queue with no consumer: what is enqueued stays there."""
    before = huey.immediate, huey.storage
    huey.immediate, huey.storage = False, MemoryStorage("ranges-test")
    yield huey
    huey.immediate, huey.storage = before


@pytest.fixture
def scope(create_round: Any, create_provision: Any, create_user: Any) -> Any:
    """A measure with 100 comments (each text twice: 50 distinct), plus a reply, a hidden and
    a withdrawn comment the run leaves out."""
    round_ = create_round(1, visibility="plenary", window="closed")
    provision = create_provision(round_, "documentation", title="Documentation")
    author = create_user(category="industry", password=None)
    base = {"round_id": round_.id, "provision_id": provision.id, "author_id": author.id,
            "stance": "amend"}
    db.session.execute(insert(Comment), [
        {**base, "body": f"We ask for {TOPICS[i % 50 % 4]}, point {i % 50} of our submission."}
        for i in range(100)])
    first = db.session.scalar(select(Comment.id).order_by(Comment.id))
    db.session.execute(insert(Comment), [
        {**base, "body": "A reply that is no comment of its own.", "parent_id": first},
        {**base, "body": "Hidden by the secretariat.", "hidden_at": utcnow()},
        {**base, "body": "Taken back by its author.", "status": "withdrawn"}])
    db.session.commit()
    return round_


def _chunks(run: Any) -> list[SynthesisChunk]:
    return list(db.session.scalars(select(SynthesisChunk).where(SynthesisChunk.run_id == run.id)
                                   .order_by(SynthesisChunk.number)))


def _partition(run: Any) -> set[frozenset[int]]:
    themes: dict[Any, set[int]] = {}
    for comment_id, theme_id in db.session.execute(
            select(ThemeMember.comment_id, ThemeMember.theme_id)
            .where(ThemeMember.run_id == run.id)):
        themes.setdefault(theme_id, set()).add(comment_id)
    return {frozenset(members) for members in themes.values()}


def test_ranges_cover_every_comment_of_the_scope_once(scope: Any, large: Any) -> None:
    ids = [p.id for p in scope.provisions]
    ranges = id_ranges(scope.id, ids, 16)
    assert [r.count for r in ranges] == [16] * 6 + [4]
    assert all(a.upto == b.after for a, b in zip(ranges, ranges[1:], strict=False))
    covered = [c for r in ranges for c in db.session.scalars(
        select(Comment.id).where(Comment.round_id == scope.id, Comment.id > r.after,
                                 Comment.id <= r.upto, Comment.parent_id.is_(None),
                                 Comment.hidden_at.is_(None), Comment.status != "withdrawn"))]
    assert len(covered) == len(set(covered)) == 100
    texts = range_texts(scope.id, ids, IdRange(0, ranges[-1].upto, 100))
    assert len(texts) == 50  # each distinct text once
    assert "Hidden by the secretariat." not in texts


def test_a_large_scope_with_a_queue_is_embedded_in_ranges_with_the_same_themes(
        scope: Any, large: Any, queue: Any, app: Any) -> None:
    run = execute_run(create_run(scope), embedder=HashingEmbedder())
    db.session.commit()
    assert run.status == "done", run.message
    chunks = _chunks(run)
    assert [c.size for c in chunks] == [16] * 6 + [4]
    assert all(c.done_at is not None for c in chunks)
    assert queue.pending_count() == 7  # every range was handed to the queue
    texts = {joined_text(body, proposed) for body, proposed in db.session.execute(
        select(Comment.body, Comment.proposed_text).where(Comment.round_id == scope.id,
                                                          Comment.body.like("We ask%")))}
    hashes = [text_hash(t) for t in texts]
    assert cached_hashes(HashingEmbedder().name, hashes) == set(hashes)
    queue.immediate = True  # no queue: embedded page by page while read, no ranges
    again = execute_run(create_run(scope), embedder=HashingEmbedder())
    db.session.commit()
    assert _chunks(again) == []
    assert _partition(again) == _partition(run)


class FailingOnce(HashingEmbedder):
    def __init__(self, failures: int, name: str) -> None:
        super().__init__(name=name)  # a cache of its own: each run has every text to embed
        self.failures = failures

    def encode(self, texts: Any, **kwargs: Any) -> np.ndarray:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the model fell over")
        return super().encode(texts, **kwargs)


def test_a_range_that_raises_is_tried_again_and_one_that_always_fails_fails_the_run(
        scope: Any, large: Any, queue: Any) -> None:
    run = execute_run(create_run(scope), embedder=FailingOnce(1, "fails-once"))
    db.session.commit()
    assert run.status == "done"
    assert sum(c.attempts for c in _chunks(run)) == 1
    failing = create_run(scope)
    with pytest.raises(ChunkFailed, match="failed 3 times"):
        execute_run(failing, embedder=FailingOnce(10**6, "fails-always"))
    assert failing.status == "failed" and "the model fell over" in failing.message


def test_progress_runs_forward_over_the_ranges_then_the_reading(scope: Any, large: Any,
                                                               queue: Any) -> None:
    seen: list[tuple[int, int]] = []
    execute_run(create_run(scope), embedder=HashingEmbedder(),
                progress=lambda done, total: seen.append((done, total)))
    done = [d for d, _ in seen]
    assert done == sorted(done)  # never back to the start when the reading begins
    assert {total for _, total in seen} == {201}  # two passes of 100 comments, then clustering
    assert (4, 201) in seen and (100, 201) in seen  # the last range first, then all of them
    assert seen[-1] == (201, 201)

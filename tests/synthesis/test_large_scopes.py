"""Large scopes: read streamed, themed in two stages, written in bulk, all or nothing.

The threshold (PLENARY_SYNTHESIS_LARGE_FROM, 20,000 comments by default) is lowered here so
that a few hundred comments take the large path; runs use the HashingEmbedder FAKE like the
other synthesis tests, on the suite's database (SQLite, or PostgreSQL in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import event, insert, select

from app.core.db import db
from app.embedding.services import get_embedder
from app.feedback.models import Comment
from app.synthesis import bulk, streaming, tasks
from app.synthesis.models import CampaignGroup, SynthesisRun, ThemeMember
from app.synthesis.services import (
    create_run,
    latest_run,
    run_synthesis,
    scope_of,
    scope_provisions,
)
from bench.consultation_data import load_consultation, recombined_scope

LETTER = ("We ask the chairs to protect creators: every provider must publish which "
          "copyrighted works were used in training and pay fair remuneration to authors.")


@pytest.fixture
def large_from(app: Any) -> Iterator[Any]:
    """Set the large-scope threshold for one test."""
    previous = app.config.get("PLENARY_SYNTHESIS_LARGE_FROM")

    def set_to(value: int) -> None:
        app.config["PLENARY_SYNTHESIS_LARGE_FROM"] = value

    yield set_to
    app.config["PLENARY_SYNTHESIS_LARGE_FROM"] = previous


@pytest.fixture
def scope(create_round: Any, create_provision: Any, create_user: Any) -> Any:
    """A measure with `n` comments recombined from the hand-written consultation set (two
    measures' themes, noise, and a campaign letter sent 30 times), inserted in bulk."""
    def make(n: int) -> Any:
        round_ = create_round(1, visibility="plenary", window="closed")
        provision = create_provision(round_, "documentation", title="Documentation")
        _, rows = load_consultation()
        texts = [r["text"] for r in recombined_scope(
            rows, ["incident-reporting", "training-data-summary"], n - 30)]
        texts += [LETTER] * 25 + [f"{LETTER} Signed, member {i}." for i in range(5)]
        authors = [create_user(category=c, password=None) for c in ("industry", "academia")]
        db.session.execute(insert(Comment), [
            {"round_id": round_.id, "provision_id": provision.id, "body": text,
             "author_id": authors[i % 2].id, "stance": "amend"}
            for i, text in enumerate(texts)])
        db.session.commit()
        return round_
    return make


def _partition(run: SynthesisRun) -> dict[int, int | None]:
    return dict(db.session.execute(select(ThemeMember.comment_id, ThemeMember.theme_id)
                                   .where(ThemeMember.run_id == run.id)).all())


@pytest.fixture
def statements() -> Iterator[list[tuple[str, dict]]]:
    """Every SQL statement run during the test, with its execution options."""
    seen: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((" ".join(statement.split()).upper(), dict(context.execution_options)))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


STREAMED = "SELECT COMMENTS.ID, COMMENTS.BODY, COMMENTS.PROPOSED_TEXT FROM COMMENTS"
WHOLE = "SELECT COMMENTS.ID, COMMENTS.ROUND_ID"


def test_a_large_scope_is_read_in_bounded_batches_through_a_streamed_query(
    scope: Any, large_from: Any, statements: list[tuple[str, dict]]
) -> None:
    round_ = scope(300)
    large_from(100)
    run = create_run(round_, provision="documentation")
    reported: list[int] = []
    provisions = [p.id for p in scope_provisions(scope_of(run))]
    rows = streaming.read_scope(run.round_id, provisions, get_embedder(), batch=64, page=128,
                                report=lambda done, total: reported.append(done))
    assert rows.batches == [64, 64, 64, 64, 44]
    streamed = [options for sql, options in statements if sql.startswith(STREAMED)]
    assert len(streamed) == 3  # pages of 128, 128 and 44 rows
    assert all(o.get("yield_per") == 64 and o.get("stream_results") for o in streamed)
    assert reported == [128, 256, 300]  # between pages, when no cursor is open
    ids = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
    assert rows.ids.tolist() == ids
    assert rows.vectors.dtype == np.float16 and rows.vectors.shape == (300, 384)


def test_the_two_stage_path_is_taken_from_the_threshold_and_writes_in_bulk(
    scope: Any, large_from: Any, statements: list[tuple[str, dict]], monkeypatch: Any
) -> None:
    round_ = scope(300)
    large_from(301)
    small = run_synthesis(round_, provision="documentation")
    assert any(sql.startswith(WHOLE) for sql, _ in statements)
    assert not any(sql.startswith(STREAMED) for sql, _ in statements)
    statements.clear()
    large_from(300)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 100)
    large = run_synthesis(round_, provision="documentation")
    assert sum(sql.startswith("INSERT INTO THEME_MEMBERS") for sql, _ in statements) == 3
    assert any(sql.startswith(STREAMED) for sql, _ in statements)
    assert not any(sql.startswith(WHOLE) for sql, _ in statements)  # no Comment objects
    assert bulk.member_count(large) == bulk.member_count(small) == 300
    assert large.status == "done" and len(large.themes) >= 2
    assert large.message.startswith("300 comments in ")
    for theme in large.themes:
        assert theme.size > 0 and theme.label and len(theme.representatives) >= 1
        assert sum(theme.by_category.values()) == theme.size


def test_two_stage_runs_of_the_same_scope_give_identical_themes(
    scope: Any, large_from: Any
) -> None:
    round_ = scope(300)
    large_from(100)
    first = run_synthesis(round_, provision="documentation")
    second = run_synthesis(round_, provision="documentation")
    a, b = _partition(first), _partition(second)
    ids = {t.id: t.identity_id for t in first.themes} | {t.id: t.identity_id
                                                          for t in second.themes}
    assert {c: ids.get(t) for c, t in a.items()} == {c: ids.get(t) for c, t in b.items()}
    assert [t.label for t in sorted(first.themes, key=lambda t: t.position)] == \
        [t.label for t in sorted(second.themes, key=lambda t: t.position)]


def test_the_two_stage_path_agrees_with_the_one_stage_path_on_a_mid_size_scope(
    scope: Any, large_from: Any
) -> None:
    round_ = scope(2400)
    large_from(10**9)
    one = _partition(run_synthesis(round_, provision="documentation"))
    large_from(100)
    two = _partition(run_synthesis(round_, provision="documentation"))
    both = [c for c in one if one[c] is not None and two[c] is not None]
    assert len(both) >= 0.8 * len(one)
    assert adjusted_rand_score([one[c] for c in both], [two[c] for c in both]) >= 0.5


def test_a_campaign_in_a_large_scope_is_one_group_with_its_additions(
    scope: Any, large_from: Any
) -> None:
    round_ = scope(300)
    large_from(100)
    run = run_synthesis(round_, provision="documentation")
    campaign = max(run.campaigns, key=lambda c: c.size)
    assert campaign.size == 30 and campaign.template == LETTER
    additions = sorted(m.addition for m in campaign.members if m.addition)
    assert additions == [f"Signed, member {i}." for i in range(5)]


def test_a_failure_mid_write_leaves_the_previous_synthesis_intact(
    scope: Any, large_from: Any, monkeypatch: Any
) -> None:
    round_ = scope(300)
    large_from(100)
    previous = run_synthesis(round_, provision="documentation")
    db.session.commit()
    before = _partition(previous)
    themes_before = sorted((t.label, t.size) for t in previous.themes)

    def broken(*args: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bulk, "_store_campaigns", broken)  # members are written by then
    run = create_run(round_, provision="documentation")
    db.session.commit()
    tasks.queue_synthesis(run)  # HUEY_IMMEDIATE: runs now, rolls back, marks the run failed
    db.session.refresh(run)
    assert run.status == "failed" and "the disk is full" in run.message
    assert bulk.member_count(run) == 0 and not run.themes
    assert db.session.scalars(select(CampaignGroup).where(CampaignGroup.run_id == run.id)
                              ).first() is None
    assert latest_run(round_, provision="documentation").id == previous.id
    db.session.expire_all()
    assert _partition(previous) == before
    assert sorted((t.label, t.size) for t in previous.themes) == themes_before


def test_a_large_run_in_the_worker_commits_its_progress_between_pages(
    scope: Any, large_from: Any, monkeypatch: Any
) -> None:
    round_ = scope(300)
    large_from(100)
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(streaming, "READ_PAGE", 100)
    run = create_run(round_, provision="documentation")
    db.session.commit()
    tasks.queue_synthesis(run)
    db.session.refresh(run)
    assert run.status == "done" and run.comment_count == 300
    assert bulk.member_count(run) == 300

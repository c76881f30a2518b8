"""Work a run leaves out or keeps small: the numerical libraries on one thread while themes are
built, the run's own comment vectors reused for titles and summaries, keyword labels only where
no title was found, campaigns read in one query when figures are refreshed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event
from threadpoolctl import threadpool_info, threadpool_limits

from app.core.db import db
from app.embedding.engine import HashingEmbedder, text_hash
from app.synthesis import figures, labels, themes, vectors
from app.synthesis.services import run_synthesis
from app.synthesis.vectors import comment_text, text_vectors
from app.synthesis.workspace import refresh_run


def test_themes_are_built_with_the_numerical_libraries_on_one_thread(
    feedback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = themes._kmeans

    def recording(*args: Any, **kwargs: Any) -> np.ndarray:
        seen.extend(int(lib["num_threads"]) for lib in threadpool_info())
        return real(*args, **kwargs)

    monkeypatch.setattr(themes, "_kmeans", recording)
    with threadpool_limits(limits=4):  # more than one, whatever the machine's cores
        run_synthesis(feedback["round"], provision="documentation")
    assert seen and set(seen) == {1}


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        self.embedded.extend(texts)
        return super().encode(texts, **kwargs)


def test_known_texts_take_their_given_vector_and_only_the_others_are_embedded(
    database: Any,
) -> None:
    embedder = CountingEmbedder()
    mine = np.zeros(embedder.dim, np.float32)
    mine[3] = 1.0
    found = text_vectors(["a comment of the run", "a new phrase", "a comment of the run"],
                         embedder, {"a comment of the run": mine})
    assert embedder.embedded == ["a new phrase"]
    np.testing.assert_array_equal(found[0], mine)
    np.testing.assert_array_equal(found[2], mine)
    np.testing.assert_array_equal(found[1], HashingEmbedder().encode(["a new phrase"])[0])


def test_titles_and_summaries_take_the_comments_vectors_from_the_run_not_the_cache(
    feedback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = vectors.cached_vectors

    def recording(model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        asked.extend(hashes)
        return real(model, hashes)

    monkeypatch.setattr(vectors, "cached_vectors", recording)
    run = run_synthesis(feedback["round"], provision="documentation")
    assert asked  # phrases and sentences are looked for
    assert not {text_hash(comment_text(m.comment)) for m in run.members} & set(asked)
    assert all(t.label and t.summary for t in run.themes)


def test_keyword_labels_are_worked_out_only_for_themes_left_without_a_title(
    feedback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Sequence[str]] = []
    real = labels.label_from_keywords

    def counting(keywords: Sequence[str], docs: Sequence[str]) -> str:
        calls.append(keywords)
        return real(keywords, docs)

    monkeypatch.setattr(labels, "label_from_keywords", counting)
    untitled = {1}  # the second theme (by first found) gets no title from `describe_themes`
    real_describe = figures.describe_themes

    def describe(texts: Any, embed: Any, **kwargs: Any) -> list[Any]:
        found = real_describe(texts, embed, **kwargs)
        return [type(d)("" if i in untitled else d.title, d.summary) for i, d in enumerate(found)]

    monkeypatch.setattr(figures, "describe_themes", describe)
    run = run_synthesis(feedback["round"], provision="documentation")
    assert len(run.themes) >= 2 and len(calls) == 1
    assert all(t.label and t.label != "(no keywords)" for t in run.themes)


def test_refreshing_a_run_reads_its_campaigns_in_one_query_however_many(
    feedback: Any, add_comments: Any
) -> None:
    letter = ("Please keep the reporting window at five working days for small providers, "
              "since they cannot staff an incident desk around the clock.")
    add_comments(feedback["doc"], [letter, letter, letter + " We are a team of four."],
                  category="sme", stance="amend")
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    assert len(run.campaigns) >= 2
    db.session.expire_all()
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()).upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        refresh_run(run)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # Members carry their campaign (theme_members.campaign_id): never a query per campaign.
    assert sum("FROM CAMPAIGN_MEMBERS" in s for s in seen) <= 1
    assert sum(t.campaign_count for t in run.themes) >= 1

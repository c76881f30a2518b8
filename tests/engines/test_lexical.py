"""The words comments share weigh beside their embeddings when themes are found (lexical.py)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from app.embedding.engine import unit_rows
from app.synthesis.lexical import with_words
from app.synthesis.themes import theme_points

DEADLINES = ["deadline", "hours", "notification", "late", "days", "clock", "weekend", "delay"]
TEMPLATES = ["template", "format", "fields", "standard", "form", "layout", "schema", "columns"]


def _scope(n: int = 30, seed: int = 0) -> tuple[np.ndarray, list[str], np.ndarray]:
    """2n comments on one measure whose embeddings carry no structure (one direction and
    noise), half of them speaking of deadlines, half of templates."""
    rng = np.random.default_rng(seed)
    points = unit_rows(np.ones((2 * n, 16)) + 0.3 * rng.standard_normal((2 * n, 16)))
    truth = np.repeat([0, 1], n)
    texts = [
        "The incident report " + " ".join(rng.choice(words, 3, replace=False)) + " matters."
        for words in (DEADLINES, TEMPLATES)
        for _ in range(n)
    ]
    return points, texts, truth


def _purity(themes: np.ndarray, truth: np.ndarray) -> float:
    """Share of comments in a theme whose commonest true theme is their own."""
    return sum(
        Counter(truth[themes == t].tolist()).most_common(1)[0][1] for t in set(themes.tolist())
    ) / len(truth)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_words_tell_apart_themes_the_embeddings_cannot(seed):
    points, texts, truth = _scope(seed=seed)
    assert _purity(theme_points(points, texts, seed=0), truth) >= 0.8
    assert _purity(theme_points(points, seed=0), truth) <= 0.6


def test_the_joined_vector_weighs_both_parts_and_is_deterministic():
    points, texts, _ = _scope(10)
    joined = with_words(points, texts, seed=3)
    assert joined.shape[0] == len(texts) and joined.shape[1] > points.shape[1]
    assert np.allclose(np.linalg.norm(joined, axis=1), 1.0)
    assert np.array_equal(joined, with_words(points, texts, seed=3))


def test_texts_that_share_no_word_leave_the_embeddings_alone():
    points, _, _ = _scope(3)
    texts = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    centred = unit_rows(points - points.mean(axis=0))
    assert np.allclose(with_words(points, texts), centred)
    two = points[:2]
    assert np.allclose(with_words(two, texts[:2]), unit_rows(two - two.mean(axis=0)))
    with pytest.raises(ValueError):
        with_words(points, texts[:2])

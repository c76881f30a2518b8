"""Clustering: estimated themes, unassigned content-free rows, edge cases, stable identities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.embedding.engine import HashingEmbedder
from app.synthesis.clustering import cluster, is_content_free, match_themes, two_stage_cluster

TOPICS = {
    "deadline": [
        "the reporting deadline of two days is far too short for serious incidents",
        "two days is too short a deadline to report a serious incident properly",
        "please extend the deadline for reporting serious incidents beyond two days",
        "a serious incident cannot be reported within two days, the deadline is too short",
    ],
    "crawler": [
        "providers should publish the names of their web crawlers and user agents",
        "providers must publish the names of all web crawlers and their user agents",
        "publish the names of the web crawlers and user agents so site owners can block them",
        "the names of all web crawlers and their user agents must be published by providers",
    ],
    "energy": [
        "report the energy consumption of training in the model documentation",
        "model documentation should include the training energy consumption",
        "energy consumption during training belongs in the documentation of the model",
        "the documentation must state the energy consumption of model training",
    ],
}


def mixture(n: int, k: int, dim: int = 32, spread: float = 0.05, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, dim))
    truth = rng.integers(0, k, n)
    points = centres[truth] / np.linalg.norm(centres[truth], axis=1, keepdims=True)
    points = points + rng.standard_normal((n, dim)) * spread
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32), truth


def same_partition(a, b) -> bool:
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "+1",
        "Agree.",
        "see attachment",
        "See attached position paper.",
        "👍👍",
        "...",
        "N/A",
        "Fully agree!",
        "No comment.",
        "I agree with the proposal",
    ],
)
def test_content_free_comments_are_recognised(text):
    assert is_content_free(text)


@pytest.mark.parametrize(
    "text",
    [
        "Deadlines too short.",
        "Publish the crawler names.",
        "Wir unterstützen diese Maßnahme",
        "我们支持这项措施并建议延长期限",
    ],
)
def test_short_comments_with_a_point_are_not_content_free(text):
    assert not is_content_free(text)


def test_texts_on_three_topics_form_three_themes():
    texts = [t for group in TOPICS.values() for t in group]
    result = cluster(HashingEmbedder().encode(texts), texts)
    truth = [i for i, group in enumerate(TOPICS.values()) for _ in group]
    assert result.k == 3
    assert same_partition(result.labels, truth)


def test_content_free_rows_are_unassigned_and_the_rest_are_not():
    texts = [*TOPICS["deadline"], "+1", *TOPICS["crawler"], "see attachment"]
    result = cluster(HashingEmbedder().encode(texts), texts)
    assert [i for i, label in enumerate(result.labels) if label == -1] == [4, 9]


def test_the_number_of_themes_is_estimated_from_the_data():
    vectors, truth = mixture(300, 6)
    result = cluster(vectors, ["a real point of view"] * 300)
    assert result.k == 6
    assert same_partition(result.labels, truth.tolist())


def test_many_rows_go_through_micro_clusters_and_still_find_the_themes():
    vectors, truth = mixture(1500, 5)
    result = cluster(vectors, ["a real point of view"] * 1500)
    assert result.k == 5
    assert same_partition(result.labels, truth.tolist())


def test_clustering_is_deterministic():
    vectors, _ = mixture(200, 5, spread=0.3)
    texts = ["a real point of view"] * 200
    first, second = cluster(vectors, texts), cluster(vectors, texts)
    assert first.labels == second.labels
    assert np.array_equal(first.centroids, second.centroids)


def test_themes_are_numbered_by_size_with_unit_centroids():
    vectors, _ = mixture(200, 4, spread=0.05)
    result = cluster(vectors, ["a real point of view"] * 200)
    sizes = [result.labels.count(t) for t in range(result.k)]
    assert sizes == sorted(sizes, reverse=True)
    assert result.centroids.shape == (result.k, 32)
    assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-5)


def test_no_rows_give_no_themes():
    result = cluster(np.zeros((0, 8), np.float32), [])
    assert (result.k, result.labels, result.centroids.shape) == (0, (), (0, 8))


def test_one_row_is_one_theme():
    result = cluster(
        HashingEmbedder().encode(["deadlines are too short"]), ["deadlines are too short"]
    )
    assert (result.k, result.labels) == (1, (0,))


def test_identical_rows_are_one_theme():
    texts = ["the deadline is too short for us"] * 7
    result = cluster(HashingEmbedder().encode(texts), texts)
    assert (result.k, set(result.labels)) == (1, {0})


def test_only_content_free_rows_give_no_themes():
    texts = ["+1", "agree", ""]
    result = cluster(HashingEmbedder().encode(texts), texts)
    assert (result.k, result.labels) == (0, (-1, -1, -1))


def test_very_long_and_non_english_texts_are_clustered():
    texts = [
        *TOPICS["deadline"],
        "Die Frist von zwei Tagen ist zu kurz. " * 500,
        "期限太短了，请延长报告期限",
    ]
    result = cluster(HashingEmbedder().encode(texts), texts)
    assert all(label >= 0 for label in result.labels)


def test_a_theme_smaller_than_the_minimum_is_folded_into_the_nearest():
    vectors, _ = mixture(60, 3, spread=0.05)
    lonely = np.eye(32, dtype=np.float32)[:1] * 0.6 + vectors[:1] * 0.8
    lonely /= np.linalg.norm(lonely)
    all_vectors = np.vstack([vectors, lonely])
    result = cluster(all_vectors, ["a real point of view"] * 61, min_theme_size=3)
    assert result.k == 3
    assert result.labels[60] == result.labels[0]


def test_a_row_unlike_every_theme_is_unassigned_as_off_topic():
    vectors, truth = mixture(60, 3, spread=0.05)
    means = np.stack([vectors[truth == t].mean(axis=0) for t in range(3)])
    centres = np.linalg.qr(means.T)[0]
    stray = np.random.default_rng(5).standard_normal(32)
    stray -= centres @ (centres.T @ stray)
    stray = (stray / np.linalg.norm(stray)).astype(np.float32)
    result = cluster(np.vstack([vectors, stray]), ["a real point of view"] * 61)
    assert result.labels[60] == -1
    assert result.labels.count(-1) == 1


def test_shapes_that_disagree_are_refused():
    with pytest.raises(ValueError):
        cluster(np.zeros((2, 4), np.float32), ["only one text"])


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(0, 3))
def test_every_row_gets_a_theme_or_minus_one(n, seed):
    vectors, _ = mixture(n, 3, spread=0.4, seed=seed)
    result = cluster(vectors, ["a real point of view"] * n)
    assert len(result.labels) == n
    assert set(result.labels) <= set(range(-1, result.k))
    assert set(range(result.k)) <= set(result.labels)


def test_match_themes_pairs_reordered_centroids():
    old = np.eye(4, dtype=np.float32)
    new = old[[2, 0, 3]] * 0.98 + 0.02
    assert match_themes(old, new) == {0: 2, 1: 0, 2: 3}


def test_match_themes_leaves_new_themes_unmatched_below_the_threshold():
    old = np.eye(3, dtype=np.float32)
    new = np.array([[1, 0, 0], [0, 0.5, 0.5]], dtype=np.float32)
    assert match_themes(old, new, threshold=0.8) == {0: 0}


def test_match_themes_is_one_to_one():
    old = np.array([[1, 0]], dtype=np.float32)
    new = np.array([[1, 0.01], [1, 0.02]], dtype=np.float32)
    assert match_themes(old, new) == {0: 0}


def test_two_stage_recovers_the_themes_of_many_rows():
    vectors, truth = mixture(2000, 6, spread=0.05)
    result = two_stage_cluster(vectors, micro_clusters=60)
    assert result.k == 6
    assert same_partition(result.labels, truth.tolist())


def test_two_stage_leaves_content_free_rows_unassigned():
    vectors, _ = mixture(400, 3)
    texts = ["a real point of view"] * 400
    texts[5] = "+1"
    result = two_stage_cluster(vectors, texts, micro_clusters=20)
    assert result.labels[5] == -1 and result.labels.count(-1) == 1

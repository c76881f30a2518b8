"""find_themes: noise aside, short points kept, campaigns counted once, near-duplicate themes
merged, a sane number of themes on small and large scopes, determinism.

Vectors come from the HashingEmbedder fake (shared words -> similar vectors) or are synthetic
mixtures of unit directions; the real model is measured in bench/bench_synthesis_quality.py.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from app.embedding.engine import HashingEmbedder
from app.synthesis.themes import find_themes, merge_alike, prior_themes

DEADLINE = [
    "the reporting deadline of two days is far too short for serious incidents",
    "two days is too short a deadline to report a serious incident properly",
    "please extend the deadline for reporting serious incidents beyond two days",
    "a serious incident cannot be reported within two days, the deadline is too short",
    "the two day deadline for incident reports is too short for small teams",
]
CRAWLER = [
    "providers should publish the names of their web crawlers and user agents",
    "providers must publish the names of all web crawlers and their user agents",
    "publish the names of the web crawlers and user agents so site owners can block them",
    "the names of all web crawlers and their user agents must be published by providers",
    "web crawlers and user agents must be named publicly by providers",
]
ENERGY = [
    "report the energy consumption of training in the model documentation",
    "model documentation should include the training energy consumption",
    "energy consumption during training belongs in the documentation of the model",
    "the documentation must state the energy consumption of model training",
    "training energy consumption must be stated in the model documentation",
]
POINT = "the deadline for incident reports is too short for small firms"
LETTER = (
    "As a member of the alliance of small companies I ask you to simplify incident reporting "
    "for small and medium sized enterprises with one short form and free support."
)


def mixture(n: int, k: int, dim: int = 48, spread: float = 0.25, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, k, n)
    points = centres[truth] + rng.standard_normal((n, dim)) * spread / np.sqrt(dim) * 4
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32), truth


def themes_of(texts):
    return find_themes(HashingEmbedder().encode(texts), texts)


def test_three_topics_give_three_themes():
    texts = DEADLINE + CRAWLER + ENERGY
    result = themes_of(texts)
    assert result.k == 3
    assert [len({result.labels[i] for i in range(s, s + 5)}) for s in (0, 5, 10)] == [1, 1, 1]


def test_content_free_comments_are_left_unassigned():
    texts = [*DEADLINE, "+1", *CRAWLER, "See attached.", *ENERGY, "Agree with the above."]
    labels = themes_of(texts).labels
    assert [i for i, label in enumerate(labels) if label == -1] == [5, 11, 17]


def test_a_short_comment_with_a_point_stays_assigned():
    texts = [*DEADLINE, *CRAWLER, *ENERGY, "Two days deadline too short."]
    labels = themes_of(texts).labels
    assert labels[-1] == labels[0] != -1


def test_copies_of_a_campaign_share_one_theme_and_count_once():
    copies = [LETTER, LETTER, LETTER + " We employ nine people.", "Dear drafters, " + LETTER]
    texts = DEADLINE + CRAWLER + ENERGY + copies * 5
    result = themes_of(texts)
    campaign = {result.labels[i] for i in range(15, len(texts))}
    assert len(campaign) == 1 and campaign != {-1}
    assert result.k <= 4  # twenty letters are one voice, not a scope of their own


def test_near_duplicate_themes_are_merged():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((2, 16))
    twin = base[0] + rng.standard_normal(16) * 0.05  # a theme split in two alike halves
    points = np.vstack([base[0], twin, base[1]])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    merged = merge_alike(points, np.ones(3), np.array([0, 1, 2]))
    assert merged.tolist() == [0, 0, 1]


def test_distinct_themes_are_not_merged():
    points = np.eye(3)
    assert merge_alike(points, np.ones(3), np.array([0, 1, 2])).tolist() == [0, 1, 2]


def test_a_small_scope_gets_about_six_themes_not_a_dozen():
    vectors, _ = mixture(100, 6)
    result = find_themes(vectors, [POINT] * 100)
    assert 4 <= result.k <= 8


def test_a_scope_without_structure_falls_back_on_the_coding_prior():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((100, 48)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    result = find_themes(vectors, [POINT] * 100)
    assert abs(result.k - prior_themes(100)) <= 3


def test_a_large_multi_measure_scope_gets_several_themes_per_measure():
    rng = np.random.default_rng(7)
    measures = rng.standard_normal((4, 48))
    measures /= np.linalg.norm(measures, axis=1, keepdims=True)
    aspects = measures[:, None, :] + 0.6 * rng.standard_normal((4, 6, 48)) / np.sqrt(48) * 4
    truth = rng.integers(0, 24, 3000)
    points = aspects.reshape(24, 48)[truth] + rng.standard_normal((3000, 48)) * 0.08
    points = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    result = find_themes(points, [POINT] * 3000)
    labels = np.asarray(result.labels)
    led = Counter(
        Counter((truth[labels == t] // 6).tolist()).most_common(1)[0][0] for t in range(result.k)
    )
    assert 8 <= result.k <= 50
    assert len(led) == 4 and min(led.values()) >= 2


def test_themes_are_deterministic_for_a_seed():
    vectors, _ = mixture(150, 5)
    texts = [POINT] * 150
    first, second = find_themes(vectors, texts, seed=3), find_themes(vectors, texts, seed=3)
    assert first.labels == second.labels
    assert np.array_equal(first.centroids, second.centroids)


def test_themes_are_numbered_by_size_with_unit_centroids():
    vectors, _ = mixture(120, 4)
    result = find_themes(vectors, [POINT] * 120)
    sizes = [result.labels.count(t) for t in range(result.k)]
    assert sizes == sorted(sizes, reverse=True)
    assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-5)


def test_no_rows_one_row_and_only_noise():
    assert find_themes(np.zeros((0, 8), np.float32), []).k == 0
    assert themes_of(["the deadline is too short for small teams"]).labels == (0,)
    assert themes_of(["+1", "agree", ""]).labels == (-1, -1, -1)


def test_given_noise_flags_replace_the_detection():
    texts = DEADLINE + CRAWLER
    flags = np.zeros(len(texts), dtype=bool)
    flags[2] = True
    labels = find_themes(HashingEmbedder().encode(texts), texts, noise=flags).labels
    assert [i for i, label in enumerate(labels) if label == -1] == [2]

"""Seeded themes: the comments a chair moved or pinned stay put and pull their neighbours.

Vectors are synthetic blobs of unit directions (no model): the scene is built so that an
unseeded run puts a small satellite group C with B, and the chair moves one C comment to A.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.synthesis.seeding import _start, seeded_themes
from app.synthesis.themes import find_themes, voices

POINT = "the deadline for incident reports is too short for small firms"


def scene(dim: int = 48) -> np.ndarray:
    """40 rows around A, 40 around B, then 8 tight rows (C) between them, nearer B."""
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, dim))
    a, b, c = (v / np.linalg.norm(v) for v in (a, b, c))

    def blob(centre, n, spread):
        rows = centre / np.linalg.norm(centre) + rng.standard_normal((n, dim)) * spread / 7
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    satellite = 0.45 * a + 0.55 * b + 0.25 * c
    return np.vstack([blob(a, 40, 0.5), blob(b, 40, 0.5), blob(satellite, 8, 0.15)]).astype(
        np.float32
    )


def theme_ids_of(result, rows):
    return [result.theme_ids[result.clustering.labels[r]] for r in rows]


def test_unseeded_the_satellite_sits_with_b():
    labels = find_themes(scene(), [POINT] * 88).labels
    assert set(labels[80:]) == {labels[40]} != {labels[0]}


def test_neighbours_follow_a_comment_the_chair_moved():
    result = seeded_themes(scene(), [POINT] * 88, {0: 10, 40: 20, 80: 10})
    assert theme_ids_of(result, range(80, 88)) == [10] * 8
    assert set(theme_ids_of(result, range(40, 80))) == {20}
    assert set(theme_ids_of(result, range(40))) == {10}


def test_seeded_rows_stay_where_the_chair_put_them():
    seeds = {0: 7, 5: 7, 41: 3, 82: 3}
    result = seeded_themes(scene(), [POINT] * 88, seeds)
    assert [result.theme_ids[result.clustering.labels[r]] for r in seeds] == [7, 7, 3, 3]


def test_a_row_moved_to_unassigned_stays_unassigned():
    result = seeded_themes(scene(), [POINT] * 88, {3: -1, 0: 1})
    assert result.clustering.labels[3] == -1


def test_without_seeds_it_is_find_themes():
    vectors = scene()
    seeded = seeded_themes(vectors, [POINT] * 88, {})
    assert seeded.clustering.labels == find_themes(vectors, [POINT] * 88).labels
    assert set(seeded.theme_ids) == {None}


def test_seeded_themes_are_deterministic():
    first = seeded_themes(scene(), [POINT] * 88, {0: 10, 80: 10, 40: 20})
    second = seeded_themes(scene(), [POINT] * 88, {0: 10, 80: 10, 40: 20})
    assert first.clustering.labels == second.clustering.labels
    assert first.theme_ids == second.theme_ids
    assert np.array_equal(first.clustering.centroids, second.clustering.centroids)


def test_a_seed_row_out_of_range_is_refused():
    with pytest.raises(ValueError):
        seeded_themes(scene(), [POINT] * 88, {88: 1})


def test_a_moved_comment_joins_the_chair_theme_given_by_its_old_centre():
    vectors = scene()
    old_centre = vectors[:40].mean(axis=0)  # theme A as the chair saw it in the last run
    result = seeded_themes(vectors, [POINT] * 88, {80: 10}, anchors={10: old_centre})
    assert set(theme_ids_of(result, range(40))) == {10}
    assert theme_ids_of(result, range(80, 88)) == [10] * 8
    assert None in result.theme_ids  # B, which no chair touched, is still found


def test_a_seeded_run_starts_from_the_themes_of_the_run_without_seeds():
    """A comment the unseeded run set aside as noise and the chair then moved into a theme
    joins the theme nearest it; the others start as find_themes left them (spectral
    clustering weighs every point against every other, so clustering the seed with them
    would redraw the whole partition)."""
    vectors = scene()
    texts = [POINT] * 88
    noise = np.zeros(88, bool)
    noise[[3, 84]] = True  # an A comment and a C comment the unseeded run set aside
    unseeded = find_themes(vectors, texts, noise=noise).labels
    keep = np.flatnonzero(np.arange(88) != 3)  # the chair moved row 84 into a theme
    point_of, _ = voices(vectors, texts, keep)
    start = _start(vectors, texts, keep, point_of, ~noise, 2, 0)
    by_row = dict(zip(keep.tolist(), start[point_of].tolist(), strict=True))
    kept = [r for r in keep.tolist() if r != 84]
    pairs = {(unseeded[r], by_row[r]) for r in kept}
    # the same partition, renamed: each old theme is one new theme, and no two are one
    assert len(pairs) == len({unseeded[r] for r in kept}) == len({by_row[r] for r in kept})
    assert by_row[84] == by_row[80]  # the moved comment starts beside its own group

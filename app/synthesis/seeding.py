"""Chairs teach by example: comments a chair moved or pinned seed the next run.

`seeded_themes` takes the rows a chair placed (row -> theme id, -1 for "unassigned") and runs
seeded k-means (Basu et al., 2002) in the same space as `themes.find_themes`, from the themes the
run without seeds finds: every seeded theme starts at the centre of its seeds (and of the theme
it grew from), every theme of the unseeded run that holds no seed stays as a theme of its own,
and one Lloyd round then moves each other comment to the nearest centre while the seeds stay
where the chair put them. One corrected comment so pulls its neighbours along with it.

One round, not rounds until nothing moves: the unseeded themes are not the Voronoi cells of
their centres in that space, so further rounds drift the whole partition away from the one the
chair corrected, and on the blind held-out sets that drift cost more than the seeds gained
(corrections lowered ARI on the comments not corrected by up to 0.08; with one round the mean
gain over six sets went from +0.006 to +0.015, see docs/synthesis.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.embedding.engine import unit_rows
from app.synthesis.clustering import Clustering, _check, _renumbered
from app.synthesis.noise import noise_mask
from app.synthesis.themes import (
    find_themes,
    point_space,
    spectral_coordinates,
    theme_points,
    voices,
)

LLOYD_ROUNDS = 1  # see seeded_points: one assignment to the nearest centre, no drift
ANCHOR_MATCH = 0.8  # an unseeded theme this close to a chair's theme's old centre is it
FOLLOW = 0.5  # a comment follows a seed at least this alike (centred cosine)


@dataclass(frozen=True)
class SeededThemes:
    """Themes of a seeded run: `clustering` as find_themes gives it, and for each of its themes
    the chair's theme id it grew from, or None for a theme found without a seed."""

    clustering: Clustering
    theme_ids: tuple[int | None, ...]


def seeded_themes(
    vectors: np.ndarray,
    texts: Sequence[str],
    seeds: Mapping[int, int],
    *,
    min_theme_size: int = 2,
    seed: int = 0,
    noise: np.ndarray | None = None,
    anchors: Mapping[int, np.ndarray] | None = None,
    process: np.ndarray | None = None,
) -> SeededThemes:
    """Themes of unit `vectors` (one per text) where row r of `seeds` must be in theme
    seeds[r] (any int id; -1 leaves it unassigned). Without seeds this is find_themes.

    `anchors` gives, for a chair's theme id, the centre that theme had when the chair moved
    comments into it (the previous run's centroid): the theme of this run nearest that centre
    then grows into the chair's theme, instead of standing beside it.

    Raises ValueError if shapes disagree, `min_theme_size` < 1 or a seed row is out of range.
    """
    matrix = _check(vectors, texts)
    if min_theme_size < 1:
        raise ValueError("min_theme_size must be at least 1")
    if any(not 0 <= row < len(matrix) for row in seeds):
        raise ValueError("a seed row is out of range")
    if not seeds:
        found = find_themes(matrix, texts, min_theme_size=min_theme_size, seed=seed, noise=noise,
                            process=process)
        return SeededThemes(found, (None,) * found.k)
    n_rows, dim = matrix.shape
    unseeded = (noise_mask(matrix, texts, seed=seed, process=process) if noise is None
                else np.asarray(noise, bool))
    skip = unseeded.copy()
    for row, theme_id in seeds.items():
        skip[row] = theme_id == -1
    keep = np.flatnonzero(~skip)
    labels = np.full(n_rows, -1, dtype=np.int64)
    if len(keep) == 0:
        empty = Clustering(tuple(labels.tolist()), np.zeros((0, dim), np.float32), 0)
        return SeededThemes(empty, ())
    point_of, points = voices(matrix, texts, keep)
    point_seed = _point_seeds(keep, point_of, seeds)
    space = point_space(matrix[points], [texts[i] for i in points], seed=seed)
    if np.array_equal(keep, np.flatnonzero(~unseeded)):  # no seed was noise: the same points
        start = theme_points(matrix[points], min_theme_size=min_theme_size, seed=seed,
                             space=space)
    else:
        start = _start(matrix, texts, keep, point_of, ~unseeded, min_theme_size, seed)
    point_theme, theme_ids = seeded_points(
        matrix[points], start, point_seed, seed=seed, anchors=anchors or {}, space=space
    )
    labels[keep] = point_theme[point_of]
    k = len(theme_ids)
    present = [t for t in range(k) if np.any(labels == t)]
    centroids = np.zeros((k, dim), np.float32)
    for t in present:
        centroids[t] = unit_rows(matrix[labels == t].mean(axis=0, keepdims=True))[0]
    result = _renumbered(labels, centroids)
    order = [t for t in sorted(present, key=lambda t: _rank(labels, t))]
    return SeededThemes(result, tuple(theme_ids[t] for t in order))


def _start(
    matrix: np.ndarray,
    texts: Sequence[str],
    keep: np.ndarray,
    point_of: np.ndarray,
    unseeded: np.ndarray,
    min_theme_size: int,
    seed: int,
) -> np.ndarray:
    """The unseeded theme of each distinct point of the `keep` rows: the themes find_themes
    gives the rows it keeps (`unseeded`), so that a run with seeds starts from the run without
    them. A chair's seed set aside as noise there (a comment the chair moved out of
    "Unassigned") would change that partition everywhere if clustered with the rest, since the
    spectral step weighs every point against every other: it joins the theme nearest it."""
    rows = np.flatnonzero(unseeded)
    kept = np.full(len(matrix), -1, dtype=np.int64)
    if len(rows):
        row_point, points = voices(matrix, texts, rows)
        kept[rows] = theme_points(
            matrix[points], [texts[i] for i in points], min_theme_size=min_theme_size,
            seed=seed,
        )[row_point]
    start = np.full(int(point_of.max()) + 1, -1, dtype=np.int64)
    held = kept[keep] >= 0  # a point's rows share a text, hence a theme
    start[point_of[held]] = kept[keep][held]
    if start.min() >= 0:
        return start
    if start.max() < 0:  # every kept row was a seed set aside as noise: one theme
        return np.zeros_like(start)
    k = int(start.max()) + 1
    centres = np.zeros((k, matrix.shape[1]))
    np.add.at(centres, kept[rows], matrix[rows].astype(np.float64))
    first = np.zeros(len(start), dtype=np.int64)
    first[point_of] = keep
    alone = np.flatnonzero(start < 0)
    start[alone] = np.argmax(matrix[first[alone]] @ unit_rows(centres).T, axis=1)
    return start


def seeded_points(
    points: np.ndarray,
    start: np.ndarray,
    point_seed: Mapping[int, int],
    *,
    seed: int = 0,
    anchors: Mapping[int, np.ndarray] | None = None,
    space: np.ndarray | None = None,
) -> tuple[np.ndarray, list[int | None]]:
    """Seeded k-means over distinct `points` from an unseeded theme per point (`start`),
    LLOYD_ROUNDS rounds: (theme of each point, chair's id of each theme or None). The k-means
    runs in the space `start` was found in (`space`, one row per point; default the points
    themselves); anchors and the seeds' close neighbours are read on the points' embeddings."""
    seed_ids = sorted(set(point_seed.values()))
    grown = _anchored(points, start, {i: a for i, a in (anchors or {}).items() if i in seed_ids})
    # A seed names the theme it sits in (a pin), unless its chair's theme is anchored
    # elsewhere (a move): then the theme it came from stays a theme of its own.
    claimed = {int(start[p]) for p, i in point_seed.items() if i not in grown}
    claimed |= set(grown.values())
    free = [t for t in range(int(start.max()) + 1) if t not in claimed]
    theme_ids: list[int | None] = [*seed_ids, *[None] * len(free)]
    centred = unit_rows(points.astype(np.float64) - points.mean(axis=0))
    joined = centred if space is None else unit_rows(space - space.mean(axis=0))
    space = unit_rows(spectral_coordinates(joined, max(len(theme_ids), 2), seed))
    fixed = np.full(len(points), -1, dtype=np.int64)
    for p, theme_id in point_seed.items():
        fixed[p] = seed_ids.index(theme_id)
    theme = np.where(np.isin(start, free), 0, -1)
    for j, t in enumerate(free):
        theme[start == t] = len(seed_ids) + j
    theme = np.where(fixed >= 0, fixed, theme)
    centres = np.zeros((len(theme_ids), space.shape[1]))
    for j, theme_id in enumerate(seed_ids):
        members = fixed == j
        if theme_id in grown:
            members |= (start == grown[theme_id]) & (fixed < 0)
        centres[j] = space[members].mean(axis=0)
    for j in range(len(seed_ids), len(theme_ids)):
        centres[j] = space[theme == j].mean(axis=0)
    for _ in range(LLOYD_ROUNDS):
        moved = np.argmax(space @ unit_rows(centres).T, axis=1)
        moved = np.where(fixed >= 0, fixed, moved)
        if np.array_equal(moved, theme):
            break
        theme = moved
        for j in range(len(theme_ids)):
            if np.any(theme == j):
                centres[j] = space[theme == j].mean(axis=0)
    return _follow_seeds(centred, theme, fixed), theme_ids


def _anchored(
    points: np.ndarray, start: np.ndarray, anchors: Mapping[int, np.ndarray]
) -> dict[int, int]:
    """For each anchored chair's theme, the unseeded theme whose centre is nearest its anchor
    (cosine at least ANCHOR_MATCH)."""
    if not anchors:
        return {}
    k = int(start.max()) + 1
    centres = np.zeros((k, points.shape[1]))
    np.add.at(centres, start, points.astype(np.float64))
    centres = unit_rows(centres)
    out = {}
    for theme_id, anchor in anchors.items():
        sims = centres @ unit_rows(np.asarray(anchor, np.float64).reshape(1, -1))[0]
        if sims.max() >= ANCHOR_MATCH:
            out[theme_id] = int(np.argmax(sims))
    return out


def _follow_seeds(centred: np.ndarray, theme: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Comments nearer a seed of another theme than to their own theme's centre (cosine of
    the centred vectors, at least FOLLOW) join the seed's theme: the close neighbours of a
    comment a chair moved go with it."""
    seeds = np.flatnonzero(fixed >= 0)
    if len(seeds) == 0:
        return theme
    k = int(theme.max()) + 1
    centres = np.zeros((k, centred.shape[1]))
    np.add.at(centres, theme, centred)
    own = np.einsum("ij,ij->i", centred, unit_rows(centres)[theme])
    to_seeds = centred @ centred[seeds].T
    nearest = np.argmax(to_seeds, axis=1)
    closeness = to_seeds[np.arange(len(theme)), nearest]
    follow = (fixed < 0) & (closeness >= FOLLOW) & (closeness > own)
    out = theme.copy()
    out[follow] = fixed[seeds[nearest[follow]]]
    return out


def _point_seeds(
    keep: np.ndarray, point_of: np.ndarray, seeds: Mapping[int, int]
) -> dict[int, int]:
    """Seed of each distinct point: the commonest theme its seeded rows were given."""
    position = {int(row): i for i, row in enumerate(keep)}
    votes: dict[int, Counter[int]] = {}
    for row, theme_id in seeds.items():
        if theme_id != -1 and row in position:
            votes.setdefault(int(point_of[position[row]]), Counter())[theme_id] += 1
    return {p: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for p, c in votes.items()}


def _rank(labels: np.ndarray, theme: int) -> tuple[int, int]:
    """Order of themes in a renumbered Clustering: largest first, ties by first row."""
    rows = np.flatnonzero(labels == theme)
    return (-len(rows), int(rows[0]))

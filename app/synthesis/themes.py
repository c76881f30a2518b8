"""Find the themes a careful coder would make in a scope of comments.

Method (measured on bench/data/consultation, bench/data/labelled_comments.jsonl and two sets
written blind, bench/data/heldout*, see bench/bench_synthesis_quality.py):

1. Noise is set aside (noise.py): content-free and isolated comments get -1.
2. Campaigns count once: near-identical letters (duplicates.py) and identical texts collapse
   into one point, so twenty copies of a letter cannot claim a theme of their own or pull two
   themes together; every copy then takes the theme of its letter.
3. The points are centred on the scope's mean and re-normalised: every comment on a measure
   shares the measure's direction, and what tells themes apart is what is left. Beside each
   point go the words its comment shares with others (lexical.py: TF-IDF, reduced, centred,
   weighing 0.75 of the embedding), which tell apart aspects the embedding places together.
4. Spectral embedding of the cosine k-nearest-neighbour graph, then k-means (weighted) in the
   first k eigenvectors, for each candidate k.
5. k: themes of consultation feedback overlap, so the silhouette is flat and noisy across k; it
   is weighed against a prior on how finely people code comments, about 1.2 * n ** 0.35 themes
   for n distinct voices (6 for 100, 9 for 300, 21 for 3,500), as
   silhouette(k) - PRIOR_WEIGHT * log(k / prior) ** 2: clear structure in the data still wins,
   a flat curve falls back on the prior. Beyond DIRECT_LIMIT points, mini-batch k-means first
   reduces them to micro-clusters, and the graph is built on those.
6. Near-duplicate themes merge (centres at least MERGE_COSINE alike), themes lighter than
   `min_theme_size` fold into their nearest theme.

Every step is deterministic for a given seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.manifold import spectral_embedding
from sklearn.neighbors import kneighbors_graph

from app.embedding.engine import unit_rows
from app.synthesis.clustering import Clustering, _check, _renumbered
from app.synthesis.duplicates import duplicate_members
from app.synthesis.lexical import with_words
from app.synthesis.noise import noise_mask

MAX_THEMES = 50
PRIOR_SCALE = 1.2
PRIOR_POWER = 0.35
PRIOR_WEIGHT = 0.1
GRAPH_NEIGHBOURS = 10  # fewer for small scopes: a quarter of the points, at least 3
DIRECT_LIMIT = 2000  # distinct points clustered directly; above, micro-clusters first
MICRO_POINTS = 1500
MICRO_EPOCHS = 5
SILHOUETTE_SAMPLE = 2000
MERGE_COSINE = 0.92
COPY_COSINE = 0.9  # a campaign copy collapses into its letter only if this alike
FINE_UNTIL = 12
KMEANS_STARTS = 4
GRID_STEPS = 8


def prior_themes(voices: int) -> float:
    """How many themes a careful coder makes of `voices` distinct comments (a prior)."""
    return PRIOR_SCALE * max(voices, 1) ** PRIOR_POWER


def find_themes(
    vectors: np.ndarray,
    texts: Sequence[str],
    *,
    min_theme_size: int = 2,
    seed: int = 0,
    noise: np.ndarray | None = None,
    process: np.ndarray | None = None,
) -> Clustering:
    """Themes of unit-length `vectors` (one per text), the number of themes estimated.

    Noise (content-free, off-topic and, given `process`, the vectors of noise.PROCESS_REMARKS,
    remarks about the consultation itself) rows get -1, or the rows flagged in `noise` if given;
    copies of a campaign letter share its theme. Raises ValueError if shapes disagree or
    `min_theme_size` < 1.
    """
    matrix = _check(vectors, texts)
    if min_theme_size < 1:
        raise ValueError("min_theme_size must be at least 1")
    n_rows, dim = matrix.shape
    labels = np.full(n_rows, -1, dtype=np.int64)
    skip = (noise_mask(matrix, texts, seed=seed, process=process) if noise is None
            else np.asarray(noise, bool))
    keep = np.flatnonzero(~skip)
    if len(keep) == 0:
        return Clustering(tuple(labels.tolist()), np.zeros((0, dim), np.float32), 0)
    point_of, points = voices(matrix, texts, keep)
    point_theme = theme_points(
        matrix[points], [texts[i] for i in points], min_theme_size=min_theme_size, seed=seed
    )
    labels[keep] = point_theme[point_of]
    k = int(point_theme.max()) + 1
    centroids = unit_rows(np.stack([matrix[labels == t].mean(axis=0) for t in range(k)]))
    return _renumbered(labels, centroids.astype(np.float32))


def voices(
    matrix: np.ndarray, texts: Sequence[str], keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Collapse campaigns and identical texts among rows `keep`: (point index of each kept
    row, the row standing for each point). A copy collapses only when its vector is close to
    the group's first letter, so chains of partial overlaps stay apart."""
    kept_texts = [texts[i] for i in keep]
    leader = np.arange(len(keep))
    for members in duplicate_members(kept_texts):
        group = np.array(members)
        alike = matrix[keep[group]] @ matrix[keep[group[0]]] >= COPY_COSINE  # no chains
        leader[group[alike]] = group[0]
    _, first, inverse = np.unique(
        matrix[keep[leader]].astype(np.float32), axis=0, return_index=True, return_inverse=True
    )
    return inverse.reshape(-1), keep[leader[first]]


def theme_points(
    points: np.ndarray,
    texts: Sequence[str] | None = None,
    *,
    min_theme_size: int = 2,
    seed: int = 0,
    space: np.ndarray | None = None,
) -> np.ndarray:
    """Theme (0..k-1) of each distinct point, each point one voice; with the points' `texts`,
    the words they share weigh beside their embeddings (lexical.py) up to DIRECT_LIMIT points.
    `space`: point_space(points, texts) if the caller has it already."""
    n = len(points)
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    weights, node_of = np.ones(n), np.arange(n)
    if n > DIRECT_LIMIT:
        nodes, weights, node_of = _micro(points, seed)
    else:
        nodes = point_space(points, texts, seed=seed) if space is None else space
    return theme_nodes(nodes, weights, n, min_theme_size=min_theme_size, seed=seed)[node_of]


def point_space(
    points: np.ndarray, texts: Sequence[str] | None = None, *, seed: int = 0
) -> np.ndarray:
    """The space up to DIRECT_LIMIT distinct points are themed in: their unit embeddings,
    joined with the words of their `texts` if given (lexical.with_words)."""
    nodes = unit_rows(points.astype(np.float64))
    if texts is None or len(points) > DIRECT_LIMIT:
        return nodes
    return with_words(nodes, texts, seed=seed)


def theme_nodes(
    nodes: np.ndarray, weights: np.ndarray, n: int, *, min_theme_size: int = 2, seed: int = 0
) -> np.ndarray:
    """Theme (0..k-1) of each node: a distinct point, or a micro-cluster's unit centre weighing
    the `weights` voices it holds; `n` voices in all set the prior number of themes."""
    if n < 3:
        return np.zeros(len(nodes), dtype=np.int64)
    centre = np.average(nodes, axis=0, weights=weights)
    centred = unit_rows(nodes - centre)
    prior = prior_themes(n)
    high = min(MAX_THEMES, len(nodes) - 1, n // min_theme_size, math.ceil(3 * prior))
    if high < 2:
        return np.zeros(len(nodes), dtype=np.int64)
    node_theme = _choose_k(centred, weights, prior, high, seed)
    node_theme = merge_alike(nodes, weights, node_theme)
    return _fold_small(centred, weights, node_theme, min_theme_size)


def _micro(points: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mini-batch k-means (random start, a few epochs: cheap) into about a quarter as many
    micro-clusters as points, at most MICRO_POINTS; every point then goes to its nearest."""
    size = min(MICRO_POINTS, max(2, len(points) // 4))
    rows = points.astype(np.float32)
    model = MiniBatchKMeans(
        n_clusters=size,
        init="random",
        batch_size=4096,
        n_init=1,
        max_iter=MICRO_EPOCHS,
        compute_labels=False,
        random_state=seed,
    ).fit(rows)
    centres = model.cluster_centers_.astype(np.float32)
    half = 0.5 * np.einsum("ij,ij->i", centres, centres)
    node_of = np.concatenate(
        [
            np.argmax(rows[a : a + 4096] @ centres.T - half, axis=1)
            for a in range(0, len(rows), 4096)
        ]
    ).astype(np.int64)
    counts = np.bincount(node_of, minlength=size)
    used = np.flatnonzero(counts)
    remap = np.full(size, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    node_of = remap[node_of]
    sums = np.zeros((len(used), points.shape[1]))
    np.add.at(sums, node_of, points.astype(np.float64))
    return unit_rows(sums), counts[used].astype(np.float64), node_of


def spectral_coordinates(centred: np.ndarray, dims: int, seed: int) -> np.ndarray:
    """The first `dims` eigenvectors of the normalised cosine kNN graph of `centred` (the
    points themselves when there are too few for a graph)."""
    if len(centred) < 3:
        return np.asarray(centred, dtype=np.float64)
    neighbours = min(GRAPH_NEIGHBOURS, max(3, len(centred) // 4), len(centred) - 1)
    graph = kneighbors_graph(centred, neighbours, metric="cosine", include_self=False)
    graph = 0.5 * (graph + graph.T)
    dims = min(dims, len(centred) - 1)
    with warnings.catch_warnings():  # a graph in pieces is fine: the pieces are themes
        warnings.filterwarnings("ignore", "Graph is not fully connected")
        return spectral_embedding(graph, n_components=dims, random_state=seed, drop_first=False)


def _choose_k(
    centred: np.ndarray, weights: np.ndarray, prior: float, high: int, seed: int
) -> np.ndarray:
    coordinates = spectral_coordinates(centred, high, seed)
    sample = np.arange(len(centred))
    if len(sample) > SILHOUETTE_SAMPLE:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(len(sample), SILHOUETTE_SAMPLE, replace=False))
    distances = np.clip(1.0 - centred[sample] @ centred[sample].T, 0.0, 2.0)
    scored: dict[int, tuple[float, np.ndarray]] = {}

    def score(ks: range) -> None:
        for k in ks:
            if k in scored or not 2 <= k <= min(high, coordinates.shape[1]):
                continue
            theme = _kmeans(unit_rows(coordinates[:, :k]), weights, k, seed)
            penalty = PRIOR_WEIGHT * math.log(k / prior) ** 2
            scored[k] = (_silhouette(distances, theme[sample]) - penalty, theme)

    # Every k up to FINE_UNTIL, then a grid of about GRID_STEPS, then around the grid's best.
    score(range(2, FINE_UNTIL + 1))
    step = max(1, (high - FINE_UNTIL) // GRID_STEPS)
    score(range(FINE_UNTIL, high + 1, step))
    best = max(scored, key=lambda k: (scored[k][0], -k)) if scored else 0
    score(range(best - step + 1, best + step))
    if not scored:
        return np.zeros(len(centred), dtype=np.int64)
    return scored[max(scored, key=lambda k: (scored[k][0], -k))][1]


def _kmeans(points: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    model = KMeans(k, n_init=KMEANS_STARTS, random_state=seed).fit(points, sample_weight=weights)
    return _compact(model.labels_)


def _silhouette(distances: np.ndarray, theme: np.ndarray) -> float:
    """Mean silhouette over a precomputed distance matrix (singletons score 0)."""
    labels = _compact(theme)
    k = int(labels.max()) + 1
    if not 2 <= k < len(labels):
        return -1.0
    onehot = np.zeros((len(labels), k))
    onehot[np.arange(len(labels)), labels] = 1.0
    counts = onehot.sum(axis=0)
    totals = distances @ onehot
    own = counts[labels]
    a = totals[np.arange(len(labels)), labels] / np.maximum(own - 1, 1)
    means = totals / counts
    means[np.arange(len(labels)), labels] = np.inf
    b = means.min(axis=1)
    scores = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def _centres(points: np.ndarray, weights: np.ndarray, theme: np.ndarray) -> np.ndarray:
    k = int(theme.max()) + 1
    sums = np.zeros((k, points.shape[1]))
    np.add.at(sums, theme, points * weights[:, None])
    return unit_rows(sums)


def merge_alike(points: np.ndarray, weights: np.ndarray, theme: np.ndarray) -> np.ndarray:
    """Themes (0..k-1) of `points` after merging, pair by pair, the two most alike themes
    while their weighted centres are at least MERGE_COSINE alike: near-duplicate themes."""
    theme = theme.copy()
    while int(theme.max()) >= 1:
        centres = _centres(points, weights, theme)
        sims = centres @ centres.T
        np.fill_diagonal(sims, -np.inf)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] < MERGE_COSINE:
            break
        theme[theme == max(a, b)] = min(a, b)
        theme = _compact(theme)
    return theme


def _fold_small(
    points: np.ndarray, weights: np.ndarray, theme: np.ndarray, min_size: int
) -> np.ndarray:
    """Move the points of themes lighter than `min_size` into the nearest remaining theme."""
    theme = theme.copy()
    while True:
        sizes = np.bincount(theme, weights=weights)
        small = np.flatnonzero(sizes < min_size)
        if len(small) == 0 or len(small) == len(sizes):
            return theme
        centres = _centres(points, weights, theme)
        big = np.flatnonzero(sizes >= min_size)
        moving = np.isin(theme, small)
        theme[moving] = big[np.argmax(points[moving] @ centres[big].T, axis=1)]
        theme = _compact(theme)


def _compact(theme: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(theme), return_inverse=True)[1].reshape(-1).astype(np.int64)

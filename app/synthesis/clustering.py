"""Group comment vectors into themes, with an estimated number of themes.

Method (chosen on bench/data/labelled_comments.jsonl, see bench/bench_synthesis.py): a Ward
tree over the vectors is cut at each candidate number of themes k, each cut is refined by
k-means started from the cut's centroids, and the k whose clustering has the best cosine
silhouette wins (k from 2 to 1.5 sqrt(n), at most MAX_THEMES). On sentence embeddings the
silhouette often peaks at two broad themes, which is no use to a chair, so two themes must beat
the best finer split by a clear margin.

Past DIRECT_LIMIT rows the vectors are first reduced to micro-clusters by mini-batch k-means
(about ten rows each, at most 2,000), the tree is built over their centroids and silhouettes are
taken on a sample of rows: faster and, on the bench, saner numbers of themes. Every step is
deterministic for a given seed.

Nothing is thrown away as "noise": only content-free comments ("+1", "see attachment") and
comments that resemble no theme at all are left unassigned (label -1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from app.embedding.engine import unit_rows

MAX_THEMES = 50
DIRECT_LIMIT = 600  # rows clustered directly; above, micro-clusters first (faster, smoother)
MIN_MICRO = 200
SILHOUETTE_SAMPLE = 2000
TWO_THEME_MARGIN = 1.5  # two themes only if their silhouette beats any finer split by 50%
OFF_TOPIC = 0.1  # a row whose cosine to its theme's centre is below this is unassigned
_CHUNK = 65536
_LLOYD_ROUNDS = 50
_ASSIGN_CHUNK = 8192
MICRO_EPOCHS = 5
MICRO_FIT_ROWS = 100_000  # rows the micro-clusters are fitted on; all rows are then assigned

_FILLER = frozenset(
    {"agree", "agreed", "support", "supported", "fully", "comment", "comments", "refer",
     "attached", "attachment", "attachments", "submission", "submitted", "paper", "position",
     "thank", "thanks", "yes", "ok", "okay", "n", "a", "na", "nothing", "add", "earlier",
     "previous", "letter", "document", "pdf", "file"}
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Clustering:
    """Themes of a set of rows: `labels[i]` is row i's theme (0..k-1) or -1 if unassigned."""

    labels: tuple[int, ...]
    centroids: np.ndarray  # (k, dim), unit rows
    k: int


def is_content_free(text: str) -> bool:
    """True for comments that carry no point of their own: empty, punctuation or emoji only,
    "+1", "agree", "see attachment", "no comment" — fewer than two content words once English
    stop words and such filler are removed. Text in scripts written without spaces counts one
    word per two characters."""
    words = 0
    for token in _WORD.findall(text.lower()):
        if _UNSPACED.search(token):
            words += max(1, len(token) // 2)
        elif len(token) > 1 and token not in ENGLISH_STOP_WORDS and token not in _FILLER:
            words += 1
    return words < 2


def cluster(
    vectors: np.ndarray, texts: Sequence[str], *, min_theme_size: int = 2, seed: int = 0
) -> Clustering:
    """Cluster unit-length `vectors` (one per text) into an estimated number of themes.

    Content-free texts get -1; themes smaller than `min_theme_size` are folded into the
    nearest theme. Raises ValueError if shapes disagree or `min_theme_size` < 1.
    """
    matrix = _check(vectors, texts)
    if min_theme_size < 1:
        raise ValueError("min_theme_size must be at least 1")
    keep = np.array([i for i, t in enumerate(texts) if not is_content_free(t)], dtype=np.int64)
    micro = min(2000, max(MIN_MICRO, len(keep) // 10)) if len(keep) > DIRECT_LIMIT else 0
    return _cluster_rows(matrix, keep, min_theme_size=min_theme_size, seed=seed, micro=micro)


def two_stage_cluster(
    vectors: np.ndarray,
    texts: Sequence[str] | None = None,
    *,
    micro_clusters: int = 2000,
    seed: int = 0,
) -> Clustering:
    """Cluster many rows: mini-batch k-means into `micro_clusters`, then estimate themes over
    the micro-cluster centroids (weighted by size) and map every row to its micro-cluster's
    theme. Memory stays near the size of `vectors` itself (about 1.5 GB for 1,000,000 x 384
    float32). Raises ValueError on inconsistent shapes or `micro_clusters` < 2."""
    matrix = _check(vectors, texts)
    if micro_clusters < 2:
        raise ValueError("micro_clusters must be at least 2")
    if texts is None:
        keep = np.arange(len(matrix), dtype=np.int64)
    else:
        keep = np.array([i for i, t in enumerate(texts) if not is_content_free(t)], np.int64)
    micro = micro_clusters if len(keep) > micro_clusters else 0
    return _cluster_rows(matrix, keep, min_theme_size=2, seed=seed, micro=micro)


def match_themes(
    old_centroids: np.ndarray, new_centroids: np.ndarray, *, threshold: float = 0.8
) -> dict[int, int]:
    """Pair new themes with old ones one-to-one (Hungarian assignment on cosine similarity),
    keeping pairs at least `threshold` similar; returns {new index: old index}."""
    if len(old_centroids) == 0 or len(new_centroids) == 0:
        return {}
    sims = (
        unit_rows(np.asarray(new_centroids, np.float64))
        @ unit_rows(np.asarray(old_centroids, np.float64)).T
    )
    rows, cols = linear_sum_assignment(-sims)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if sims[r, c] >= threshold}


def _check(vectors: np.ndarray, texts: Sequence[str] | None) -> np.ndarray:
    matrix = np.asarray(vectors)
    if matrix.ndim != 2:
        raise ValueError("vectors must be a 2-D array")
    if texts is not None and len(texts) != len(matrix):
        raise ValueError(f"{len(texts)} texts for {len(matrix)} vectors")
    if matrix.dtype not in (np.float32, np.float64):
        matrix = matrix.astype(np.float32)
    return matrix




def _cluster_rows(
    matrix: np.ndarray, keep: np.ndarray, *, min_theme_size: int, seed: int, micro: int
) -> Clustering:
    n_all, dim = matrix.shape
    labels = np.full(n_all, -1, dtype=np.int64)
    if len(keep) == 0:
        return Clustering(tuple(labels.tolist()), np.zeros((0, dim), np.float32), 0)
    rows = matrix if len(keep) == n_all else matrix[keep]
    if micro:
        points, weights, row_to_point = _micro_clusters(rows, micro, seed)
    else:
        points, row_to_point, counts = np.unique(
            rows.astype(np.float32), axis=0, return_inverse=True, return_counts=True
        )
        weights = counts.astype(np.float64)
        row_to_point = row_to_point.reshape(-1)
    point_theme = _estimate_themes(points, weights, rows, row_to_point, min_theme_size, seed)
    k = int(point_theme.max()) + 1
    centroids = unit_rows(_theme_sums(points, weights, point_theme, k)).astype(np.float32)
    row_theme = point_theme[row_to_point]
    row_theme[_off_topic(rows, centroids, row_theme)] = -1
    labels[keep] = row_theme
    return _renumbered(labels, centroids)


def _micro_clusters(
    rows: np.ndarray, micro: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mini-batch k-means fitted on at most MICRO_FIT_ROWS rows, then every row assigned to its
    nearest micro-centroid in chunks (memory stays flat whatever the number of rows)."""
    fit_rows = rows
    if len(rows) > MICRO_FIT_ROWS:
        rng = np.random.default_rng(seed)
        fit_rows = rows[np.sort(rng.choice(len(rows), MICRO_FIT_ROWS, replace=False))]
    model = MiniBatchKMeans(
        n_clusters=micro,
        init="random",
        batch_size=4096,
        n_init=1,
        max_iter=MICRO_EPOCHS,
        max_no_improvement=5,
        compute_labels=False,
        random_state=seed,
    ).fit(fit_rows)
    centres = model.cluster_centers_.astype(np.float32)
    half_norms = 0.5 * np.einsum("ij,ij->i", centres, centres)
    row_to_point = np.empty(len(rows), dtype=np.int64)
    for start in range(0, len(rows), _ASSIGN_CHUNK):
        block = rows[start : start + _ASSIGN_CHUNK].astype(np.float32, copy=False)
        row_to_point[start : start + len(block)] = np.argmax(block @ centres.T - half_norms, 1)
    counts = np.bincount(row_to_point, minlength=micro)
    used = np.flatnonzero(counts)
    remap = np.full(micro, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    points = np.zeros((len(used), rows.shape[1]), dtype=np.float64)
    for start in range(0, len(rows), _ASSIGN_CHUNK):
        block = rows[start : start + _ASSIGN_CHUNK]
        theme = remap[row_to_point[start : start + len(block)]]
        points += _theme_sums(block, np.ones(len(block)), theme, len(used))
    weights = counts[used].astype(np.float64)
    return (points / weights[:, None]).astype(np.float32), weights, remap[row_to_point]


COARSE_FROM = 12  # below this every k is tried
COARSE_STEPS = 8  # grid points above it, before refining around the best


def _max_themes(n_rows: int, n_points: int, min_theme_size: int) -> int:
    return min(MAX_THEMES, math.ceil(1.5 * math.sqrt(n_rows)), n_points, n_rows // min_theme_size)


def _estimate_themes(
    points: np.ndarray,
    weights: np.ndarray,
    rows: np.ndarray,
    row_to_point: np.ndarray,
    min_theme_size: int,
    seed: int,
) -> np.ndarray:
    """Theme index of each point (unique row or micro-centroid), 0..k-1."""
    high = _max_themes(len(rows), len(points), min_theme_size)
    if high < 2:
        return np.zeros(len(points), dtype=np.int64)
    points64 = points.astype(np.float64)
    tree = linkage(points64, method="ward")
    sample = _silhouette_sample(len(rows), seed)
    sample_rows = unit_rows(rows[sample].astype(np.float32))
    distances = np.clip(1.0 - sample_rows @ sample_rows.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    scored: dict[int, tuple[float, np.ndarray]] = {}
    tried: set[int] = set()

    def score(ks: Iterable[int]) -> None:
        for k in ks:
            if k in tried or not 2 <= k <= high:
                continue
            tried.add(k)
            theme = _fold_small(
                _refined_cut(tree, points64, weights, k), points, weights, min_theme_size
            )
            found = int(theme.max()) + 1
            value = _silhouette(distances, theme[row_to_point[sample]])
            if found >= 2 and (found not in scored or value > scored[found][0]):
                scored[found] = (value, theme)

    # Coarse to fine: every k up to COARSE_FROM, then a grid, then around the best of the grid.
    step = max(1, (high - COARSE_FROM) // COARSE_STEPS)
    score(range(2, min(high, COARSE_FROM) + 1))
    score(range(COARSE_FROM, high + 1, step))
    if step > 1 and scored:
        best_k = int(_best(scored).max()) + 1
        score(range(best_k - step + 1, best_k + step))
    if not scored:
        return np.zeros(len(points), dtype=np.int64)
    return _best(scored)


def _best(scored: dict[int, tuple[float, np.ndarray]]) -> np.ndarray:
    """The clustering with the best silhouette, except that two themes must win clearly."""
    many = [(score, -k) for k, (score, _) in scored.items() if k > 2]
    if not many:
        return scored[2][1]
    score, negative_k = max(many)
    if 2 in scored and scored[2][0] > (TWO_THEME_MARGIN * score if score > 0 else score):
        return scored[2][1]
    return scored[-negative_k][1]


def _silhouette_sample(n_rows: int, seed: int) -> np.ndarray:
    if n_rows <= SILHOUETTE_SAMPLE:
        return np.arange(n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=SILHOUETTE_SAMPLE, replace=False))


def _silhouette(distances: np.ndarray, theme: np.ndarray) -> float:
    """Mean silhouette of `theme` over a precomputed distance matrix (singletons score 0)."""
    labels = _compact(theme)
    k = int(labels.max()) + 1
    if not 2 <= k < len(labels):
        return -1.0
    onehot = np.zeros((len(labels), k), dtype=distances.dtype)
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


def _refined_cut(tree: np.ndarray, points: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Cut the Ward tree into k themes, then polish the cut with weighted k-means (Lloyd)."""
    theme = fcluster(tree, k, criterion="maxclust") - 1
    k_found = int(theme.max()) + 1
    sq_norms = np.einsum("ij,ij->i", points, points)
    for _ in range(_LLOYD_ROUNDS):
        sums = _theme_sums(points, weights, theme, k_found)
        mass = np.bincount(theme, weights=weights, minlength=k_found)
        centres = sums / np.where(mass == 0, 1.0, mass)[:, None]
        centre_norms = np.einsum("ij,ij->i", centres, centres)
        dist = sq_norms[:, None] - 2.0 * points @ centres.T + centre_norms
        dist[:, mass == 0] = np.inf
        moved = np.argmin(dist, axis=1)
        if np.array_equal(moved, theme):
            break
        theme = moved
    return _compact(theme)


def _fold_small(
    theme: np.ndarray, points: np.ndarray, weights: np.ndarray, min_size: int
) -> np.ndarray:
    """Move the points of themes lighter than `min_size` into the nearest remaining theme."""
    theme = theme.copy()
    while True:
        sizes = np.bincount(theme, weights=weights)
        small = np.flatnonzero(sizes < min_size)
        if len(small) == 0 or len(sizes) - len(small) < 1:
            return theme
        big = np.flatnonzero(sizes >= min_size)
        centres = unit_rows(
            np.stack([np.average(points[theme == c], 0, weights[theme == c]) for c in big])
        )
        moving = np.isin(theme, small)
        nearest = np.argmax(unit_rows(points[moving].astype(np.float64)) @ centres.T, axis=1)
        theme[moving] = big[nearest]
        theme = _compact(theme)


def _theme_sums(points: np.ndarray, weights: np.ndarray, theme: np.ndarray, k: int) -> np.ndarray:
    """Weighted sum of the points of each theme, (k, dim) float64."""
    onehot = sparse.csr_matrix(
        (weights.astype(np.float64), (theme, np.arange(len(points)))), shape=(k, len(points))
    )
    return np.asarray(onehot @ points.astype(np.float64, copy=False))


def _compact(theme: np.ndarray) -> np.ndarray:
    return np.unique(theme, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _off_topic(rows: np.ndarray, centroids: np.ndarray, theme: np.ndarray) -> np.ndarray:
    """Rows whose cosine to their own theme's centre is below OFF_TOPIC."""
    if len(centroids) < 2:
        return np.zeros(len(rows), dtype=bool)
    out = np.empty(len(rows), dtype=bool)
    for start in range(0, len(rows), _CHUNK):
        block = rows[start : start + _CHUNK].astype(np.float32)
        norms = np.linalg.norm(block, axis=1)
        dots = np.einsum("ij,ij->i", block, centroids[theme[start : start + _CHUNK]])
        out[start : start + _CHUNK] = dots < OFF_TOPIC * np.where(norms == 0, 1.0, norms)
    return out


def _renumbered(labels: np.ndarray, centroids: np.ndarray) -> Clustering:
    """Number themes by size (largest first, ties by first row) and drop emptied ones."""
    assigned = labels[labels >= 0]
    if len(assigned) == 0:
        return Clustering(tuple(labels.tolist()), np.zeros((0, centroids.shape[1]), np.float32), 0)
    present, first, counts = np.unique(assigned, return_index=True, return_counts=True)
    order = sorted(range(len(present)), key=lambda i: (-counts[i], first[i]))
    mapping = np.full(len(centroids), -1, dtype=np.int64)
    mapping[present[order]] = np.arange(len(order))
    new = np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1)
    return Clustering(tuple(new.tolist()), centroids[present[order]], len(order))

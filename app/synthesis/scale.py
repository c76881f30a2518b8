"""Themes and campaigns of a scope too large to hold its texts or compare all its pairs.

The rows come as a (n, dim) array of unit vectors, float16 to halve the memory (768 MB for
1,000,000 x 384), and everything here reads it in blocks converted to float32, never whole:

- copies: the MinHash band keys of each text (`duplicates.text_band_keys`, taken while the
  texts streamed past) propose candidates, a row and the first row of a band's bucket; the
  pair is kept when they share at least MIN_SHARED_BANDS of the BANDS keys (about Jaccard 0.8
  on 3-word shingles, the one-stage test) and their vectors are COPY_COSINE alike; campaigns
  are the connected pieces of the kept pairs. Linear in the rows, never all pairs;
- noise: content-free rows (flagged by the caller), isolated rows, measured as in
  `noise.isolated` against a smaller fixed sample of the scope, and remarks about the
  consultation itself (`noise.about_the_process`);
- themes in two stages: mini-batch k-means fitted on at most MICRO_FIT_ROWS voices makes
  MICRO_POINTS micro-clusters, every voice goes to its nearest micro-centre in blocks, the
  one-stage theme finder (`themes.theme_nodes`) themes the micro-centres weighted by their
  voices, and each row takes its micro-cluster's theme (a copy takes its letter's).

Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import MiniBatchKMeans

from app.embedding.engine import unit_rows
from app.synthesis.duplicates import BANDS
from app.synthesis.noise import COPY_COSINE as NOISE_COPY
from app.synthesis.noise import (
    ISOLATED_SHARE,
    NEIGHBOURS,
    PROCESS_DENSITY,
    PROCESS_MARGIN,
)
from app.synthesis.themes import COPY_COSINE, MICRO_EPOCHS, MICRO_POINTS, theme_nodes

MICRO_FIT_ROWS = 100_000  # voices the micro-clusters are fitted on; all are then assigned
ISOLATION_REFERENCE = 1000  # rows of the scope each row's neighbours are looked for among
MIN_SHARED_BANDS = 5  # of BANDS MinHash bands: a pair sharing this many is a copy
BLOCK = 8192
PAIR_BLOCK = 65536


@dataclass(frozen=True)
class LargeThemes:
    """Themes of many rows: `labels[i]` is row i's theme (0..k-1, largest first) or -1."""

    labels: np.ndarray
    centroids: np.ndarray  # (k, dim) float32 unit rows
    k: int


def blocks(n: int, size: int = BLOCK) -> range:
    return range(0, n, size)


def isolated_rows(
    vectors: np.ndarray, candidates: np.ndarray, *, seed: int = 0,
    process: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask over `candidates`: `noise.isolated` in blocks, the neighbours looked for
    among ISOLATION_REFERENCE candidates picked once with `seed`; given `process` (the vectors
    of noise.PROCESS_REMARKS), also `noise.about_the_process`, against the candidates' centre."""
    if len(candidates) < 2 * NEIGHBOURS:
        return np.zeros(len(candidates), dtype=bool)
    rng = np.random.default_rng(seed)
    size = min(ISOLATION_REFERENCE, len(candidates))
    picked = np.sort(rng.choice(len(candidates), size, replace=False))
    reference = unit_rows(vectors[candidates[picked]].astype(np.float32))
    density = np.empty(len(candidates), dtype=np.float32)
    nearest = np.zeros(len(candidates), dtype=np.float32)  # process sentence less centre
    total = np.zeros(vectors.shape[1], dtype=np.float64)
    for start in blocks(len(candidates), 2048):
        rows = unit_rows(vectors[candidates[start : start + 2048]].astype(np.float32))
        total += rows.sum(axis=0, dtype=np.float64)
        sims = rows @ reference.T
        sims[sims >= NOISE_COPY] = -1.0
        top = np.partition(sims, -NEIGHBOURS, axis=1)[:, -NEIGHBOURS:]
        density[start : start + len(rows)] = top.mean(axis=1)
        if process is not None and len(process):
            near = rows @ unit_rows(np.asarray(process, dtype=np.float32)).T
            nearest[start : start + len(rows)] = near.max(axis=1)
    median = float(np.median(density))
    mask = density < ISOLATED_SHARE * median
    if process is not None and len(process):
        centre = unit_rows(total[None, :])[0].astype(np.float32)
        for start in blocks(len(candidates), 2048):
            rows = unit_rows(vectors[candidates[start : start + 2048]].astype(np.float32))
            nearest[start : start + len(rows)] -= rows @ centre
        mask |= (nearest >= PROCESS_MARGIN) & (density < PROCESS_DENSITY * median)
    return mask


def _alike(vectors: np.ndarray, a: np.ndarray, b: np.ndarray, bar: float) -> np.ndarray:
    """Whether rows a[i] and b[i] have cosine at least `bar` (in blocks)."""
    out = np.zeros(len(a), dtype=bool)
    for start in blocks(len(a)):
        left = vectors[a[start : start + BLOCK]].astype(np.float32)
        right = vectors[b[start : start + BLOCK]].astype(np.float32)
        out[start : start + len(left)] = np.einsum("ij,ij->i", left, right) >= bar
    return out


def campaigns(vectors: np.ndarray, eligible: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Campaign of each row (0.., largest first, ties by first row) or -1: rows `eligible`
    with MinHash band `keys` (one row of BANDS keys each), joined as the module says."""
    n = len(vectors)
    out = np.full(n, -1, dtype=np.int64)
    if len(eligible) < 2:
        return out
    edges = np.zeros(0, dtype=np.int64)  # pair codes member * m + leader, kept unique
    m_rows = len(eligible)
    for band in range(BANDS):
        key = keys[:, band]
        order = np.argsort(key, kind="stable")
        starts = np.r_[True, key[order][1:] != key[order][:-1]]
        first = order[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
        pair = order != first
        member, leader = order[pair], first[pair]
        found = [edges]
        for start in blocks(len(member), PAIR_BLOCK):
            m, lead = member[start : start + PAIR_BLOCK], leader[start : start + PAIR_BLOCK]
            shared = (keys[m] == keys[lead]).sum(axis=1) >= MIN_SHARED_BANDS
            found.append(m[shared] * m_rows + lead[shared])
        edges = np.unique(np.concatenate(found))
    a, b = edges // m_rows, edges % m_rows
    if len(a):
        near = _alike(vectors, eligible[a], eligible[b], COPY_COSINE)
        a, b = a[near], b[near]
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(len(eligible),) * 2)
    _, piece = connected_components(graph, directed=False)
    sizes = np.bincount(piece)
    firsts = np.full(len(sizes), len(eligible), dtype=np.int64)
    np.minimum.at(firsts, piece, np.arange(len(eligible)))
    grouped = np.flatnonzero(sizes >= 2)
    order = grouped[np.lexsort((firsts[grouped], -sizes[grouped]))]
    number = np.full(len(sizes), -1, dtype=np.int64)
    number[order] = np.arange(len(order))
    out[eligible] = number[piece]
    return out


def _leaders(vectors: np.ndarray, keep: np.ndarray, campaign: np.ndarray) -> np.ndarray:
    """For each row, the row whose voice it is: the first kept row of its campaign when alike
    (COPY_COSINE, no chains), else itself."""
    lead = np.arange(len(vectors), dtype=np.int64)
    copies = keep[campaign[keep] >= 0]
    if len(copies) == 0:
        return lead
    first = np.full(int(campaign.max()) + 1, len(vectors), dtype=np.int64)
    np.minimum.at(first, campaign[copies], copies)
    letter = first[campaign[copies]]
    alike = _alike(vectors, copies, letter, COPY_COSINE)
    lead[copies[alike]] = letter[alike]
    return lead


def _sums(vectors: np.ndarray, rows: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    """(k, dim) float64 sums of the rows of each group (group[i] for rows[i], -1 skipped)."""
    total = np.zeros((k, vectors.shape[1]))
    for start in blocks(len(rows)):
        g = group[start : start + BLOCK]
        take = g >= 0
        block = vectors[rows[start : start + BLOCK][take]].astype(np.float64)
        onehot = sparse.csr_matrix(
            (np.ones(len(block)), (g[take], np.arange(len(block)))), shape=(k, len(block)))
        total += onehot @ block
    return total


def _micro(vectors: np.ndarray, voices: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray,
                                                                        np.ndarray]:
    """(unit micro-centres, voices in each, micro-cluster of each voice)."""
    size = min(MICRO_POINTS, max(2, len(voices) // 4))
    fit = voices
    if len(voices) > MICRO_FIT_ROWS:
        rng = np.random.default_rng(seed)
        fit = voices[np.sort(rng.choice(len(voices), MICRO_FIT_ROWS, replace=False))]
    model = MiniBatchKMeans(n_clusters=size, init="random", batch_size=4096, n_init=1,
                            max_iter=MICRO_EPOCHS, compute_labels=False, random_state=seed)
    centres = model.fit(vectors[fit].astype(np.float32)).cluster_centers_.astype(np.float32)
    half = 0.5 * np.einsum("ij,ij->i", centres, centres)
    node_of = np.empty(len(voices), dtype=np.int64)
    for start in blocks(len(voices)):
        block = vectors[voices[start : start + BLOCK]].astype(np.float32)
        node_of[start : start + len(block)] = np.argmax(block @ centres.T - half, axis=1)
    counts = np.bincount(node_of, minlength=size)
    used = np.flatnonzero(counts)
    remap = np.full(size, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    node_of = remap[node_of]
    nodes = unit_rows(_sums(vectors, voices, node_of, len(used)))
    return nodes, counts[used].astype(np.float64), node_of


def two_stage_themes(
    vectors: np.ndarray,
    skip: np.ndarray,
    campaign: np.ndarray,
    *,
    min_theme_size: int = 2,
    seed: int = 0,
) -> LargeThemes:
    """Themes of the rows of unit `vectors` not flagged in `skip`, `campaign` giving each
    row's campaign (-1 for none) so that copies count one voice and share their letter's
    theme. Raises ValueError if the arrays disagree in length or `min_theme_size` < 1."""
    n, dim = vectors.shape
    if len(skip) != n or len(campaign) != n:
        raise ValueError(f"{len(skip)} flags and {len(campaign)} campaigns for {n} rows")
    if min_theme_size < 1:
        raise ValueError("min_theme_size must be at least 1")
    labels = np.full(n, -1, dtype=np.int64)
    keep = np.flatnonzero(~np.asarray(skip, bool))
    if len(keep) == 0:
        return LargeThemes(labels, np.zeros((0, dim), np.float32), 0)
    lead = _leaders(vectors, keep, np.asarray(campaign, np.int64))
    voices = keep[lead[keep] == keep]
    if len(voices) < 3:
        node_theme, node_of = np.zeros(1, np.int64), np.zeros(len(voices), np.int64)
    else:
        nodes, weights, node_of = _micro(vectors, voices, seed)
        node_theme = theme_nodes(nodes, weights, len(voices), min_theme_size=min_theme_size,
                                 seed=seed)
    labels[voices] = node_theme[node_of]
    labels[keep] = labels[lead[keep]]
    return _by_size(vectors, labels)


def _by_size(vectors: np.ndarray, labels: np.ndarray) -> LargeThemes:
    """Themes numbered largest first (ties by first row), with their unit centres."""
    assigned = np.flatnonzero(labels >= 0)
    present, first, counts = np.unique(labels[assigned], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.full(int(present.max()) + 1, -1, dtype=np.int64)
    mapping[present[order]] = np.arange(len(order))
    labels = np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1)
    centroids = unit_rows(_sums(vectors, assigned, labels[assigned], len(order)))
    return LargeThemes(labels, centroids.astype(np.float32), len(order))

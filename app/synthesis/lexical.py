"""The words comments share, joined to their sentence embeddings before themes are found.

Themes of one measure differ by aspect, not by topic: every comment on a measure speaks of the
same things, and a sentence embedding places "six months is too short" near "keep it for ten
years". The words tell such comments apart where the embedding hesitates ("deadline",
"retention", "template"), and the embedding joins what the words miss (synonyms, paraphrase).
So themes are found on both: each comment's unit embedding, centred on the scope's mean, beside
its TF-IDF vector (sublinear counts, English stop words out, words used by one comment only
left out: they tie no two comments together), reduced to at most LEXICAL_DIMS dimensions by a
truncated SVD and centred in turn, weighing LEXICAL_WEIGHT of the embedding. The cosine of two
joined vectors is then the weighted mean of the two cosines.

Measured with bench/bench_synthesis_quality.py on four sets of our own (see docs/synthesis.md):
agreement with the human themes rises on every set, most on the held-out sets written after the
rest of the method was fixed. Only for scopes clustered directly (themes.DIRECT_LIMIT distinct
comments or fewer); larger scopes are themed on their embeddings' micro-clusters.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from app.embedding.engine import unit_rows

LEXICAL_WEIGHT = 0.75  # the words' part of a comment's vector, beside its embedding's 1.0
LEXICAL_DIMS = 100  # the TF-IDF vectors' dimensions after the truncated SVD
MIN_COMMENTS = 2  # a word counts once used by this many comments


def with_words(points: np.ndarray, texts: Sequence[str], *, seed: int = 0) -> np.ndarray:
    """`points` (unit embeddings, one row per text of `texts`) joined with the texts' reduced
    TF-IDF vectors: unit rows of width dim + at most LEXICAL_DIMS. The points alone (centred,
    unit) where the texts share too few words to weigh (fewer than three rows, or fewer than
    two words used by MIN_COMMENTS texts)."""
    if len(points) != len(texts):
        raise ValueError("one text per point")
    meaning = _centred(np.asarray(points, dtype=np.float64))
    words = _word_vectors(texts, seed) if len(texts) >= 3 else None
    if words is None:
        return meaning
    return unit_rows(np.hstack([meaning, LEXICAL_WEIGHT * _centred(words)]))


def _word_vectors(texts: Sequence[str], seed: int) -> np.ndarray | None:
    vectoriser = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=MIN_COMMENTS)
    try:
        counts = vectoriser.fit_transform(texts)
    except ValueError:  # no word used by MIN_COMMENTS texts
        return None
    dims = min(LEXICAL_DIMS, counts.shape[0] - 1, counts.shape[1] - 1)
    if dims < 1:
        return None
    with warnings.catch_warnings():  # texts sharing only a word or two: no variance to rank
        warnings.simplefilter("ignore", RuntimeWarning)
        return TruncatedSVD(dims, random_state=seed).fit_transform(counts)


def _centred(rows: np.ndarray) -> np.ndarray:
    return unit_rows(rows - rows.mean(axis=0))

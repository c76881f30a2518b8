"""Sentences of many provisions at once, for the coverage step: blocks, carry, containment.

Pure. A `Block` lays the sentences of several provisions end to end, so that one matrix
product compares all of them; `carried` says how well each sentence is already carried by
the provisions it is linked to (1.0 when its words are there as they were, else the best
cosine with their sentences); `text_carried` finds sentences whose word 3-grams are in a
text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from app.drafting.meaning import Meaning, Sentences
from app.drafting.similarity import words

if TYPE_CHECKING:
    from app.drafting.textmatch import TextMatcher

# A sentence whose word 3-grams are found in a text at this share is carried as it was.
TEXT_CARRIES = 0.6
MIN_GRAMS = 3


@dataclass(frozen=True)
class Block:
    """The sentences of some provisions of one round, laid end to end."""

    owners: tuple[int, ...]
    texts: tuple[str, ...]
    weights: np.ndarray
    spans: Mapping[int, tuple[int, int]]

    def rows(self, node: int) -> np.ndarray:
        start, stop = self.spans.get(node, (0, 0))
        return np.arange(start, stop)

    def total(self, rows: np.ndarray) -> float:
        return float(self.weights[rows].sum())


def block(sentences: Sentences, side: int, nodes: Sequence[int]) -> Block:
    owners: list[int] = []
    texts: list[str] = []
    weights: list[np.ndarray] = []
    spans: dict[int, tuple[int, int]] = {}
    for node in nodes:
        own = sentences.of(side, node)
        spans[node] = (len(texts), len(texts) + len(own))
        owners += [node] * len(own)
        texts += own
        weights.append(sentences.weights(side, node))
    flat = np.concatenate(weights) if weights else np.zeros(0)
    return Block(tuple(owners), tuple(texts), flat, spans)


def carried(
    sentences: Sentences,
    meaning: Meaning,
    state: TextMatcher,
    side: int,
    own: Block,
    links: Mapping[int, tuple[int, ...]],
) -> np.ndarray:
    """For each sentence of `own` (provisions of round `side`), how well the provisions of the
    other round it is linked to (`links`) carry it: 1.0 as it was, else the best cosine."""
    result = np.zeros(len(own.texts))
    for node in own.spans:
        if sentences.same_text(side, node, links.get(node, ())):
            result[own.rows(node)] = 1.0
    others = sorted({o for node in own.spans for o in links.get(node, ())})
    if not others or not own.texts or (result >= 1.0).all():
        return result
    column = {o: c for c, o in enumerate(others)}
    full = [sentences.flat(1 - side, o) for o in others]
    verbatim = text_carried(own.texts, full, sentences.grams)
    mask = np.zeros((len(own.texts), len(others)), dtype=bool)
    for r, node in enumerate(own.owners):
        for o in links.get(node, ()):
            mask[r, column[o]] = True
    result[(verbatim * mask).max(axis=1) >= 1.0] = 1.0
    open_rows = np.flatnonzero(result < 1.0)
    if not len(open_rows):
        return result
    other_block = block(sentences, 1 - side, others)
    if not other_block.texts:
        return result
    texts = [own.texts[r] for r in open_rows]
    cos = meaning.cosine(texts, list(other_block.texts))
    owner_column = np.array([column[o] for o in other_block.owners])
    allowed = mask[open_rows][:, owner_column]
    best = np.where(allowed, cos, 0.0).max(axis=1)
    result[open_rows] = np.maximum(best, 0.0)
    return result


def text_carried(
    a: Sequence[str], b: Sequence[str], memo: dict[str, frozenset[str]] | None = None
) -> np.ndarray:
    """1.0 where text a[r] is carried as it was by text b[c]: at least TEXT_CARRIES of its
    word 3-grams (and MIN_GRAMS of them) occur in b[c]."""
    shared, counts = shared_grams(a, b, memo)
    enough = (counts >= MIN_GRAMS)[:, None]
    return np.where(enough & (shared >= TEXT_CARRIES * counts[:, None]), 1.0, 0.0)


def shared_grams(
    a: Sequence[str], b: Sequence[str], memo: dict[str, frozenset[str]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """How many word 3-grams each text of `a` shares with each text of `b`, and how many
    each text of `a` has (`memo` keeps the 3-grams of texts seen before)."""
    if not a or not b:
        return np.zeros((len(a), len(b))), np.zeros(len(a))
    memo = {} if memo is None else memo
    vocabulary: dict[str, int] = {}
    rows_a = [_gram_ids(text, vocabulary, memo) for text in a]
    rows_b = [_gram_ids(text, vocabulary, memo) for text in b]
    size = max(len(vocabulary), 1)
    matrix_a, matrix_b = _binary(rows_a, size), _binary(rows_b, size)
    shared = np.asarray((matrix_a @ matrix_b.T).todense())
    return shared, np.array([len(row) for row in rows_a], dtype=np.float64)


def _gram_ids(text: str, vocabulary: dict[str, int], memo: dict[str, frozenset[str]]) -> set[int]:
    grams = memo.get(text)
    if grams is None:
        tokens = words(text)
        grams = frozenset(" ".join(tokens[k : k + 3]) for k in range(max(len(tokens) - 2, 0)))
        memo[text] = grams
    return {vocabulary.setdefault(gram, len(vocabulary)) for gram in grams}


def _binary(rows: list[set[int]], size: int) -> sparse.csr_matrix:
    indptr = np.cumsum([0, *(len(row) for row in rows)])
    indices = np.fromiter((i for row in rows for i in sorted(row)), dtype=np.int64)
    data = np.ones(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), size))

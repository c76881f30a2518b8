"""Text similarity measures between the provisions of two rounds, for the alignment engine.

Three measures, each computed for whole blocks of (old, new) pairs at once:

- content: TF-IDF cosine over the words of title and text (sublinear term frequency, IDF
  fitted on both rounds), so shared domain vocabulary counts for little;
- title: Jaccard overlap of the title words;
- containment: the share of one text's word 3-grams that occur in the other, which tells a
  part cut out of a longer text (split, merge) from a text that merely shares its topic;
- coverage: IDF-weighted sets of word stems (words cut to their first letters), which
  still find the material of a part that was reworded when it was cut out or merged in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

_WORD = re.compile(r"[^\W_]+")
# Small words that make unrelated titles look alike ("Data and Access", "Risk and Data").
TITLE_STOP_WORDS = frozenset("a an and as at by for from in into of on or the to with".split())
# Coverage compares words by their first letters, so "question" meets "questions".
STEM = 5

Matrix = NDArray[np.float64]
Indices = Sequence[int] | NDArray[np.intp]


def words(text: str) -> list[str]:
    """Lower-case words of a text (letters and digits; Markdown punctuation dropped)."""
    return _WORD.findall(text.lower())


def normalised(text: str) -> str:
    """The text with every run of whitespace collapsed to one space, ends trimmed."""
    return " ".join(text.split())


def _shingles(tokens: list[str]) -> list[str]:
    if len(tokens) < 3:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2)]


class Similarity:
    """Pairwise similarities between old documents (rows) and new documents (columns).

    `old_docs` and `new_docs` are (title, text) pairs in round order.
    """

    def __init__(
        self, old_docs: Sequence[tuple[str, str]], new_docs: Sequence[tuple[str, str]]
    ) -> None:
        content = [words(f"{title}\n{text}") for title, text in (*old_docs, *new_docs)]
        titles = [
            sorted(set(words(title)) - TITLE_STOP_WORDS) for title, _ in (*old_docs, *new_docs)
        ]
        split = len(old_docs)
        tfidf = _tfidf(_counts(content))
        stems = _binary(_counts([[word[:STEM] for word in tokens] for tokens in content]))
        self._idf = _idf(stems)
        self._stems = (stems[:split], stems[split:])
        self.old_weight = np.asarray(stems[:split] @ self._idf, dtype=np.float64).ravel()
        shingles = _binary(_counts([_shingles(tokens) for tokens in content]))
        title_sets = _binary(_counts(titles))
        self._content = (tfidf[:split], tfidf[split:])
        self._shingles = (shingles[:split], shingles[split:])
        self._titles = (title_sets[:split], title_sets[split:])
        self.old_shingle_count = np.diff(shingles[:split].indptr)
        self.new_shingle_count = np.diff(shingles[split:].indptr)
        self._title_size = (np.diff(title_sets[:split].indptr), np.diff(title_sets[split:].indptr))

    def content(self, old: Indices, new: Indices) -> Matrix:
        """TF-IDF cosine, shape (len(old), len(new))."""
        return _dense(self._content[0][old] @ self._content[1][new].T)

    def shingle_jaccard(self, side: int, indices: Indices) -> Matrix:
        """Jaccard overlap of word 3-grams among texts of one round (`side` 0: old, 1: new)."""
        rows = self._shingles[side][indices]
        shared = _dense(rows @ rows.T)
        sizes = np.diff(rows.indptr).astype(np.float64)
        return shared / np.maximum(sizes[:, None] + sizes[None, :] - shared, 1)

    def stem_rows(self, side: int, indices: Indices) -> sparse.csr_matrix:
        """Binary word-stem rows of some texts of one round (`side` 0: old, 1: new)."""
        return sparse.csr_matrix(self._stems[side][indices])

    @property
    def idf(self) -> NDArray[np.float64]:
        """IDF weight of each word stem."""
        return self._idf

    def title(self, old: Indices, new: Indices) -> Matrix:
        """Jaccard overlap of title words (small words ignored); 0.0 if both are empty."""
        shared = _dense(self._titles[0][old] @ self._titles[1][new].T)
        sizes_old = self._title_size[0][old][:, None]
        sizes_new = self._title_size[1][new][None, :]
        return shared / np.maximum(sizes_old + sizes_new - shared, 1)

    def new_in_old(self, new: Indices, old: Indices) -> Matrix:
        """Share of each new text's 3-grams found in each old text, shape (len(new), len(old))."""
        shared = _dense(self._shingles[1][new] @ self._shingles[0][old].T)
        return shared / np.maximum(self.new_shingle_count[new], 1)[:, None]

    def old_in_new(self, old: Indices, new: Indices) -> Matrix:
        """Share of each old text's 3-grams found in each new text, shape (len(old), len(new))."""
        shared = _dense(self._shingles[0][old] @ self._shingles[1][new].T)
        return shared / np.maximum(self.old_shingle_count[old], 1)[:, None]

    def old_in_new_pairs(self, old: Indices, new: Indices) -> NDArray[np.float64]:
        """Share of each old text's 3-grams found in its paired new text, pair by pair."""
        shared = np.asarray(
            self._shingles[0][old].multiply(self._shingles[1][new]).sum(axis=1)
        ).ravel()
        return shared / np.maximum(self.old_shingle_count[old], 1)

    def old_shingles(self, old: int) -> frozenset[int]:
        """The 3-gram ids of one old text."""
        return _row(self._shingles[0], old)

    def new_shingles(self, new: int) -> frozenset[int]:
        """The 3-gram ids of one new text."""
        return _row(self._shingles[1], new)

    def old_stems(self, old: int) -> frozenset[int]:
        """The word-stem ids of one old text."""
        return _row(self._stems[0], old)

    def new_stems(self, new: int) -> frozenset[int]:
        """The word-stem ids of one new text."""
        return _row(self._stems[1], new)

    def weight(self, stems: Iterable[int]) -> float:
        """The summed IDF weight of some word stems."""
        return float(self._idf[sorted(stems)].sum())

    def pairs(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], float]:
        """TF-IDF cosine of each (old, new) pair, computed in one pass."""
        if not pairs:
            return {}
        old = self._content[0][[i for i, _ in pairs]]
        new = self._content[1][[j for _, j in pairs]]
        values = np.asarray(old.multiply(new).sum(axis=1)).ravel()
        return {pair: float(value) for pair, value in zip(pairs, values, strict=True)}

    def whole(self, old: int, parts: Sequence[int]) -> float:
        """TF-IDF cosine of an old document and the concatenation of several new ones."""
        combined = self._content[1][list(parts)].sum(axis=0)
        norm = float(np.linalg.norm(combined))
        if norm == 0.0:
            return 0.0
        return float((self._content[0][old] @ np.asarray(combined).ravel()).item() / norm)


def share_beyond(
    part: frozenset[int], whole: frozenset[int], known: Iterable[frozenset[int]]
) -> float:
    """Share of `part`'s 3-grams that occur in `whole` but in none of the `known` texts.

    This is what a split part or a merged text must bring: material of the whole that the
    texts already linked to it do not account for.
    """
    if not part:
        return 0.0
    found = part & whole
    for text in known:
        found -= text
    return len(found) / len(part)


def _counts(documents: Sequence[list[str]]) -> sparse.csr_matrix:
    """Document-term counts, with terms numbered in order of first appearance."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for tokens in documents:
        for token in tokens:
            indices.append(vocabulary.setdefault(token, len(vocabulary)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    shape = (len(documents), max(len(vocabulary), 1))
    matrix = sparse.csr_matrix((data, np.array(indices, dtype=np.int64), indptr), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _binary(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    counts.data[:] = 1.0
    return counts


def _row(matrix: sparse.csr_matrix, row: int) -> frozenset[int]:
    return frozenset(matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]].tolist())


def _idf(counts: sparse.csr_matrix) -> NDArray[np.float64]:
    """Smoothed inverse document frequency of each term."""
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.asarray(np.log((1 + counts.shape[0]) / (1 + frequency)) + 1.0, dtype=np.float64)


def _tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows of sublinear TF times smoothed IDF, scaled to unit length."""
    idf = _idf(counts)
    weighted = counts.copy()
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ weighted)


def _dense(product: object) -> Matrix:
    if sparse.issparse(product):
        return np.asarray(product.toarray(), dtype=np.float64)  # type: ignore[attr-defined]
    return np.asarray(product, dtype=np.float64)

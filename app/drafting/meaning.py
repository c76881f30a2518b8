"""Meaning as evidence: sentence vectors for the provisions the text does not pair well.

Pure. The alignment is given an `embed` callable (texts -> unit vectors, one row per text;
the importer backs it with a cache keyed by text hash). `Meaning` asks it only for texts it
has not seen, once per stage and in sorted order (so the same rounds always produce the same
calls), and rounds cosines to 4 decimals so that last-bit differences between two runs of a
model cannot tip a decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from app.drafting.nodes import Node
from app.drafting.similarity import words

Embed = Callable[[Sequence[str]], np.ndarray]


def remembering(embed: Embed) -> Embed:
    """`embed` computing each distinct text once however often it is asked (an alignment
    with corrections matches twice: with them and without)."""
    seen: dict[str, np.ndarray] = {}

    def remembered(texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, embed(missing), strict=True))
        return np.stack([seen[t] for t in texts]) if len(texts) else embed(texts)

    return remembered
Matrix = NDArray[np.float64]

_BREAK = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z0-9(\"'])")
# A piece shorter than this many words (a table cell, a list marker) joins the one before.
MIN_WORDS = 4


def split_sentences(text: str) -> list[str]:
    """The sentences of a plain text: cut after . ! ? ; : before a capital or a digit. Line
    ends are spaces: the plain text of a paragraph keeps its source's line breaks."""
    pieces: list[str] = []
    for piece in _BREAK.split(" ".join(text.split())):
        piece = " ".join(piece.split())
        if not piece:
            continue
        if pieces and len(words(piece)) < MIN_WORDS:
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    if len(pieces) > 1 and len(words(pieces[0])) < MIN_WORDS:
        pieces[1] = f"{pieces[0]} {pieces[1]}"
        pieces.pop(0)
    return pieces


class Sentences:
    """The sentences of each provision of both rounds, with word-count weights."""

    def __init__(self, old: Sequence[Node], new: Sequence[Node]) -> None:
        self._nodes = (old, new)
        self._cache: tuple[dict[int, list[str]], dict[int, list[str]]] = ({}, {})
        self._common: list[set[str] | None] = [None, None]
        self._weights: tuple[dict[int, NDArray[np.float64]], ...] = ({}, {})
        self._flat = (
            [" ".join(node.text.split()) for node in old],
            [" ".join(node.text.split()) for node in new],
        )
        self.grams: dict[str, frozenset[str]] = {}

    def of(self, side: int, index: int) -> list[str]:
        found = self._cache[side].get(index)
        if found is None:
            found = split_sentences(self._nodes[side][index].text)
            self._cache[side][index] = found
        return found

    def weights(self, side: int, index: int) -> NDArray[np.float64]:
        """Words per sentence; a boilerplate sentence (in several provisions of its round,
        such as the closing sentence of template measures) weighs nothing."""
        found = self._weights[side].get(index)
        if found is None:
            common = self.boilerplate(side)
            found = np.array(
                [0.0 if _key(s) in common else max(len(words(s)), 1) for s in self.of(side, index)],
                dtype=np.float64,
            )
            self._weights[side][index] = found
        return found

    def flat(self, side: int, index: int) -> str:
        """The provision's text with whitespace collapsed."""
        return self._flat[side][index]

    def same_text(self, side: int, index: int, others: Sequence[int]) -> bool:
        """Whether a provision's only link has the very same text."""
        return len(others) == 1 and self._flat[side][index] == self._flat[1 - side][others[0]]

    def boilerplate(self, side: int) -> set[str]:
        """Sentences (as lower-case words) found in more than one provision of a round."""
        common = self._common[side]
        if common is None:
            seen: dict[str, int] = {}
            for node in self._nodes[side]:
                for sentence in set(map(_key, split_sentences(node.text))):
                    seen[sentence] = seen.get(sentence, 0) + 1
            common = {sentence for sentence, count in seen.items() if count > 1}
            self._common[side] = common
        return common


def _key(sentence: str) -> str:
    return " ".join(words(sentence))


class Meaning:
    """Vectors for texts, fetched from `embed` in batches and kept for the alignment's life
    (in one buffer that doubles when full)."""

    def __init__(self, embed: Embed) -> None:
        self._embed = embed
        self._row: dict[str, int] = {}
        self._buffer = np.zeros((0, 0))
        self.calls = 0

    def fetch(self, texts: Iterable[str]) -> None:
        """Embed, in one call, those of `texts` not embedded yet."""
        missing = sorted({t for t in texts if t not in self._row})
        if not missing:
            return
        vectors = np.asarray(self._embed(missing), dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] != len(missing):
            raise ValueError(f"embed returned {len(vectors)} vectors for {len(missing)} texts")
        self.calls += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        start = len(self._row)
        if start + len(missing) > len(self._buffer):
            grown = np.zeros((max(2 * len(self._buffer), start + len(missing)), vectors.shape[1]))
            if start:
                grown[:start] = self._buffer[:start]
            self._buffer = grown
        self._buffer[start : start + len(missing)] = vectors
        for offset, text in enumerate(missing):
            self._row[text] = start + offset

    def cosine(self, a: Sequence[str], b: Sequence[str]) -> Matrix:
        """Cosines of every text of `a` with every text of `b`, rounded to 4 decimals."""
        if not len(a) or not len(b):
            return np.zeros((len(a), len(b)))
        self.fetch([*a, *b])
        rows = self._buffer[[self._row[t] for t in a]]
        cols = self._buffer[[self._row[t] for t in b]]
        product: Matrix = np.asarray(np.clip(rows @ cols.T, -1.0, 1.0), dtype=np.float64)
        return np.round(product, 4)

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
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from app.drafting.similarity import words

if TYPE_CHECKING:
    from app.drafting.alignment import Node

Embed = Callable[[Sequence[str]], np.ndarray]
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

    def of(self, side: int, index: int) -> list[str]:
        found = self._cache[side].get(index)
        if found is None:
            found = split_sentences(self._nodes[side][index].text)
            self._cache[side][index] = found
        return found

    def weights(self, side: int, index: int) -> NDArray[np.float64]:
        """Words per sentence; a boilerplate sentence (in several provisions of its round,
        such as the closing sentence of template measures) weighs nothing."""
        common = self.boilerplate(side)
        return np.array(
            [0.0 if _key(s) in common else max(len(words(s)), 1) for s in self.of(side, index)],
            dtype=np.float64,
        )

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
    """Vectors for texts, fetched from `embed` in batches and kept for the alignment's life."""

    def __init__(self, embed: Embed) -> None:
        self._embed = embed
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self.calls = 0

    def fetch(self, texts: Iterable[str]) -> None:
        """Embed, in one call, those of `texts` not embedded yet."""
        missing = sorted({t for t in texts if t and t not in self._vectors})
        if not missing:
            return
        vectors = np.asarray(self._embed(missing), dtype=np.float32)
        if vectors.shape[0] != len(missing):
            raise ValueError(f"embed returned {vectors.shape[0]} vectors for {len(missing)} texts")
        self.calls += 1
        for text, vector in zip(missing, vectors, strict=True):
            norm = float(np.linalg.norm(vector))
            self._vectors[text] = vector / norm if norm > 0 else vector

    def vectors(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.fetch(texts)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._vectors[t] if t else self._zero() for t in texts])

    def cosine(self, a: Sequence[str], b: Sequence[str]) -> Matrix:
        """Cosines of every text of `a` with every text of `b`, rounded to 4 decimals."""
        if not a or not b:
            return np.zeros((len(a), len(b)))
        product = self.vectors(a).astype(np.float64) @ self.vectors(b).astype(np.float64).T
        return np.round(np.clip(product, -1.0, 1.0), 4)

    def _zero(self) -> NDArray[np.float32]:
        some = next(iter(self._vectors.values()))
        return np.zeros_like(some)

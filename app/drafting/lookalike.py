"""Template look-alikes: provisions of one round written from the same template.

Pure. "Signatories shall publish an annual report on X" for several X share long runs of
words, so word and meaning similarity both say any two of them are alike. They are told
apart by what they do not share: a provision that shares much of its wording (word 3-grams)
with another of its own round and kind, its twin, has a *residual*, the words of its text
its twin lacks. Two look-alikes of the two rounds are the same provision only if one's
residual is found in the other's text, or they keep the same title.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from app.drafting.nodes import Node
from app.drafting.similarity import Similarity, normalised, words

# Jaccard overlap of word 3-grams with another provision of the same round and kind that
# makes two look-alikes.
LOOKALIKE = 0.4
# Share of a residual's (IDF-weighted) word stems that must occur in the other text.
RESIDUAL_AGREES = 0.5


class Lookalikes:
    """The look-alikes of one kind in both rounds, their twins and their residuals."""

    def __init__(
        self,
        sim: Similarity,
        old: Sequence[Node],
        new: Sequence[Node],
        olds: Sequence[int],
        news: Sequence[int],
    ) -> None:
        self.sim = sim
        self.twin: tuple[dict[int, int], dict[int, int]] = (
            _twins(sim, 0, olds),
            _twins(sim, 1, news),
        )
        self._nodes = (old, new)
        self._title_ids = _ids([normalised(n.title).lower() for n in (*old, *new)], len(old))
        self._text_ids = _ids([normalised(n.text) for n in (*old, *new)], len(old))

    def is_lookalike(self, side: int, index: int) -> bool:
        return index in self.twin[side]

    def either(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """Whether old row i or new column j is a look-alike, as a boolean matrix."""
        old_alike = np.array([i in self.twin[0] for i in rows], dtype=bool)
        new_alike = np.array([j in self.twin[1] for j in cols], dtype=bool)
        return old_alike[:, None] | new_alike[None, :]

    def agreement(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """For each (old i, new j): the larger share of a look-alike's residual (IDF-weighted
        word stems) found in the other's text; 1.0 where neither is a look-alike."""
        result = np.ones((len(rows), len(cols)))
        old_found = self._found(0, rows, cols)
        new_found = self._found(1, cols, rows)
        if old_found is None and new_found is None:
            return result
        best = np.full((len(rows), len(cols)), -1.0)
        if old_found is not None:
            best = np.maximum(best, old_found)
        if new_found is not None:
            best = np.maximum(best, new_found.T)
        return np.where(best >= 0, best, result)

    def veto(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Pairs of look-alikes that disagree on what sets them apart and keep neither the
        same title nor the same text: the same template about other subjects."""
        rows_list, cols_list = rows.tolist(), cols.tolist()
        result = self.agreement(rows_list, cols_list) < RESIDUAL_AGREES
        if not result.any():
            return result
        for ids in (self._title_ids, self._text_ids):
            result &= ids[0][rows][:, None] != ids[1][cols][None, :]
        return result

    def phrase(self, side: int, index: int) -> str:
        """What to embed for a provision: its residual words in order for a look-alike, else
        its title and text."""
        node = self._nodes[side][index]
        twin = self.twin[side].get(index)
        if twin is None:
            return document(node)
        other = self._nodes[side][twin]
        shared = set(words(f"{other.title} {other.text}"))
        kept = [w for w in words(f"{node.title} {node.text}") if w not in shared]
        return " ".join(kept) or document(node)

    def _found(self, side: int, own: Sequence[int], other: Sequence[int]) -> np.ndarray | None:
        """Share of each look-alike's residual found in each text of the other round, or -1
        for texts of `own` that are no look-alikes; None when none is."""
        twins = self.twin[side]
        alike = [k for k, index in enumerate(own) if index in twins]
        if not alike:
            return None
        mine = self.sim.stem_rows(side, [own[k] for k in alike])
        theirs = self.sim.stem_rows(side, [twins[own[k]] for k in alike])
        residual = sparse.csr_matrix(mine - mine.multiply(theirs))
        weighted = residual @ sparse.diags(self.sim.idf)
        found = weighted @ self.sim.stem_rows(1 - side, list(other)).T
        total = np.asarray(weighted.sum(axis=1)).ravel()
        share = np.asarray(found.todense()) / np.maximum(total, 1e-9)[:, None]
        result = np.full((len(own), len(other)), -1.0)
        result[alike] = np.where(total[:, None] > 0, share, 0.0)
        return result


def _ids(texts: list[str], split: int) -> tuple[np.ndarray, np.ndarray]:
    """The same number for the same text, in both rounds (old first, then new)."""
    numbers: dict[str, int] = {}
    ids = np.array([numbers.setdefault(text, len(numbers)) for text in texts])
    return ids[:split], ids[split:]


def document(node: Node) -> str:
    """The text that stands for a whole provision: its title, then its text."""
    text = " ".join(node.text.split())
    return f"{node.title}. {text}" if text else node.title


def _twins(sim: Similarity, side: int, indices: Sequence[int]) -> dict[int, int]:
    """Each provision's closest other provision of the list, where that is a look-alike."""
    if len(indices) < 2:
        return {}
    overlap = sim.shingle_jaccard(side, np.asarray(indices, dtype=np.intp))
    np.fill_diagonal(overlap, -1.0)
    best = np.argmax(overlap, axis=1)
    return {
        int(indices[r]): int(indices[int(best[r])])
        for r in range(len(indices))
        if overlap[r, best[r]] >= LOOKALIKE
    }

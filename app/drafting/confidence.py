"""How certain the alignment is of each link, and the alternatives it weighed.

Pure. Every old node's candidates are the new nodes of its kind, scored by the best evidence
the alignment had for the pair: the TF-IDF cosine of title and text, or the meaning cosine
where the pair was compared by meaning. A link's confidence grows with its own score and with
its margin over the runner-up, on either side: another new node for the old one, or another
old node for the new one. An unchanged link with no rival is 1.0; a removal is as certain
as its best candidate is poor; links fixed by the secretariat or by explicit keys are 1.0.
The alternatives are the best three other candidates with their scores, so a review queue can
list the least certain links first and show what else they could have been.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.drafting.nodes import Node
from app.drafting.similarity import Similarity

ALTERNATIVES = 3
# Old nodes ranked per new node when looking for its best other predecessor.
RANKED = 6
# Candidates scoring below this are not worth listing.
LISTED = 0.1
# Margin over the runner-up at which a link is as certain as its score allows.
FULL_MARGIN = 0.3
# A link scoring below REWORDED whose successor is not where its parent went (structure
# does not agree) keeps only AWAY of its confidence.
REWORDED, AWAY = 0.6, 0.75


@dataclass(frozen=True)
class Candidate:
    """A new node an old node could have become, with the score the alignment gave it."""

    new: int
    score: float


@dataclass(frozen=True)
class Weighing:
    """The confidence of one link (0..1) and the alternatives weighed for it."""

    confidence: float
    alternatives: tuple[Candidate, ...]


def weigh(
    old: Sequence[Node],
    new: Sequence[Node],
    targets: Sequence[tuple[int, ...]],
    kinds: Sequence[str],
    sim: Similarity,
    meaning: Mapping[tuple[int, int], float],
    certain: Collection[int],
) -> list[Weighing]:
    """One `Weighing` per old node (old order). `kinds` are the links' kinds, `meaning` the
    meaning cosines of the pairs compared by meaning, `certain` the old nodes whose links
    were fixed (pinned or explicit keys)."""
    result: list[Weighing | None] = [None] * len(old)
    by_kind: dict[str, tuple[list[int], list[int]]] = {}
    for node in old:
        by_kind.setdefault(node.kind, ([], []))[0].append(node.index)
    for node in new:
        by_kind.setdefault(node.kind, ([], []))[1].append(node.index)
    sources: dict[int, set[int]] = {}
    for i, js in enumerate(targets):
        for j in js:
            sources.setdefault(j, set()).add(i)
    for rows, cols in by_kind.values():
        if not rows:
            continue
        scores = _scores(sim, meaning, rows, cols)
        ranked = np.argsort(-scores, axis=0, kind="stable")[:RANKED] if cols else None
        table = _Table(rows, cols, {j: c for c, j in enumerate(cols)}, scores, ranked, sources)
        for r, i in enumerate(rows):
            at_home = _at_home(old, new, targets, i)
            result[i] = table.weigh(i, r, targets[i], kinds[i], i in certain, at_home)
    return [w or Weighing(1.0, ()) for w in result]


def _scores(
    sim: Similarity, meaning: Mapping[tuple[int, int], float], rows: list[int], cols: list[int]
) -> np.ndarray:
    if not cols:
        return np.zeros((len(rows), 0))
    scores = sim.content(np.asarray(rows), np.asarray(cols))
    if meaning:
        row = {i: r for r, i in enumerate(rows)}
        column = {j: c for c, j in enumerate(cols)}
        for (i, j), value in meaning.items():
            if i in row and j in column:
                r, c = row[i], column[j]
                scores[r, c] = max(scores[r, c], value)
    return np.clip(scores, 0.0, 1.0)


@dataclass(frozen=True)
class _Table:
    """The candidates of one kind: old `rows` x new `cols` and their scores."""

    rows: list[int]
    cols: list[int]
    column: Mapping[int, int]
    scores: np.ndarray
    ranked: np.ndarray | None
    sources: Mapping[int, set[int]]

    def weigh(
        self, i: int, r: int, links: tuple[int, ...], kind: str, certain: bool, at_home: bool
    ) -> Weighing:
        row = self.scores[r]
        mine = [self.column[j] for j in links if j in self.column]
        others = np.ones(len(self.cols), dtype=bool)
        others[mine] = False
        alternatives = _alternatives(row, others, self.cols)
        if certain:
            return Weighing(1.0, alternatives)
        rival = float(row[others].max()) if others.any() else 0.0
        if not links:
            return Weighing(round(1.0 - rival, 2), alternatives)
        own = 1.0 if kind == "unchanged" else float(np.mean(row[mine])) if mine else 0.0
        for j in links:
            rival = max(rival, self._other_source(i, j))
        margin = min(max((own - rival) / FULL_MARGIN, 0.0), 1.0)
        confidence = own * (0.5 + 0.5 * margin)
        if own < REWORDED and not at_home:
            confidence *= AWAY
        return Weighing(round(min(max(confidence, 0.0), 1.0), 2), alternatives)

    def _other_source(self, i: int, j: int) -> float:
        """The best score of an old node other than j's predecessors for new node j."""
        if j not in self.column or self.ranked is None:
            return 0.0
        c = self.column[j]
        for k in self.ranked[:, c]:
            source = self.rows[int(k)]
            if source != i and source not in self.sources.get(j, ()):
                return float(self.scores[int(k), c])
        return 0.0


def _at_home(
    old: Sequence[Node], new: Sequence[Node], targets: Sequence[tuple[int, ...]], i: int
) -> bool:
    """Whether old node i's successors sit under what its parent became (structure agrees)."""
    parent = old[i].parent
    homes = {None} if parent is None else set(targets[parent])
    return all(new[j].parent in homes for j in targets[i])


def _alternatives(row: np.ndarray, others: np.ndarray, cols: list[int]) -> tuple[Candidate, ...]:
    candidates = np.flatnonzero(others & (row >= LISTED))
    if not len(candidates):
        return ()
    order = candidates[np.lexsort((candidates, -np.round(row[candidates], 4)))][:ALTERNATIVES]
    return tuple(Candidate(cols[c], round(float(row[c]), 2)) for c in order)

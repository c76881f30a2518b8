"""Steps 1-5 of the alignment on text alone: pins, keys, one-to-one pairs, splits, merges.

Pure. `TextMatcher` holds which new nodes each old node became (`targets`) and which new
nodes are taken (`used_new`); the meaning and structure steps (`rewrites`, `coverage`,
`structure`) extend the same state. The one-to-one step accepts a pair on strong text
evidence alone (MOVED_TEXT, anywhere), on good text evidence in context (STRONG_TEXT plus
same parent, number or title), or on the same title in context (a heavy rewrite); among
acceptable pairs the best score wins, so a reused number label never beats text that
clearly went elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from app.drafting.nodes import Node
from app.drafting.similarity import Similarity
from app.drafting.splits import attach_merges, attach_splits, neighbours

MOVED_TEXT = 0.6
STRONG_TEXT = 0.4
TITLE_BACKED_TEXT = 0.1
SAME_TITLE = 0.5
IDENTICAL = 0.999
LABEL_WEIGHT, TITLE_WEIGHT, PARENT_WEIGHT = 0.25, 0.25, 0.1

# (rows, cols) -> boolean matrix of pairs the one-to-one step must not accept.
Veto = Callable[[np.ndarray, np.ndarray], np.ndarray]


class TextMatcher:
    """The state of one alignment: which new nodes each old node became, on text evidence."""

    def __init__(
        self, old: Sequence[Node], new: Sequence[Node], pinned: Mapping[int, tuple[int, ...]]
    ) -> None:
        self.old, self.new = old, new
        self.old_parents = [n.parent for n in old]
        self.new_parents = [n.parent for n in new]
        self.sim = Similarity([(n.title, n.text) for n in old], [(n.title, n.text) for n in new])
        self.targets: list[tuple[int, ...]] = [()] * len(old)
        self.fixed_old = set(pinned)
        self.fixed_new = {j for js in pinned.values() for j in js}
        self.used_new: set[int] = set(self.fixed_new)
        for i, js in pinned.items():
            self.targets[i] = tuple(sorted(set(js)))
        self.keyed_old: set[int] = set()
        old_by_key = {node.key: node.index for node in old}
        for node in new:
            match = old_by_key.get(node.key) if node.key else None
            if (
                match is not None
                and match not in self.fixed_old
                and node.index not in self.used_new
            ):
                self.targets[match] = (node.index,)
                self.used_new.add(node.index)
                self.keyed_old.add(match)

    def of_kind(self, kind: str) -> tuple[list[int], list[int]]:
        """The old and the new indices of one kind, in round order."""
        return (
            [n.index for n in self.old if n.kind == kind],
            [n.index for n in self.new if n.kind == kind],
        )

    def run_kind(self, kind: str, veto: Veto | None = None) -> None:
        """Steps 3-5 for the nodes of one kind."""
        olds, news = self.of_kind(kind)
        self.one_to_one(olds, news, veto)
        self.splits_and_merges(olds, news)

    def splits_and_merges(self, olds: list[int], news: list[int], veto: Veto | None = None) -> None:
        parts = [j for j in news if j not in self.used_new]
        wholes = [i for i in olds if i not in self.fixed_old]
        self.used_new |= attach_splits(
            self.sim, self.targets, parts, wholes, neighbours(news, self.new_parents), veto
        )
        split_parts = {j for js in self.targets if len(js) > 1 for j in js}
        merged = [i for i in olds if not self.targets[i] and i not in self.fixed_old]
        intos = {j for j in news if j not in self.fixed_new and j not in split_parts}
        self.used_new |= attach_merges(
            self.sim, self.targets, merged, intos, neighbours(olds, self.old_parents), veto
        )

    def one_to_one(self, olds: list[int], news: list[int], veto: Veto | None = None) -> None:
        rows = np.array(
            [i for i in olds if not self.targets[i] and i not in self.fixed_old], dtype=np.intp
        )
        cols = np.array([j for j in news if j not in self.used_new], dtype=np.intp)
        if not len(rows) or not len(cols):
            return
        content = self.sim.content(rows, cols)
        title = self.sim.title(rows, cols)
        label = self._same_number(rows, cols)
        parent = self.same_parent(rows, cols)
        same_title = title >= SAME_TITLE
        acceptable = (
            (content >= MOVED_TEXT)
            | ((content >= STRONG_TEXT) & (parent | label | same_title))
            | ((title >= IDENTICAL) & parent)
            | (same_title & label & parent)
            | (same_title & (label | parent) & (content >= TITLE_BACKED_TEXT))
        )
        if veto is not None:
            acceptable &= ~veto(rows, cols)
        score = content + LABEL_WEIGHT * label + TITLE_WEIGHT * title + PARENT_WEIGHT * parent
        r, c = np.nonzero(acceptable)
        order = np.lexsort((c, r, -score[r, c]))
        taken_rows: set[int] = set()
        for position in order:
            i, j = int(rows[r[position]]), int(cols[c[position]])
            if i in taken_rows or j in self.used_new:
                continue
            taken_rows.add(i)
            self.used_new.add(j)
            self.targets[i] = (j,)

    def _same_number(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        old_numbers = np.array([self.old[i].number or "\x00old" for i in rows], dtype=object)
        new_numbers = np.array([self.new[j].number or "\x00new" for j in cols], dtype=object)
        return np.asarray(old_numbers[:, None] == new_numbers[None, :], dtype=bool)

    def same_parent(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether the new node's parent is (one of) what the old node's parent became."""
        new_parents = np.array(
            [-1 if self.new[j].parent is None else self.new[j].parent for j in cols]
        )
        result = np.zeros((len(rows), len(cols)), dtype=bool)
        for r, i in enumerate(rows):
            p = self.old[i].parent
            became = [-1] if p is None else list(self.targets[p])
            if became:
                result[r] = np.isin(new_parents, became)
        return result


def kinds_by_depth(old: Sequence[Node], new: Sequence[Node]) -> list[str]:
    """Kinds ordered by the shallowest depth they occur at, so parents are matched first."""
    shallowest: dict[str, int] = {}
    for nodes in (old, new):
        depths: list[int] = []
        for node in nodes:
            depth = 0 if node.parent is None else depths[node.parent] + 1
            depths.append(depth)
            shallowest[node.kind] = min(depth, shallowest.get(node.kind, depth))
    return sorted(shallowest, key=lambda kind: (shallowest[kind], kind))

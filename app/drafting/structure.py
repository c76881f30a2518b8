"""Structure as evidence: where a provision's neighbours went says where it likely went.

Pure. Three kinds of evidence from the links found so far:

- home: the new parents that an old node's siblings (and its parent) went to, as shares;
  a commitment whose other measures went to commitment X makes X the likely home of the
  rest;
- gap: the new nodes between where the old node's previous and next linked neighbours (of
  its kind, in round order) went; drafts keep their order more often than not;
- flows: how many children of each old parent ended up under each new parent, which gives
  chapters and commitments a lineage of their own (merged, split, renamed) once their
  children are linked, and says which successor continues a parent's key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import numpy as np

from app.drafting.nodes import Node

Targets = list[tuple[int, ...]]
# An unlinked old parent follows its children where at least this share of them went.
FOLLOW_SHARE = 0.5


def homes(
    old: Sequence[Node], new: Sequence[Node], targets: Targets, rows: Sequence[int]
) -> dict[int, dict[int | None, float]]:
    """For each old node of `rows`, the share of each new parent among where its siblings
    (other old nodes of its kind under its parent) and its parent went."""
    by_parent: dict[int | None, list[int]] = defaultdict(list)
    for node in old:
        by_parent[node.parent].append(node.index)
    result: dict[int, dict[int | None, float]] = {}
    for i in rows:
        parent = old[i].parent
        votes: dict[int | None, float] = defaultdict(float)
        for k in by_parent[parent]:
            if k != i and old[k].kind == old[i].kind:
                for j in targets[k]:
                    votes[new[j].parent] += 1.0 / len(targets[k])
        if parent is None:
            result[i] = {}  # every top-level node is "home": no evidence
            continue
        for j in targets[parent]:
            votes[j] += 1.0 / len(targets[parent])
        total = sum(votes.values())
        result[i] = {q: v / total for q, v in votes.items()} if total else {}
    return result


def home_matrix(
    new: Sequence[Node],
    shares: dict[int, dict[int | None, float]],
    rows: Sequence[int],
    cols: Sequence[int],
) -> np.ndarray:
    """home(i, j): the share of new node j's parent among old node i's home."""
    result = np.zeros((len(rows), len(cols)))
    for r, i in enumerate(rows):
        home = shares.get(i, {})
        for c, j in enumerate(cols):
            result[r, c] = home.get(new[j].parent, 0.0)
    return result


def gap_matrix(
    old: Sequence[Node],
    new: Sequence[Node],
    targets: Targets,
    olds: Sequence[int],
    news: Sequence[int],
    rows: Sequence[int],
    cols: Sequence[int],
) -> np.ndarray:
    """gap(i, j): new node j lies in a run of unlinked new nodes (of i's kind) right after
    where i's previous linked sibling went or right before where its next one went, or
    within the span of where its two nearest linked siblings on each side went (drafts
    swap neighbours) when they all went under j's parent."""
    linked = {j for js in targets for j in js}
    position = {j: p for p, j in enumerate(news)}
    siblings: dict[int | None, list[int]] = defaultdict(list)
    for i in olds:
        siblings[old[i].parent].append(i)
    result = np.zeros((len(rows), len(cols)), dtype=bool)
    column = {j: c for c, j in enumerate(cols)}
    for r, i in enumerate(rows):
        row = siblings[old[i].parent]
        at = row.index(i)
        before = [k for k in row[:at] if targets[k]]
        after = [k for k in row[at + 1 :] if targets[k]]
        runs: list[int] = []
        if before:
            runs += _run(news, position[max(targets[before[-1]])], +1, linked)
        if after:
            runs += _run(news, position[min(targets[after[0]])], -1, linked)
        if before and after:
            near = [j for k in (*before[-2:], *after[:2]) for j in targets[k]]
            runs += _between(new, news, position, near, linked)
        for j in runs:
            if j in column:
                result[r, column[j]] = True
    return result


def _between(
    new: Sequence[Node],
    news: Sequence[int],
    position: dict[int, int],
    ends: list[int],
    linked: Collection[int],
) -> list[int]:
    """The unlinked new nodes within the span of some targets that share one parent."""
    parents = {new[j].parent for j in ends}
    if len(parents) != 1:
        return []
    low, high = min(position[j] for j in ends), max(position[j] for j in ends)
    parent = parents.pop()
    return [j for j in news[low + 1 : high] if j not in linked and new[j].parent == parent]


def _run(news: Sequence[int], start: int, step: int, linked: Collection[int]) -> list[int]:
    """The unlinked new nodes next to position `start`, walking by `step`."""
    found = []
    at = start + step
    while 0 <= at < len(news) and news[at] not in linked:
        found.append(news[at])
        at += step
    return found


def flows(
    old: Sequence[Node], new: Sequence[Node], targets: Targets, kind: str
) -> dict[int, dict[int, float]]:
    """For each old node of `kind`, how many of its children went under each new node of
    `kind` (a child split over several parents counts a share under each)."""
    result: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for node in old:
        p = node.parent
        if p is None or old[p].kind != kind:
            continue
        for j in targets[node.index]:
            q = new[j].parent
            if q is not None and new[q].kind == kind:
                result[p][q] += 1.0 / len(targets[node.index])
    return result


def revise_parents(
    old: Sequence[Node],
    new: Sequence[Node],
    targets: Targets,
    kinds: Sequence[str],
    fixed_old: Collection[int],
    fixed_new: Collection[int],
    weak: Collection[tuple[int, int]] = (),
) -> None:
    """Give parents (deepest kinds first) the lineage their children show, in place.

    An old parent left unlinked follows the majority of its children; a new parent left
    without predecessor is linked from the old parent most of its carried-over children came
    from, when they are most of its children (a part split off, or a parent renamed
    beyond recognition). A `weak` link (old, new) that fewer children followed than went to
    another new parent follows them instead.
    """
    children: dict[int, int] = defaultdict(int)
    for node in new:
        if node.parent is not None:
            children[node.parent] += 1
    sizes: dict[int, int] = defaultdict(int)
    for node in old:
        if node.parent is not None:
            sizes[node.parent] += 1
    for kind in reversed(kinds):
        flow = flows(old, new, targets, kind)
        if not flow:
            continue
        for p in sorted(flow):
            if p in fixed_old:
                continue
            if len(targets[p]) == 1 and (p, targets[p][0]) in weak:
                q, amount = max(flow[p].items(), key=lambda item: (item[1], -item[0]))
                if amount > flow[p].get(targets[p][0], 0.0) and q not in fixed_new:
                    targets[p] = ()
            if targets[p]:
                continue
            q, amount = max(flow[p].items(), key=lambda item: (item[1], -item[0]))
            if amount >= 1 and amount >= FOLLOW_SHARE * sizes[p] and q not in fixed_new:
                targets[p] = (q,)
        linked = {j for js in targets for j in js}
        inflow: dict[int, dict[int, float]] = defaultdict(dict)
        for p, out in flow.items():
            for q, amount in out.items():
                inflow[q][p] = amount
        for q in sorted(inflow):
            if q in linked or q in fixed_new:
                continue
            carried = sum(inflow[q].values())
            p, amount = max(inflow[q].items(), key=lambda item: (item[1], -item[0]))
            if p in fixed_old or amount <= 0.5 * carried or carried < 0.5 * children[q]:
                continue
            targets[p] = tuple(sorted((*targets[p], q)))

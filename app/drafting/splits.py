"""Steps 4 and 5 of the alignment: splits and merges among the nodes left over by step 3.

Pure. Both steps extend a list of targets (old index -> new indices) in place. A left-over
new node is a part split off an old node, and a left-over old node was merged into a new
node, on either of two kinds of evidence:

- verbatim: most of the part's word 3-grams occur in the whole (a part cut out as it was);
- reworded: the part accounts for a good share of the old text's word stems (IDF-weighted)
  that the texts already linked to the whole do not account for (a part rewritten when it
  was cut out, or a measure condensed into the one it joined). Being weaker, it counts
  only next to the other link: a part beside one of the whole's successors, a merged node
  beside one of the predecessors of the text it joined (neighbouring siblings).

An old node that already has targets is split only by new material; a new node that
already has sources takes a merged node only if it brings material they do not explain.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np

from app.drafting.similarity import Similarity, share_beyond

# Verbatim evidence: share of a part's word 3-grams found in the whole, the share of it
# that the texts already linked to the whole do not account for, a minimum TF-IDF cosine,
# and the minimum size of a part (in 3-grams) for containment to mean anything.
CONTAINED = 0.6
NEW_MATERIAL = 0.3
CONTAINED_TEXT = 0.2
MIN_SHINGLES = 3
# Reworded evidence: share of the old text's stem weight that the candidate newly accounts
# for, and share of the material left unexplained (by the other links) that it explains.
SPLIT_SHARE, SPLIT_RESIDUE = 0.14, 0.35
MERGE_SHARE, MERGE_RESIDUE = 0.15, 0.3
# ...and the share of a merged text's stem weight found anywhere in the text it joined.
MERGE_PRESENT = 0.45
# Reworded evidence counts only for a text of this many word stems or more.
MIN_STEMS = 15

Targets = list[tuple[int, ...]]
# (old rows, new columns) -> boolean matrix of pairs that must not be linked.
Veto = Callable[[np.ndarray, np.ndarray], np.ndarray]


def neighbours(indices: Sequence[int], parents: Sequence[int | None]) -> dict[int, set[int]]:
    """For each of `indices` (nodes of one kind, in round order), its previous and next
    sibling among them: the node before and after it with the same parent."""
    result: dict[int, set[int]] = {index: set() for index in indices}
    last: dict[int | None, int] = {}
    for index in indices:
        previous = last.get(parents[index])
        if previous is not None:
            result[index].add(previous)
            result[previous].add(index)
        last[parents[index]] = index
    return result


def attach_splits(
    sim: Similarity,
    targets: Targets,
    parts: Sequence[int],
    wholes: Sequence[int],
    beside: Mapping[int, Collection[int]],
    veto: Veto | None = None,
) -> set[int]:
    """Add each new node in `parts` to the targets of the old node it was cut from, if any.

    `wholes` are the old nodes that may take parts; on reworded evidence only one with a
    target next to the part (`beside`: new node -> its new neighbours) does; never one that
    `veto` (old rows, new columns) excludes. Returns the parts attached.
    """
    if not parts or not wholes:
        return set()
    rows = np.array(parts, dtype=np.intp)
    columns = np.array(wholes, dtype=np.intp)
    contained = sim.new_in_old(rows, columns)
    content = sim.content(columns, rows).T
    barred = veto(columns, rows).T if veto is not None else np.zeros_like(contained, bool)
    contained = np.where(barred, 0.0, contained)
    allowed = set(wholes)
    owner = {j: i for i in wholes for j in targets[i]}
    attached: set[int] = set()
    for row, j in enumerate(parts):
        whole = _verbatim_whole(sim, targets, j, columns, contained[row], content[row])
        if whole is None and len(sim.new_stems(j)) >= MIN_STEMS:
            near = sorted({owner[m] for m in beside.get(j, ()) if m in owner} & allowed)
            near = [i for i in near if not barred[row, wholes.index(i)]]
            whole = reworded_whole(sim, targets, j, near)
        if whole is not None:
            targets[whole] = tuple(sorted((*targets[whole], j)))
            owner[j] = whole
            attached.add(j)
    return attached


def attach_merges(
    sim: Similarity,
    targets: Targets,
    merged: Sequence[int],
    intos: Collection[int],
    beside: Mapping[int, Collection[int]],
    veto: Veto | None = None,
) -> set[int]:
    """Link each old node in `merged` (without targets) to the new node it went into, if any.

    `intos` are the new nodes that may take merged text; on reworded evidence only one that
    a neighbour of the old node became (`beside`: old node -> its old neighbours) does; never
    one that `veto` (old rows, new columns) excludes. Returns the new nodes linked.
    """
    if not merged or not intos:
        return set()
    rows = np.array(merged, dtype=np.intp)
    columns = np.array(sorted(intos), dtype=np.intp)
    contained = sim.old_in_new(rows, columns)
    content = sim.content(rows, columns)
    barred = veto(rows, columns) if veto is not None else np.zeros_like(contained, bool)
    contained = np.where(barred, 0.0, contained)
    position = {j: c for c, j in enumerate(columns.tolist())}
    linked: set[int] = set()
    for row, i in enumerate(merged):
        into = _verbatim_into(sim, targets, i, columns, contained[row], content[row])
        if into is None and len(sim.old_stems(i)) >= MIN_STEMS:
            near = sorted({j for o in beside.get(i, ()) for j in targets[o]} & set(intos))
            near = [j for j in near if not barred[row, position[j]]]
            into = reworded_into(sim, targets, i, near)
        if into is not None:
            targets[i] = (into,)
            linked.add(into)
    return linked


def _verbatim_whole(
    sim: Similarity,
    targets: Targets,
    j: int,
    wholes: np.ndarray,
    contained: np.ndarray,
    content: np.ndarray,
) -> int | None:
    if sim.new_shingle_count[j] < MIN_SHINGLES:
        return None
    part = sim.new_shingles(j)
    for column in np.lexsort((-content, -contained)).tolist():
        if contained[column] < CONTAINED:
            break
        i = int(wholes[column])
        known = [sim.new_shingles(m) for m in targets[i]]
        beyond = share_beyond(part, sim.old_shingles(i), known)
        if beyond >= NEW_MATERIAL and content[column] >= CONTAINED_TEXT:
            return i
    return None


def reworded_whole(sim: Similarity, targets: Targets, j: int, wholes: list[int]) -> int | None:
    """The old node whose unexplained stems `j` accounts for best, if enough of them."""
    part = sim.new_stems(j)
    best, best_share = None, 0.0
    for i in wholes:
        whole = sim.old_stems(i)
        residue = whole.difference(*(sim.new_stems(m) for m in targets[i]))
        found = sim.weight(part & residue)
        share = found / max(sim.old_weight[i], 1e-9)
        enough = share >= SPLIT_SHARE and found >= SPLIT_RESIDUE * sim.weight(residue)
        if enough and (best is None or share > best_share):
            best, best_share = i, share
    return best


def _verbatim_into(
    sim: Similarity,
    targets: Targets,
    i: int,
    intos: np.ndarray,
    contained: np.ndarray,
    content: np.ndarray,
) -> int | None:
    if sim.old_shingle_count[i] < MIN_SHINGLES:
        return None
    text = sim.old_shingles(i)
    for column in np.lexsort((-content, -contained)).tolist():
        if contained[column] < CONTAINED:
            break
        j = int(intos[column])
        into = sim.new_shingles(j)
        known = [sim.old_shingles(o) for o, js in enumerate(targets) if j in js]
        if any(share_beyond(other, into, ()) < CONTAINED for other in known):
            continue  # j rewrote its predecessor: an overlap with j is chance
        beyond = share_beyond(text, into, known)
        if beyond >= NEW_MATERIAL and content[column] >= CONTAINED_TEXT:
            return j
    return None


def reworded_into(sim: Similarity, targets: Targets, i: int, intos: list[int]) -> int | None:
    """The new node whose unexplained stems `i` accounts for best, if enough of them."""
    text = sim.old_stems(i)
    best, best_share = None, 0.0
    for j in intos:
        into = sim.new_stems(j)
        if sim.weight(text & into) < MERGE_PRESENT * sim.old_weight[i]:
            continue
        sources = [o for o, js in enumerate(targets) if j in js]
        residue = into.difference(*(sim.old_stems(o) for o in sources))
        found = sim.weight(text & residue)
        share = found / max(sim.old_weight[i], 1e-9)
        enough = share >= MERGE_SHARE and found >= MERGE_RESIDUE * sim.weight(residue)
        if enough and (best is None or share > best_share):
            best, best_share = j, share
    return best

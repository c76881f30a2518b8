"""Lineage between two rounds: how each provision of round N became provisions of round N+1.

Pure. Matching runs in this order, and an earlier step is never undone by a later one:

1. `pinned` corrections from the secretariat, for the old nodes they name;
2. explicit keys: a new node whose `{#key}` is an old key is that provision;
3. per kind, parents before children: greedy one-to-one matching of the remaining nodes of
   the same kind by a score of text similarity, title, number label and parent;
4. splits: a new node left over whose text is mostly contained in an old node's text, or
   that accounts for much of an old node's text its other successors do not (`splits`);
5. merges: an old node left over whose text is mostly contained in a new node's text, or
   accounts for much of a new node's text its other predecessors do not.

A new node with an explicit key that no old node has takes part in steps 3-5 like any
other (so adding `{#key}` to an existing measure does not cut its lineage); it keeps its
own key whatever it is matched to. Link kinds and keys are derived at the end (`_link`,
`_assign_keys`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.drafting.similarity import Similarity, normalised
from app.drafting.splits import attach_merges, attach_splits, neighbours

# Step 3: a pair is acceptable on strong text evidence alone (MOVED_TEXT, anywhere), on
# good text evidence in context (STRONG_TEXT plus same parent, number or title), or on the
# same title in context (a heavy rewrite); among acceptable pairs the best score wins, so
# a reused number label never beats text that clearly went elsewhere.
MOVED_TEXT = 0.6
STRONG_TEXT = 0.4
TITLE_BACKED_TEXT = 0.1
SAME_TITLE = 0.5
IDENTICAL = 0.999
LABEL_WEIGHT, TITLE_WEIGHT, PARENT_WEIGHT = 0.25, 0.25, 0.1

KINDS = ("unchanged", "modified", "moved", "split", "merged", "removed")


@dataclass(frozen=True)
class Node:
    """A provision as the alignment sees it; `parent` is an index in the same round."""

    index: int
    key: str | None
    kind: str
    label: str | None
    number: str | None
    title: str
    text: str
    parent: int | None


@dataclass(frozen=True)
class Link:
    """What one old provision became: `new` indices, a kind and a similarity (0..1)."""

    old: int
    new: tuple[int, ...]
    kind: str
    similarity: float


@dataclass(frozen=True)
class Alignment:
    """One link per old node (old order), the new nodes without predecessor, and new keys."""

    links: tuple[Link, ...]
    added: tuple[int, ...]
    keys: tuple[str, ...]


def align(
    old: Sequence[Node],
    new: Sequence[Node],
    *,
    pinned: Mapping[int, tuple[int, ...]] | None = None,
    reserved: Collection[str] = (),
) -> Alignment:
    """Align the provisions of a round (`new`) with those of its predecessor (`old`).

    Every old node must have a key. `pinned` maps old indices to the new indices they
    became and overrides everything else for those old nodes; `reserved` are keys used
    elsewhere in the Code's history, which minted keys avoid. Deterministic.
    Raises ValueError when an old node has no key, two new nodes share an explicit key, a
    node's index is not its position, or a pinned index is out of range.
    """
    _check(old, new, pinned or {})
    matcher = _Matcher(old, new, pinned or {})
    matcher.run()
    targets = matcher.targets
    similarity = matcher.sim.pairs([(i, j) for i, js in enumerate(targets) for j in js])
    keys = _assign_keys(old, new, targets, similarity, reserved)
    sources: dict[int, list[int]] = {}
    for i, js in enumerate(targets):
        for j in js:
            sources.setdefault(j, []).append(i)
    links = tuple(
        _link(old, new, i, js, sources, keys, similarity, matcher.sim)
        for i, js in enumerate(targets)
    )
    added = tuple(j for j in range(len(new)) if j not in sources)
    return Alignment(links=links, added=added, keys=keys)


def mint_key(node: Node, taken: Collection[str]) -> str:
    """A new key for `node`: kind initial and number (`m-4-2`), or a title slug.

    A suffix `-2`, `-3` ... is added while the key is in `taken`.
    """
    if node.number:
        base = f"{_slug(node.kind)[:1] or 'p'}-{_slug(node.number.replace('.', '-'))}"
    else:
        base = "-".join(_slug(node.title).split("-")[:6])[:40].strip("-") or _slug(node.kind) or "p"
    key, suffix = base, 1
    while key in taken:
        suffix += 1
        key = f"{base}-{suffix}"
    return key


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _check(old: Sequence[Node], new: Sequence[Node], pinned: Mapping[int, tuple[int, ...]]) -> None:
    for side, nodes in (("old", old), ("new", new)):
        for position, node in enumerate(nodes):
            if node.index != position:
                raise ValueError(f"{side} node at position {position} has index {node.index}")
    if any(node.key is None for node in old):
        raise ValueError("every old node needs a key")
    explicit = [node.key for node in new if node.key]
    if len(set(explicit)) != len(explicit):
        raise ValueError("two new nodes have the same explicit key")
    for i, js in pinned.items():
        if not 0 <= i < len(old) or any(not 0 <= j < len(new) for j in js):
            raise ValueError(f"pinned link {i} -> {js} is out of range")


class _Matcher:
    """Holds the state of one alignment: which new nodes each old node became."""

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

    def run(self) -> None:
        for kind in _kinds_by_depth(self.old, self.new):
            olds = [n.index for n in self.old if n.kind == kind]
            news = [n.index for n in self.new if n.kind == kind]
            self._one_to_one(olds, news)
            parts = [j for j in news if j not in self.used_new]
            wholes = [i for i in olds if i not in self.fixed_old]
            self.used_new |= attach_splits(
                self.sim, self.targets, parts, wholes, neighbours(news, self.new_parents)
            )
            split_parts = {j for js in self.targets if len(js) > 1 for j in js}
            merged = [i for i in olds if not self.targets[i] and i not in self.fixed_old]
            intos = {j for j in news if j not in self.fixed_new and j not in split_parts}
            self.used_new |= attach_merges(
                self.sim, self.targets, merged, intos, neighbours(olds, self.old_parents)
            )

    def _one_to_one(self, olds: list[int], news: list[int]) -> None:
        rows = np.array(
            [i for i in olds if not self.targets[i] and i not in self.fixed_old], dtype=np.intp
        )
        cols = np.array([j for j in news if j not in self.used_new], dtype=np.intp)
        if not len(rows) or not len(cols):
            return
        content = self.sim.content(rows, cols)
        title = self.sim.title(rows, cols)
        label = self._same_number(rows, cols)
        parent = self._same_parent(rows, cols)
        same_title = title >= SAME_TITLE
        acceptable = (
            (content >= MOVED_TEXT)
            | ((content >= STRONG_TEXT) & (parent | label | same_title))
            | ((title >= IDENTICAL) & parent)
            | (same_title & label & parent)
            | (same_title & (label | parent) & (content >= TITLE_BACKED_TEXT))
        )
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

    def _same_parent(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
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


def _kinds_by_depth(old: Sequence[Node], new: Sequence[Node]) -> list[str]:
    """Kinds ordered by the shallowest depth they occur at, so parents are matched first."""
    shallowest: dict[str, int] = {}
    for nodes in (old, new):
        depths: list[int] = []
        for node in nodes:
            depth = 0 if node.parent is None else depths[node.parent] + 1
            depths.append(depth)
            shallowest[node.kind] = min(depth, shallowest.get(node.kind, depth))
    return sorted(shallowest, key=lambda kind: (shallowest[kind], kind))


def _assign_keys(
    old: Sequence[Node],
    new: Sequence[Node],
    targets: Sequence[tuple[int, ...]],
    similarity: Mapping[tuple[int, int], float],
    reserved: Collection[str],
) -> tuple[str, ...]:
    """Explicit keys stay; the most similar successor inherits an old key; others are minted."""
    keys: list[str | None] = [node.key for node in new]
    taken = {key for key in keys if key}
    for i, j in sorted(similarity, key=lambda pair: (-similarity[pair], pair)):
        key = old[i].key
        if keys[j] is None and key is not None and key not in taken:
            keys[j] = key
            taken.add(key)
    unavailable = taken | set(reserved) | {node.key for node in old if node.key}
    for j, key in enumerate(keys):
        if key is None:
            keys[j] = mint_key(new[j], unavailable)
            unavailable.add(keys[j] or "")
    return tuple(key or "" for key in keys)


def _link(
    old: Sequence[Node],
    new: Sequence[Node],
    i: int,
    js: tuple[int, ...],
    sources: Mapping[int, list[int]],
    keys: Sequence[str],
    similarity: Mapping[tuple[int, int], float],
    sim: Similarity,
) -> Link:
    """The link of old node `i`: removed, split (several targets), merged (its target has
    several sources), moved (the parent's key changed), unchanged (same title and text up
    to whitespace) or modified; similarity is the TF-IDF cosine, 1.0 when unchanged."""
    if not js:
        return Link(i, js, "removed", 0.0)
    if len(js) > 1:
        return Link(i, js, "split", round(sim.whole(i, js), 2))
    j = js[0]
    value = round(similarity[i, j], 2)
    if len(sources[j]) > 1:
        return Link(i, js, "merged", value)
    old_parent_index, new_parent_index = old[i].parent, new[j].parent
    old_parent = old[old_parent_index].key if old_parent_index is not None else None
    new_parent = keys[new_parent_index] if new_parent_index is not None else None
    if old_parent != new_parent:
        return Link(i, js, "moved", value)
    a, b = old[i], new[j]
    if normalised(a.title) == normalised(b.title) and normalised(a.text) == normalised(b.text):
        return Link(i, js, "unchanged", 1.0)
    return Link(i, js, "modified", value)

"""Lineage between two rounds: how each provision of round N became provisions of round N+1.

Pure. Matching runs in this order, and an earlier step is never undone by a later one:

1. `pinned` corrections from the secretariat, for the old nodes they name; a correction
   takes nothing from the other old nodes: one the engine links (without the corrections) to
   a corrected target keeps that link, so the target has several sources (`_kept_links`);
2. explicit keys: a new node whose `{#key}` is an old key is that provision;
3. per kind, parents before children: greedy one-to-one matching of the remaining nodes of
   the same kind by a score of text similarity, title, number label and parent;
4. splits: a new node left over whose text is mostly contained in an old node's text, or
   that accounts for much of an old node's text its other successors do not (`splits`);
5. merges: an old node left over whose text is mostly contained in a new node's text, or
   accounts for much of a new node's text its other predecessors do not.

Steps 3-5 are in `textmatch`. Given `embed` (texts -> unit vectors), meaning and structure
are evidence too (`evidence`): template look-alikes are told apart in step 3 by the words
that set them apart; after step 5, left-over nodes are paired by meaning and structure
(`rewrites`), splits and merges are found by sentence coverage (`coverage`), parents follow
their children (`structure`), and the successor with most of an old node's wording keeps its
key. Without `embed` the result is exactly that of the text steps.

A new node with an explicit key that no old node has takes part in steps 3-5 like any
other (so adding `{#key}` to an existing measure does not cut its lineage); it keeps its
own key whatever it is matched to. Link kinds and keys are derived at the end (`_link`,
`_assign_keys`), with each link's confidence and alternatives (`confidence`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from app.drafting.confidence import Candidate, weigh
from app.drafting.meaning import Embed, remembering
from app.drafting.nodes import Node
from app.drafting.similarity import Similarity, normalised
from app.drafting.textmatch import TextMatcher, kinds_by_depth

KINDS = ("unchanged", "modified", "moved", "split", "merged", "removed")


@dataclass(frozen=True)
class Link:
    """What one old provision became: `new` indices, a kind and a similarity (0..1).

    `confidence` (0..1) is how certain the engine is of the link (its score, its margin over
    the runner-up); `alternatives` are the best other candidates it weighed (new index and
    score, best first, at most three), for a review queue that lists the least certain first.
    """

    old: int
    new: tuple[int, ...]
    kind: str
    similarity: float
    confidence: float = 1.0
    alternatives: tuple[Candidate, ...] = ()


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
    embed: Embed | None = None,
) -> Alignment:
    """Align the provisions of a round (`new`) with those of its predecessor (`old`).

    Every old node must have a key. `pinned` maps old indices to the new indices they
    became and overrides everything else for those old nodes; `reserved` are keys used
    elsewhere in the Code's history, which minted keys avoid. `embed`, when given, turns
    texts into unit vectors (a numpy array, one row per text, in order; the importer backs it
    with a cache keyed by text hash): it is asked, a few times per alignment, only for the
    texts and sentences of provisions the text does not pair confidently. Deterministic for
    the same vectors.
    Raises ValueError when an old node has no key, two new nodes share an explicit key, a
    node's index is not its position, or a pinned index is out of range.
    """
    _check(old, new, pinned or {})
    fixed = dict(pinned or {})
    kept: dict[int, tuple[int, ...]] = {}
    kept_by_key: set[int] = set()
    if any(fixed.values()):
        embed = remembering(embed) if embed is not None else None  # matched twice: once each
        kept, kept_by_key = _kept_links(old, new, fixed, embed)
        fixed |= kept
    matcher, heirs, meaning = _match(old, new, fixed, embed)
    targets = matcher.targets
    similarity = matcher.sim.pairs([(i, j) for i, js in enumerate(targets) for j in js])
    keys = _assign_keys(old, new, targets, similarity, reserved, heirs)
    sources: dict[int, list[int]] = {}
    for i, js in enumerate(targets):
        for j in js:
            sources.setdefault(j, []).append(i)
    bare = [
        _link(old, new, i, js, sources, keys, similarity, matcher.sim)
        for i, js in enumerate(targets)
    ]
    weighings = weigh(
        old,
        new,
        targets,
        [link.kind for link in bare],
        matcher.sim,
        meaning,
        (matcher.fixed_old - set(kept)) | matcher.keyed_old | kept_by_key,
    )
    links = tuple(
        replace(link, confidence=w.confidence, alternatives=w.alternatives)
        for link, w in zip(bare, weighings, strict=True)
    )
    added = tuple(j for j in range(len(new)) if j not in sources)
    return Alignment(links=links, added=added, keys=keys)


def _match(
    old: Sequence[Node],
    new: Sequence[Node],
    pinned: Mapping[int, tuple[int, ...]],
    embed: Embed | None,
) -> tuple[TextMatcher, Mapping[tuple[int, int], float], Mapping[tuple[int, int], float]]:
    """Steps 1-5 (and, given `embed`, meaning and structure): the matcher with its targets,
    the heirs' shares of wording and the meaning cosines of the pairs weighed."""
    matcher = TextMatcher(old, new, pinned)
    kinds = kinds_by_depth(old, new)
    if embed is None:
        for kind in kinds:
            matcher.run_kind(kind)
        return matcher, {}, {}
    from app.drafting.evidence import MeaningSteps, one_blas_thread

    steps = MeaningSteps(matcher, embed)
    with one_blas_thread():
        for kind in kinds:
            steps.run_kind(kind)
        steps.finish(kinds)
        return matcher, steps.heirs(), steps.weighed_pairs()


def _kept_links(
    old: Sequence[Node],
    new: Sequence[Node],
    pinned: Mapping[int, tuple[int, ...]],
    embed: Embed | None,
) -> tuple[dict[int, tuple[int, ...]], set[int]]:
    """A correction says what its own source became, nothing about the other sources: an old
    node the engine links, without the corrections, to a node a correction also targets keeps
    that link (the target then has several sources: a merge). Old index -> its targets,
    and those of them linked by explicit key."""
    onto = {j for js in pinned.values() for j in js}
    free, _, _ = _match(old, new, {}, embed)
    kept = {
        i: js for i, js in enumerate(free.targets) if i not in pinned and onto.intersection(js)
    }
    return kept, free.keyed_old & set(kept)


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


def _assign_keys(
    old: Sequence[Node],
    new: Sequence[Node],
    targets: Sequence[tuple[int, ...]],
    similarity: Mapping[tuple[int, int], float],
    reserved: Collection[str],
    heirs: Mapping[tuple[int, int], float] | None = None,
) -> tuple[str, ...]:
    """Explicit keys stay; the successor with the most of an old node's wording (`heirs`,
    when given), else the most similar one, inherits the old key; others are minted."""
    keys: list[str | None] = [node.key for node in new]
    taken = {key for key in keys if key}
    carried = heirs or {}
    order = sorted(similarity, key=lambda pair: (-carried.get(pair, 0.0), -similarity[pair], pair))
    for i, j in order:
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

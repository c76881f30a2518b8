"""Splits and merges by sentence coverage: whose sentences does a text carry?

Pure. A left-over new node is a part split off an old node when most of its sentences carry
sentences of that old node that its current successors do not carry as well; a left-over old
node was merged into a new node when most of its sentences are carried by sentences of the
new node that its current predecessors do not explain as well. "Carry" is meaning (the
cosine of two sentences) or text (a sentence's word 3-grams found in the other). So a source
whose sentences went to two or three targets is a split, and several sources covering one
target a merge, whatever the titles say.

Reworded evidence counts only near the other link (where the old node's siblings went, or
beside one of its successors); near-verbatim evidence counts anywhere. Where sentences do
not line up (two sources merged into one sentence), the word-stem residual of `splits`
decides, again only near the other link and only where the existing link is textual.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from app.drafting.lookalike import RESIDUAL_AGREES, Lookalikes, document
from app.drafting.meaning import Meaning, Sentences
from app.drafting.sentences import Block, block, carried, shared_grams, text_carried
from app.drafting.splits import MIN_STEMS, reworded_into, reworded_whole
from app.drafting.structure import homes

if TYPE_CHECKING:
    from app.drafting.textmatch import TextMatcher

# Cosine at which a sentence carries another's content, and at which it is the same
# sentence lightly edited (evidence that counts anywhere).
CARRIES = 0.6
VERBATIM = 0.8
# Word 3-grams two sentences must share for their cosine to count far from the other link.
SHARED_GRAMS = 5
# A new carrier must beat the current one by this much.
BETTER_BY = 0.15
# Share of the part (of the merged text) that must come from the whole (go into the new
# text), and share of the whole (of the new text) that the part must account for.
PART_COVERED = 0.5
WHOLE_SHARE = 0.15
# Share of a node that its current links must carry for a split or merge to extend them.
BASE = 0.3
# Share of a node that two or more fresh parts (or merged nodes) must cover together.
FRESH = 0.5
# Share of what a part adds (word stems, IDF-weighted) that must come from the whole, and
# the meaning (cosine of the two provisions) that says it is about the same thing.
WORDED_PART = 0.7
ABOUT = 0.5
# TF-IDF similarity of a node to its links at which word residues are evidence.
TEXTUAL = 0.4
# A parent with at least this share of an old node's home (relative to its largest) is near.
NEAR_HOME = 0.5


def attach_by_coverage(
    state: TextMatcher,
    meaning: Meaning,
    sentences: Sentences,
    alike: Lookalikes,
    olds: Sequence[int],
    news: Sequence[int],
    *,
    verbatim_only: bool = False,
) -> None:
    """Attach split parts and merged nodes of one kind (in `state`, in place)."""
    coverage = _Coverage(state, meaning, sentences, alike, olds, verbatim_only)
    parts = [j for j in news if j not in state.used_new]
    wholes = [i for i in olds if i not in state.fixed_old and state.targets[i]]
    coverage.splits(parts, wholes)
    split_parts = {j for js in state.targets if len(js) > 1 for j in js}
    sources = coverage.sources()
    intos = [j for j in news if j not in state.fixed_new and j not in split_parts and sources[j]]
    merged = [i for i in olds if not state.targets[i] and i not in state.fixed_old]
    coverage.merges(merged, intos)
    if not verbatim_only:
        leftover = [i for i in olds if not state.targets[i] and i not in state.fixed_old]
        coverage.fresh(leftover, [j for j in news if j not in state.used_new])


class _Coverage:
    def __init__(
        self,
        state: TextMatcher,
        meaning: Meaning,
        sentences: Sentences,
        alike: Lookalikes,
        olds: Sequence[int],
        verbatim_only: bool,
    ) -> None:
        self.state, self.meaning, self.sentences = state, meaning, sentences
        self.alike = alike
        self.olds = list(olds)
        self.verbatim_only = verbatim_only
        self.homes = homes(state.old, state.new, state.targets, self.olds)

    def sources(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for i, js in enumerate(self.state.targets):
            for j in js:
                found[j].append(i)
        return found

    def splits(self, parts: list[int], wholes: list[int]) -> None:
        """A part (new, left over) takes open sentences of a whole (old, with successors)."""
        state = self.state
        if not parts or not wholes:
            return
        links = {i: state.targets[i] for i in wholes}
        opened = self._open(0, wholes, links)
        if opened is None:
            return self._reworded_splits(parts, wholes)
        whole_block, now = opened
        part_block = block(self.sentences, 1, parts)
        strength, far = self._strength(whole_block, part_block)
        agree = self.alike.agreement(wholes, parts)
        alikes = self.alike.either(wholes, parts)
        for c, j in enumerate(parts):
            best, best_share = None, 0.0
            for r, i in enumerate(wholes):
                if agree[r, c] < RESIDUAL_AGREES:
                    continue
                rows, cols = whole_block.rows(i), part_block.rows(j)
                if not len(rows) or strength[np.ix_(rows, cols)].max() < CARRIES:
                    continue
                near = self._near_split(i, j)
                if not near and alikes[r, c]:
                    continue  # template sentences are evidence only near the other link
                share = self._taken(whole_block, rows, now, part_block, cols,
                                    strength if near else far, near)  # fmt: skip
                if share > best_share:
                    best, best_share = i, share
            if best is None:
                continue
            state.targets[best] = tuple(sorted((*state.targets[best], j)))
            state.used_new.add(j)
            rows = whole_block.rows(best)
            took = strength[np.ix_(rows, part_block.rows(j))].max(axis=1)
            now[rows] = np.maximum(now[rows], took)
        self._reworded_splits([j for j in parts if j not in state.used_new], wholes)

    def merges(self, merged: list[int], intos: list[int]) -> None:
        """A merged node (old, left over) explains open sentences of a new node (with
        predecessors)."""
        state = self.state
        if not merged or not intos:
            return
        sources = self.sources()
        links = {j: tuple(sources[j]) for j in intos}
        opened = self._open(1, intos, links)
        if opened is None:
            return self._reworded_merges(merged, intos)
        into_block, now = opened
        merged_block = block(self.sentences, 0, merged)
        strength, far = self._strength(into_block, merged_block)
        agree = self.alike.agreement(merged, intos)
        alikes = self.alike.either(merged, intos)
        for r, i in enumerate(merged):
            best, best_share = None, 0.0
            for c, j in enumerate(intos):
                if agree[r, c] < RESIDUAL_AGREES:
                    continue
                rows, cols = into_block.rows(j), merged_block.rows(i)
                if not len(rows) or strength[np.ix_(rows, cols)].max() < CARRIES:
                    continue
                near = self._near_merge(i, j)
                if not near and alikes[r, c]:
                    continue  # template sentences are evidence only near the other link
                share = self._taken(into_block, rows, now, merged_block, cols,
                                    strength if near else far, near)  # fmt: skip
                if share > best_share:
                    best, best_share = j, share
            if best is None:
                continue
            state.targets[i] = (best,)
            state.used_new.add(best)
            rows = into_block.rows(best)
            took = strength[np.ix_(rows, merged_block.rows(i))].max(axis=1)
            now[rows] = np.maximum(now[rows], took)
        self._reworded_merges([i for i in merged if not state.targets[i]], intos)

    def fresh(self, olds: list[int], news: list[int]) -> None:
        """Splits and merges among left-overs only: an old node whose sentences went to two
        or more new ones, or a new node made of two or more old ones, each mostly made of
        (going into) the other's sentences and together covering at least half of it."""
        olds = [i for i in olds if self.sentences.of(0, i)]
        news = [j for j in news if self.sentences.of(1, j)]
        if len(olds) + len(news) < 3 or not olds or not news:
            return
        old_block = block(self.sentences, 0, olds)
        new_block = block(self.sentences, 1, news)
        strength, far = self._strength(old_block, new_block)
        agree = self.alike.agreement(olds, news)
        nothing = (np.zeros(len(old_block.texts)), np.zeros(len(new_block.texts)))
        shares = np.zeros((len(olds), len(news)))
        backward = np.zeros((len(olds), len(news)))
        for r, i in enumerate(olds):
            for c, j in enumerate(news):
                if agree[r, c] < RESIDUAL_AGREES:
                    continue
                near = self._near_merge(i, j)
                rows, cols = old_block.rows(i), new_block.rows(j)
                grid = strength if near else far
                shares[r, c] = self._taken(old_block, rows, nothing[0], new_block, cols, grid,
                                           near)  # fmt: skip
                backward[r, c] = self._taken(new_block, cols, nothing[1], old_block, rows,
                                             grid.T, near)  # fmt: skip
        state = self.state
        for r, i in enumerate(olds):
            parts = [news[c] for c in np.flatnonzero(shares[r] > 0)]
            free = [j for j in parts if j not in state.used_new]
            if len(free) >= 2 and shares[r, [news.index(j) for j in free]].sum() >= FRESH:
                state.targets[i] = tuple(sorted(free))
                state.used_new.update(free)
        for c, j in enumerate(news):
            if j in state.used_new:
                continue
            sources = [olds[r] for r in np.flatnonzero(backward[:, c] > 0)]
            free = [i for i in sources if not state.targets[i]]
            if len(free) >= 2 and backward[[olds.index(i) for i in free], c].sum() >= FRESH:
                for i in free:
                    state.targets[i] = (j,)
                state.used_new.add(j)

    def _reworded_splits(self, parts: list[int], wholes: list[int]) -> None:
        state = self.state
        if self.verbatim_only:
            return
        for j in parts:
            if j in state.used_new:
                continue
            near = [i for i in wholes if self._near_split(i, j) and self._textual(i)]
            best = self._worded_whole(j, near)
            if best is None and len(state.sim.new_stems(j)) >= MIN_STEMS:
                best = reworded_whole(state.sim, state.targets, j, near)
            if best is not None:
                state.targets[best] = tuple(sorted((*state.targets[best], j)))
                state.used_new.add(j)

    def _worded_whole(self, j: int, wholes: list[int]) -> int | None:
        """The whole that part j was cut from on word evidence: what j adds to the whole's
        successors (its word stems they lack) comes mostly from the whole, enough of the
        whole, and j is about the same thing (meaning). This finds parts cut out of one
        long sentence, such as the items of an enumeration."""
        sim = self.state.sim
        best, best_share = None, 0.0
        for i in wholes:
            known = frozenset().union(*(sim.new_stems(t) for t in self.state.targets[i]))
            adds = sim.new_stems(j) - known
            found = adds & (sim.old_stems(i) - known)
            weight = sim.weight(found)
            if weight < WORDED_PART * sim.weight(adds) or weight < WHOLE_SHARE * sim.old_weight[i]:
                continue
            about = self.meaning.cosine(
                [document(self.state.old[i])], [document(self.state.new[j])]
            )
            share = weight / max(sim.old_weight[i], 1e-9)
            if about[0, 0] >= ABOUT and share > best_share:
                best, best_share = i, share
        return best

    def _reworded_merges(self, merged: list[int], intos: list[int]) -> None:
        state = self.state
        if self.verbatim_only:
            return
        for i in merged:
            if state.targets[i] or len(state.sim.old_stems(i)) < MIN_STEMS:
                continue
            near = [j for j in intos if self._near_merge(i, j) and self._textual_into(j)]
            best = reworded_into(state.sim, state.targets, i, near)
            if best is not None:
                state.targets[i] = (best,)
                state.used_new.add(best)

    def _open(
        self, side: int, nodes: list[int], links: dict[int, tuple[int, ...]]
    ) -> tuple[Block, np.ndarray] | None:
        """The sentences of `nodes` that their links do not carry as they were, with how well
        the links carry them in meaning; None when there are none. A node whose links carry
        less than BASE of it is left out: a split or merge extends a link that explains part
        of a text, not a doubtful one."""
        nodes = [n for n in nodes if not self.sentences.same_text(side, n, links.get(n, ()))]
        if not nodes:
            return None
        own = block(self.sentences, side, nodes)
        now = carried(self.sentences, self.meaning, self.state, side, own, links)
        keep = []
        for node in nodes:
            rows = own.rows(node)
            base = own.weights[rows][now[rows] >= CARRIES].sum() / max(own.total(rows), 1e-9)
            if (now[rows] < 1.0).any() and base >= BASE:
                keep.append(node)
        if not keep:
            return None
        kept = block(self.sentences, side, keep)
        return kept, np.concatenate([now[own.rows(k)] for k in keep])

    def _strength(self, base: Block, other: Block) -> tuple[np.ndarray, np.ndarray]:
        """How well each sentence of `other` carries each sentence of `base` (rows): near the
        other link, by meaning or text; anywhere, by text, or by meaning where the two also
        share a run of words (SHARED_GRAMS word 3-grams)."""
        self.meaning.fetch([*base.texts, *other.texts])
        cos = self.meaning.cosine(base.texts, other.texts)
        verbatim = text_carried(other.texts, base.texts, self.sentences.grams).T
        shared, _ = shared_grams(base.texts, other.texts, self.sentences.grams)
        far = np.maximum(np.where(shared >= SHARED_GRAMS, cos, 0.0), verbatim)
        return np.maximum(cos, verbatim), far

    def _taken(
        self,
        base: Block,
        rows: np.ndarray,
        now: np.ndarray,
        other: Block,
        cols: np.ndarray,
        strength: np.ndarray,
        near: bool,
    ) -> float:
        """Share of `base`'s node that `other`'s node takes over: its open sentences that the
        other carries better than now, when enough of the other is made of them."""
        floor = CARRIES if near and not self.verbatim_only else VERBATIM
        grid = strength[np.ix_(rows, cols)]
        best = grid.max(axis=1)
        taken = (best >= floor) & (best >= now[rows] + BETTER_BY)
        if not taken.any():
            return 0.0
        used = grid[taken].max(axis=0) >= floor
        other_weights = other.weights[cols]
        part = float(other_weights[used].sum() / max(other_weights.sum(), 1e-9))
        share = float(base.weights[rows][taken].sum() / max(base.total(rows), 1e-9))
        if part < PART_COVERED or share < WHOLE_SHARE:
            return 0.0
        return share

    def _near_split(self, i: int, j: int) -> bool:
        state = self.state
        parent = state.new[j].parent
        if any(state.new[t].parent == parent for t in state.targets[i]):
            return True
        return self._home_share(i, parent) >= NEAR_HOME

    def _near_merge(self, i: int, j: int) -> bool:
        return self._home_share(i, self.state.new[j].parent) >= NEAR_HOME

    def _textual(self, i: int) -> bool:
        """Whether old node i's successors carry its words (so its word residue means
        something), as opposed to none or a rewrite."""
        targets = self.state.targets[i]
        return bool(targets) and self.state.sim.whole(i, targets) >= TEXTUAL

    def _textual_into(self, j: int) -> bool:
        sources = [o for o, js in enumerate(self.state.targets) if j in js]
        pairs = self.state.sim.pairs([(o, j) for o in sources])
        return bool(pairs) and max(pairs.values()) >= TEXTUAL

    def _home_share(self, i: int, parent: int | None) -> float:
        home = self.homes.get(i) or {}
        if not home:
            return 0.0
        top = max(home.values())
        return home.get(parent, 0.0) / top if top > 0 else 0.0

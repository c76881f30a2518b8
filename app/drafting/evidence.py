"""The alignment with meaning and structure as evidence, beside text: the order of steps.

Pure. Per kind, parents first:

1. text one-to-one pairs (`textmatch`), template look-alikes vetoed unless the words that
   set them apart from their twins agree (`lookalike`);
2. text splits and merges (`splits`);
3. heavy rewrites: left-over nodes paired by meaning and structure (`rewrites`);
4. splits and merges by sentence coverage (`coverage`).

Then parents get the lineage their children show (`structure.revise_parents`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.drafting.coverage import attach_by_coverage
from app.drafting.lookalike import Lookalikes
from app.drafting.meaning import Embed, Meaning, Sentences
from app.drafting.rewrites import Weighed, pair_rewrites
from app.drafting.structure import revise_parents
from app.drafting.textmatch import MOVED_TEXT, TextMatcher


class MeaningSteps:
    """Runs the steps above on a `TextMatcher`'s state; keeps what was weighed."""

    def __init__(self, state: TextMatcher, embed: Embed) -> None:
        self.state = state
        self.meaning = Meaning(embed)
        self.sentences = Sentences(state.old, state.new)
        self.weighed: list[Weighed] = []

    def run_kind(self, kind: str) -> None:
        state = self.state
        olds, news = state.of_kind(kind)
        alike = Lookalikes(state.sim, state.old, state.new, olds, news)
        state.one_to_one(olds, news, alike.veto)
        state.splits_and_merges(olds, news)
        attach_by_coverage(
            state, self.meaning, self.sentences, alike, olds, news, verbatim_only=True
        )
        weighed = pair_rewrites(state, self.meaning, self.sentences, alike, olds, news)
        if weighed is not None:
            self.weighed.append(weighed)
        attach_by_coverage(state, self.meaning, self.sentences, alike, olds, news)

    def finish(self, kinds: Sequence[str]) -> None:
        """Parents follow their children (see `structure.revise_parents`); a parent's link
        counts as weak unless pinned, keyed or of strong text."""
        state = self.state
        pairs = [
            (i, js[0])
            for i, js in enumerate(state.targets)
            if len(js) == 1 and i not in state.fixed_old and i not in state.keyed_old
        ]
        similarity = state.sim.pairs(pairs)
        weak = {pair for pair in pairs if similarity[pair] < MOVED_TEXT}
        revise_parents(
            state.old, state.new, state.targets, kinds, state.fixed_old, state.fixed_new, weak
        )

    def heirs(self) -> dict[tuple[int, int], float]:
        """For each link (old, new), the share of the old wording (word 3-grams) found in the
        new text, to a tenth: among the successors of a provision, or the predecessors of a
        merged one, the one whose wording survived continues the key."""
        state = self.state
        pairs = [(i, j) for i, js in enumerate(state.targets) for j in js]
        if not pairs:
            return {}
        rows = np.array([i for i, _ in pairs], dtype=np.intp)
        cols = np.array([j for _, j in pairs], dtype=np.intp)
        shares = state.sim.old_in_new_pairs(rows, cols)
        return {pair: round(float(share), 1) for pair, share in zip(pairs, shares, strict=True)}

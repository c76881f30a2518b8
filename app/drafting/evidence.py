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
from contextlib import AbstractContextManager

import numpy as np

from app.drafting.coverage import attach_by_coverage
from app.drafting.lookalike import Lookalikes, document
from app.drafting.meaning import Embed, Meaning, Sentences
from app.drafting.rewrites import Weighed, pair_rewrites
from app.drafting.structure import revise_parents
from app.drafting.textmatch import MOVED_TEXT, STRONG_TEXT, TextMatcher


def one_blas_thread() -> AbstractContextManager[object]:
    """Run BLAS on one thread: the meaning steps multiply many small matrices, which a
    multi-threaded BLAS makes tens of times slower on a busy machine."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


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
        state.splits_and_merges(olds, news, alike.veto)
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

    def weighed_pairs(self) -> dict[tuple[int, int], float]:
        """The meaning cosine of every pair the meaning steps compared, and of the doubtful
        text pairs (one-to-one links of weak text evidence, not fixed): they stand, but
        their confidence rests on what meaning says of them."""
        pairs: dict[tuple[int, int], float] = {}
        for weighed in self.weighed:
            for r, i in enumerate(weighed.rows):
                for c, j in enumerate(weighed.cols):
                    pairs[i, j] = float(weighed.meaning[r, c])
        state = self.state
        links = [
            (i, js[0])
            for i, js in enumerate(state.targets)
            if len(js) == 1 and i not in state.fixed_old and i not in state.keyed_old
        ]
        content = state.sim.pairs([pair for pair in links if pair not in pairs])
        doubtful = sorted(pair for pair, value in content.items() if value < STRONG_TEXT)
        if doubtful:
            old = [document(state.old[i]) for i, _ in doubtful]
            new = [document(state.new[j]) for _, j in doubtful]
            self.meaning.fetch([*old, *new])
            for pair, a, b in zip(doubtful, old, new, strict=True):
                pairs[pair] = float(self.meaning.cosine([a], [b])[0, 0])
        return pairs

    def heirs(self) -> dict[tuple[int, int], float]:
        """For each link (old, new), how many word 3-grams of the old text are found in the
        new one: among the successors of a provision, or the predecessors of a merged one,
        the one with the most surviving wording continues the key."""
        state = self.state
        pairs = [(i, j) for i, js in enumerate(state.targets) for j in js]
        if not pairs:
            return {}
        rows = np.array([i for i, _ in pairs], dtype=np.intp)
        cols = np.array([j for _, j in pairs], dtype=np.intp)
        shares = state.sim.old_in_new_pairs(rows, cols) * state.sim.old_shingle_count[rows]
        return {pair: float(share) for pair, share in zip(pairs, shares, strict=True)}

"""Heavy rewrites: pairing, by meaning and structure, the nodes text left without a match.

Pure. After the text steps, old nodes without targets and new nodes without predecessor of
one kind are compared by meaning (the cosine of their embedded title and text; for template
look-alikes, of the words that set each apart from its twin) and by structure (is the new
node where the old node's siblings went, between where its neighbours went). A pair is
accepted when its meaning clears a floor, low when structure agrees and high when it does
not; among acceptable pairs the best combined score wins, one-to-one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.drafting.coverage import BETTER_BY, CARRIES
from app.drafting.lookalike import Lookalikes, document
from app.drafting.meaning import Meaning, Sentences
from app.drafting.sentences import block, carried
from app.drafting.structure import gap_matrix, home_matrix, homes

if TYPE_CHECKING:
    from app.drafting.textmatch import TextMatcher

# Meaning (cosine) a pair needs where structure agrees (NEAR) and where it does not (FAR).
NEAR_FLOOR = 0.42
FAR_FLOOR = 0.65
# A home share at or above this (relative to the largest share of the old node's home), or a
# place in the gap, is structure that agrees.
HOME_AGREES = 0.5
# Specificity (see `specificity`) a pair needs unless it sits in the gap: SPECIFIC_APART
# where structure says nothing, less by STRUCTURE_CREDIT times the (absolute) home share;
# the number of neighbours it is measured against, and the cosine assumed for missing ones.
SPECIFIC_APART = 0.25
STRUCTURE_CREDIT = 0.15
NEIGHBOURS = 3
BACKGROUND = 0.3
# Balance (see `balance`) a one-to-one pair needs, and the share of the old text that
# may be claimed elsewhere (see `claimed`): no more than a short clause.
BALANCED = 0.75
CLAIMED = 0.1
# Weights of structure and text beside meaning in the combined score.
HOME_WEIGHT, GAP_WEIGHT, TEXT_WEIGHT = 0.15, 0.1, 0.2


@dataclass(frozen=True)
class Weighed:
    """The candidates one meaning step weighed: old `rows` x new `cols` and their scores."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]
    meaning: np.ndarray
    combined: np.ndarray


def pair_rewrites(
    state: TextMatcher,
    meaning: Meaning,
    sentences: Sentences,
    alike: Lookalikes,
    olds: Sequence[int],
    news: Sequence[int],
) -> Weighed | None:
    """Link left-over old nodes of one kind to left-over new nodes (in `state`, in place);
    return what was weighed, for the confidence of the links.

    Meaning and specificity are measured once, over all left-overs; structure is measured
    again after each round of pairs, since every pair is a new anchor for its neighbours.
    """
    rows = [i for i in olds if not state.targets[i] and i not in state.fixed_old]
    cols = [j for j in news if j not in state.used_new]
    if not rows or not cols:
        return None
    q = node_meaning(meaning, alike, state, rows, cols)
    specific = specificity(q)
    elsewhere = open_elsewhere(state, meaning, sentences, news)
    content = state.sim.content(np.asarray(rows), np.asarray(cols))
    alikes = alike.either(rows, cols)
    combined = q + TEXT_WEIGHT * content
    while True:
        free_rows = [r for r, i in enumerate(rows) if not state.targets[i]]
        free_cols = [c for c, j in enumerate(cols) if j not in state.used_new]
        if not free_rows or not free_cols:
            break
        home, gap = _structure(state, olds, news, [rows[r] for r in free_rows],
                               [cols[c] for c in free_cols])  # fmt: skip
        sub = np.ix_(free_rows, free_cols)
        top = home.max(axis=1, keepdims=True)
        relative = np.divide(home, top, out=np.zeros_like(home), where=top > 0)
        near = (relative >= HOME_AGREES) | gap
        floor = np.where(near & ~alikes[sub], NEAR_FLOOR, FAR_FLOOR)
        needed = SPECIFIC_APART - STRUCTURE_CREDIT * home
        acceptable = (q[sub] >= floor) & (gap | (specific[sub] >= needed))
        acceptable &= _whole(meaning, sentences, rows, cols, free_rows, free_cols, acceptable,
                             elsewhere)  # fmt: skip
        score = combined[sub] + HOME_WEIGHT * relative + GAP_WEIGHT * gap
        combined[sub] = score
        if not _accept(state, acceptable, score, [rows[r] for r in free_rows],
                       [cols[c] for c in free_cols]):  # fmt: skip
            break
    return Weighed(tuple(rows), tuple(cols), q, combined)


def _structure(
    state: TextMatcher,
    olds: Sequence[int],
    news: Sequence[int],
    rows: list[int],
    cols: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    home = home_matrix(state.new, homes(state.old, state.new, state.targets, rows), rows, cols)
    gap = gap_matrix(state.old, state.new, state.targets, olds, news, rows, cols)
    return home, gap


def _accept(
    state: TextMatcher,
    acceptable: np.ndarray,
    score: np.ndarray,
    rows: list[int],
    cols: list[int],
) -> bool:
    """Greedy one-to-one pairs among the acceptable ones, best score first."""
    r, c = np.nonzero(acceptable)
    order = np.lexsort((c, r, -np.round(score[r, c], 4)))
    found = False
    for position in order:
        i, j = rows[r[position]], cols[c[position]]
        if state.targets[i] or j in state.used_new:
            continue
        state.used_new.add(j)
        state.targets[i] = (j,)
        found = True
    return found


def _whole(
    meaning: Meaning,
    sentences: Sentences,
    rows: Sequence[int],
    cols: Sequence[int],
    free_rows: list[int],
    free_cols: list[int],
    acceptable: np.ndarray,
    elsewhere: list[str],
) -> np.ndarray:
    """Whether each acceptable pair matches as a whole: the sentences of each text find
    counterparts in the other about as well as its best-matching sentence does (else only
    part of one text corresponds to the other: a split, a merge or a coincidence), and no
    large share of the old text is carried better by unexplained sentences of other new
    provisions (it went there)."""
    result = np.zeros_like(acceptable)
    for r, c in zip(*np.nonzero(acceptable), strict=True):
        i, j = rows[free_rows[r]], cols[free_cols[c]]
        result[r, c] = balance(meaning, sentences, i, j) >= BALANCED and (
            claimed(meaning, sentences, i, j, elsewhere) < CLAIMED
        )
    return result


def open_elsewhere(
    state: TextMatcher, meaning: Meaning, sentences: Sentences, news: Sequence[int]
) -> list[str]:
    """The sentences of linked new nodes of the kind that their predecessors do not carry
    as they were."""
    sources: dict[int, list[int]] = {}
    for i, js in enumerate(state.targets):
        for j in js:
            sources.setdefault(j, []).append(i)
    linked = [j for j in news if j in sources and not sentences.same_text(1, j, sorted(sources[j]))]
    if not linked:
        return []
    own = block(sentences, 1, linked)
    links = {j: tuple(sources[j]) for j in linked}
    now = carried(sentences, meaning, state, 1, own, links)
    return [own.texts[r] for r in np.flatnonzero(now < 1.0)]


def claimed(meaning: Meaning, sentences: Sentences, i: int, j: int, elsewhere: list[str]) -> float:
    """Share of old node i (by words) whose sentences an unexplained sentence of another new
    node carries clearly better than new node j does."""
    own, theirs = sentences.of(0, i), sentences.of(1, j)
    if not own or not theirs or not elsewhere:
        return 0.0
    here = meaning.cosine(own, theirs).max(axis=1)
    there = meaning.cosine(own, elsewhere).max(axis=1)
    weights = sentences.weights(0, i)
    taken = (there >= CARRIES) & (there >= here + BETTER_BY)
    return float(weights[taken].sum() / max(weights.sum(), 1e-9))


def balance(meaning: Meaning, sentences: Sentences, i: int, j: int) -> float:
    """The lesser of the two texts' mean best-sentence cosine (weighted by words) over the
    best sentence cosine; 1.0 when either text has no sentence."""
    a, b = sentences.of(0, i), sentences.of(1, j)
    if not a or not b:
        return 1.0
    cos = meaning.cosine(a, b)
    top = float(cos.max())
    if top <= 0:
        return 0.0
    wa, wb = sentences.weights(0, i), sentences.weights(1, j)
    soft_a = float((cos.max(axis=1) * wa).sum() / max(wa.sum(), 1e-9))
    soft_b = float((cos.max(axis=0) * wb).sum() / max(wb.sum(), 1e-9))
    return min(soft_a, soft_b) / top


def specificity(q: np.ndarray) -> np.ndarray:
    """How much more alike a pair is than each side is to its nearest candidates:
    2 cos(i, j) - r(i) - r(j), r the mean cosine of the NEIGHBOURS nearest candidates, with
    BACKGROUND for candidates that a small set lacks (cross-domain similarity local scaling:
    a text that resembles everything, a hub, gains nothing from resembling one more)."""
    k = NEIGHBOURS
    rows = _nearest_mean(q, k)
    cols = _nearest_mean(q.T, k)
    return 2 * q - rows[:, None] - cols[None, :]


def _nearest_mean(q: np.ndarray, k: int) -> np.ndarray:
    padded = np.hstack([q, np.full((q.shape[0], k), BACKGROUND)])
    top = -np.sort(-padded, axis=1)[:, :k]
    return np.asarray(top.mean(axis=1))


def node_meaning(
    meaning: Meaning,
    alike: Lookalikes,
    state: TextMatcher,
    rows: Sequence[int],
    cols: Sequence[int],
) -> np.ndarray:
    """Cosine of whole provisions; for a pair involving a look-alike, of their residuals."""
    old_docs = [document(state.old[i]) for i in rows]
    new_docs = [document(state.new[j]) for j in cols]
    old_res = [alike.phrase(0, i) for i in rows]
    new_res = [alike.phrase(1, j) for j in cols]
    meaning.fetch([*old_docs, *new_docs, *old_res, *new_res])
    q = meaning.cosine(old_docs, new_docs)
    either = alike.either(rows, cols)
    if either.any():
        q = np.where(either, meaning.cosine(old_res, new_res), q)
    return q

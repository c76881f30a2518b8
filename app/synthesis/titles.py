"""Titles and summaries of themes, picked from the themes' own words (KeyBERT-style).

Title: candidate noun phrases are read off each theme's comments (app/synthesis/phrases.py:
runs of content words and runs joined by "of", "for", "to"..., inflections merged, verbs told
apart by how the scope uses them); the ones frequent in the theme and rare in the others are
embedded. The title is the phrase closest to the theme's core (its centre taken again over the
half of its voices nearest it: a trimmed centre, which outliers and a smaller group do not pull
into the space between groups, where no comment is) and least close to the other themes' cores,
with the provision's own wording, the words every theme uses and lone common words ("Line"
where "Direct line to the AI Office" is meant) discounted, and different from the titles
already given (maximal marginal relevance). Only a theme that is really two-sided gets two
phrases ("Grace period and weekend reporting"), weighed against its whole centre: its comments
split by which of the two phrases they are nearer, each side big enough and covered by its own
phrase, no single phrase naming both sides as well (see _two_sides, _part). Titles read a
campaign's letters as the many comments they are.

Summary: the theme's most central sentences by the same score, one or two, never two that say
the same thing; here a campaign counts as one voice.

Both take an `embed` callable (texts -> unit vectors, the model that embedded the comments),
so they stay pure and can be tested with the HashingEmbedder fake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.embedding.engine import unit_rows
from app.synthesis.lexicon import TOKEN
from app.synthesis.phrases import (
    MAX_WORDS,
    Phrase,
    content_keys,
    phrase_pools,
    stems,
    word_spread,
)
from app.synthesis.voices import voice_groups

Embed = Callable[[Sequence[str]], np.ndarray]

CONTRAST = 1.0  # weight of the closeness to the nearest other theme's centre
SUPPORT = 0.05  # bonus for a phrase used by many of the theme's voices
PROVISION_PENALTY = 0.15  # taken off a phrase made only of the provision's words
COMMON_PENALTY = 0.15  # taken off a phrase made only of words every theme uses
LONE_PENALTY = 0.04  # taken off a lone common word ("Line"), vaguer than a phrase of its theme
PAIR_TOP = 5  # the best phrases of a theme that may be parts of "X and Y" (see _part)
PAIR_WORDS = 6  # at most this many words in the two phrases of a pair
PAIR_SIDE = 0.3  # each side of a two-sided theme holds at least this share of its comments
DIVERSITY = 0.3  # weight of the closeness to titles already given
ANCHOR = 0.3  # weight of the closeness to the theme's most central sentence
SUMMARY_POOL = 120  # sentences per theme considered for its summary
SUMMARY_REPEAT = 0.8  # a second sentence this alike to the first is a repeat

CORE_ROUNDS = 2  # a title names the theme's core: its centre re-taken on its nearer half
CORE_VOICES = 5  # ... of at least this many voices (a theme of no more is its centre)
# A sentence ends at ".", "!" or "?" and a space, also before a word in lower case ("... in
# practice. the measures ..."), but not before one in lower case or a number after an
# abbreviation ("e.g. the", "Art. 5") or an ellipsis ("unclear... and costly"), nor after a
# title ("Dr. Smith").
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^\W_]|[\"'(“‘])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|cf|vs|approx|incl|esp|art|arts|no|nos|para|p|pp|ch|sec|fig|eds?|"
    r"[A-Za-z])|\.\.)\.$|…$", re.I)
_TITLE = re.compile(r"\b(?:mr|mrs|ms|dr|prof)\.$", re.I)
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class ThemeText:
    """What a chair reads first about a theme: a short title and a one- or two-sentence
    extractive summary."""

    title: str
    summary: str


def describe_themes(
    theme_texts: Sequence[Sequence[str]],
    embed: Embed,
    *,
    provision_texts: Sequence[str] = (),
    max_words: int = MAX_WORDS,
    sentences: int = 2,
) -> list[ThemeText]:
    """Title and summary of each theme of `theme_texts` (give each theme's texts nearest its
    centre first: only its first SUMMARY_POOL sentences are weighed for the summary).

    Centres are taken in the space of `embed`, a campaign's copies counting once. The title is
    a phrase of the theme's own comments ("" if it has none), the summary its most central
    sentences ("" if none), never two that say the same thing.
    """
    members = _voices(theme_texts, embed)  # once: the summaries and the titles both weigh them
    centres = _centres([(rows, np.ones(len(rows))) for rows, _ in members])
    picked = [_summary(texts, centres, t, embed, sentences) for t, texts in enumerate(theme_texts)]
    first = [chosen[0] if chosen else "" for chosen in picked]
    titles = _titles(theme_texts, members, first, embed, provision_texts, max_words)
    return [
        ThemeText(title, _joined(chosen)) for title, chosen in zip(titles, picked, strict=True)
    ]


def theme_titles(
    theme_texts: Sequence[Sequence[str]],
    embed: Embed,
    *,
    provision_texts: Sequence[str] = (),
    max_words: int = MAX_WORDS,
) -> list[str]:
    """The titles of describe_themes."""
    found = describe_themes(
        theme_texts, embed, provision_texts=provision_texts, max_words=max_words, sentences=1
    )
    return [item.title for item in found]


def theme_summaries(
    theme_texts: Sequence[Sequence[str]], embed: Embed, *, sentences: int = 2
) -> list[str]:
    """The summaries of describe_themes."""
    centres = voice_centres(theme_texts, embed)
    return [
        _joined(_summary(texts, centres, t, embed, sentences))
        for t, texts in enumerate(theme_texts)
    ]


def _titles(
    theme_texts: Sequence[Sequence[str]],
    members: Sequence[tuple[np.ndarray, np.ndarray]],
    central: Sequence[str],
    embed: Embed,
    provision_texts: Sequence[str],
    max_words: int,
) -> list[str]:
    own_words = {key for text in provision_texts for key in content_keys(text)}
    pools = phrase_pools(theme_texts, max_words=max_words, context=provision_texts)
    flat = [p.text for pool in pools for p in pool]
    if not flat:
        return [""] * len(theme_texts)
    spread = word_spread(theme_texts)
    vectors = unit_rows(np.asarray(embed(flat), dtype=np.float64))
    anchors = unit_rows(np.asarray(embed([text or "-" for text in central]), dtype=np.float64))
    # Short phrases and whole comments sit in different regions of the space: compare what is
    # particular to each, phrases less their mean, centres less theirs.
    mean = vectors.mean(axis=0)
    # A single phrase names the theme's core; a pair "X and Y" both halves of the whole theme.
    cores, wholes = _around(_cores(members)), _around(_centres(members))
    starts = np.cumsum([0] + [len(pool) for pool in pools])
    titles = [""] * len(theme_texts)
    taken: set[str] = set()
    chosen: list[np.ndarray] = []

    def score(raw: np.ndarray, t: int, texts: list[str], support: list[float],
              centred: np.ndarray, lone: Sequence[bool] = ()) -> np.ndarray:
        own = unit_rows(raw - mean)
        value = _relevance(own, centred, t)
        value += SUPPORT * np.log1p(np.asarray(support, dtype=np.float64))
        value += ANCHOR * (raw @ anchors[t])
        value -= PROVISION_PENALTY * np.array([_share(text, own_words) for text in texts])
        value -= COMMON_PENALTY * np.array([_spread(text, spread) for text in texts])
        value -= LONE_PENALTY * np.asarray(lone or [False] * len(texts), float)
        if chosen:
            value -= DIVERSITY * (own @ np.stack(chosen).T).max(axis=1)
        return value

    for t in sorted(range(len(theme_texts)), key=lambda t: (-len(theme_texts[t]), t)):
        free = [p.key not in taken for p in pools[t]]
        phrases = [p for p, ok in zip(pools[t], free, strict=True) if ok]
        if not phrases:
            continue
        raw = vectors[starts[t] : starts[t + 1]][free]
        words = [p.text for p in phrases], [p.support for p in phrases]
        best = int(np.argmax(score(raw, t, *words, cores, lone := [_lone(p) for p in phrases])))
        title, parts, vector = phrases[best].text, [phrases[best]], raw[best]
        value = score(raw, t, *words, wholes, lone)
        top = [i for i in np.argsort(-value, kind="stable") if _part(phrases[i])][:PAIR_TOP]
        sides = [
            (phrases[i], phrases[j], found)
            for n, i in enumerate(top)
            for j in top[n + 1 :]
            if _pairable(phrases[i], phrases[j])
            and (found := _two_sides(raw[i], raw[j], phrases[i], phrases[j], *members[t]))
            is not None
        ]
        if sides:
            texts = [f"{a.text} and {_inner(b)}" for a, b, _ in sides]
            pair_raw = unit_rows(np.asarray(embed(texts), dtype=np.float64))
            paired = score(pair_raw, t, texts, [a.support + b.support for a, b, _ in sides],
                           wholes)
            j = int(np.argmax(paired))
            # Only if no single phrase of the theme names both sides as well (its worse-named
            # side as near as the pair's), and the pair scores higher than every single phrase
            # does against the whole centre.
            groups = sides[j][2]
            single = (raw @ groups.T).min(axis=1).max()
            if paired[j] > value.max() and single < min(pair_raw[j] @ groups.T):
                title, parts, vector = texts[j], list(sides[j][:2]), pair_raw[j]
        titles[t] = _capitalised(title)
        taken.update(p.key for p in parts)
        chosen.append(unit_rows((vector - mean)[None, :])[0])
    return titles


def _joined(sentences: Sequence[str]) -> str:
    """The summary's sentences as one text, each ending in a full stop when its comment ended
    it with none ("... ranked by volume" then "Does ..." would read as one sentence)."""
    return " ".join(
        s if _ENDED.search(s) else s.rstrip(" ,;:-–—") + "." for s in sentences if s.strip()
    )


def _around(centres: np.ndarray) -> np.ndarray:
    """Centres less their mean (what is particular to each theme), unit length."""
    return unit_rows(centres - centres.mean(axis=0)) if len(centres) > 1 else centres


def _lone(phrase: Phrase) -> bool:
    """Whether `phrase` is one common word ("Line", "Category"): a chair would rather write
    the phrase it stands for ("Category of data"); a name or an acronym ("SMEs") is not."""
    return " " not in phrase.key and not phrase.proper and not any(
        c.isupper() for c in phrase.text[1:]
    )


def _part(phrase: Phrase) -> bool:
    """Whether `phrase` could be half of a title "X and Y": surely a whole noun phrase of two
    words or more (a lone word, "Measure", "public", is too vague to be half a title)."""
    return phrase.nominal and phrase.headed and " " in phrase.key


def _pairable(a: Phrase, b: Phrase) -> bool:
    """Whether two parts could make one title "X and Y": no word (nor a word of the same stem)
    in common, short enough together, the second used by some voice the first is not."""
    return (
        not stems(a.text) & stems(b.text)
        and len(a.text.split()) + len(b.text.split()) <= PAIR_WORDS
        and not b.voices <= a.voices
    )


def _two_sides(
    first: np.ndarray,
    second: np.ndarray,
    a: Phrase,
    b: Phrase,
    rows: np.ndarray,
    copies: np.ndarray,
) -> np.ndarray | None:
    """The unit centres of the two sides of a theme split by which of two phrases (vectors
    `first`, `second`) its voices (`rows`, standing for `copies` comments) are nearer, if the
    theme is really two-sided: each side at least PAIR_SIDE of its comments, and each phrase
    covering its own side: used by more than one of its voices, and by more of them than of
    the other side's; None otherwise."""
    near = rows @ first > rows @ second
    share = copies[near].sum() / copies.sum()
    if min(share, 1 - share) < PAIR_SIDE:
        return None
    side = set(np.flatnonzero(near).tolist())
    own, other = len(a.voices & side), len(b.voices - side)
    if min(own, other) < 2 or own * 2 <= len(a.voices) or other * 2 <= len(b.voices):
        return None
    return _centres([(rows[near], copies[near]), (rows[~near], copies[~near])])


def _inner(phrase: Phrase) -> str:
    """`phrase` as written inside a title: lower case unless a name or acronym."""
    first = phrase.text.split(" ", 1)[0]
    if phrase.proper or any(c.isupper() for c in first[1:]):
        return phrase.text
    return phrase.text[:1].lower() + phrase.text[1:]


def _summary(
    texts: Sequence[str], centres: np.ndarray, theme: int, embed: Embed, sentences: int
) -> list[str]:
    pool = _sentence_pool(texts)
    if not pool:
        return []
    vectors = unit_rows(np.asarray(embed(pool), dtype=np.float64))
    score = _relevance(vectors, centres, theme)
    picked: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        if len(picked) == sentences:
            break
        if all(vectors[i] @ vectors[j] < SUMMARY_REPEAT for j in picked):
            picked.append(int(i))
    return [pool[i] for i in picked]


def voice_centres(
    theme_texts: Sequence[Sequence[str]], embed: Embed, *, weigh: bool = False
) -> np.ndarray:
    """Unit centre of each theme's texts in the space of `embed`, each voice once (identical
    texts and the copies of a campaign letter count as one comment), or, if `weigh`, each
    voice weighing as many comments as it stands for (each text embedded once either way)."""
    members = _voices(theme_texts, embed)
    return _centres([(rows, copies if weigh else np.ones(len(rows))) for rows, copies in members])


def _voices(
    theme_texts: Sequence[Sequence[str]], embed: Embed
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per theme, the vectors of its voices (in the order of voice_groups) and how many
    comments each stands for."""
    groups = [voice_groups(texts) for texts in theme_texts]
    rows = [text for group in groups for text, _ in group]
    vectors = np.asarray(embed(rows), dtype=np.float64) if rows else np.zeros((0, 1))
    starts = np.cumsum([0] + [len(group) for group in groups])
    return [
        (vectors[starts[t] : starts[t + 1]], np.array([n for _, n in group], dtype=np.float64))
        for t, group in enumerate(groups)
    ]


def _centres(members: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The unit weighted mean of each (rows, weights) of `members` (zero where no rows)."""
    width = members[0][0].shape[1] if members else 1
    sums = [weights @ rows if len(rows) else np.zeros(width) for rows, weights in members]
    return unit_rows(np.stack(sums)) if sums else np.zeros((0, width))


def _cores(members: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The unit centre of each theme's core: its weighted centre, taken again CORE_ROUNDS
    times over the half of its weight nearest the centre, never fewer than CORE_VOICES voices
    (a trimmed mean that moves into the denser part of a theme that mixes two groups: with
    equal spreads the larger, as tests/engines/test_titles.py shows; a theme of
    CORE_VOICES voices or fewer is its centre)."""
    cores = []
    for rows, weights in members:
        centre = _centres([(rows, weights)])[0]
        for _ in range(CORE_ROUNDS if len(rows) else 0):
            order = np.argsort(-(rows @ centre), kind="stable")
            held = np.cumsum(weights[order])
            half = int(np.searchsorted(held, held[-1] / 2)) + 1
            near = order[: max(half, CORE_VOICES)]
            centre = _centres([(rows[near], weights[near])])[0]
        cores.append(centre)
    return np.stack(cores) if cores else np.zeros((0, 1))


def _relevance(vectors: np.ndarray, centres: np.ndarray, theme: int) -> np.ndarray:
    """Closeness to the theme's centre minus CONTRAST times closeness to the nearest other."""
    sims = vectors @ centres.T
    own = sims[:, theme].copy()
    if len(centres) < 2:
        return own
    sims[:, theme] = -np.inf
    return own - CONTRAST * sims.max(axis=1)


def _sentence_pool(texts: Sequence[str]) -> list[str]:
    pool: dict[str, str] = {}
    for text in dict.fromkeys(texts):
        for sentence in _sentences(" ".join(text.split())):
            words = len(sentence.split())
            key = " ".join(w.lower() for w in TOKEN.findall(sentence))
            if 4 <= words <= 45 and key and key not in pool:
                pool[key] = sentence.strip()
        if len(pool) >= SUMMARY_POOL:
            break
    return list(pool.values())[:SUMMARY_POOL]


def _sentences(text: str) -> list[str]:
    """`text` cut into sentences (see _SENTENCE), the first letter of each in upper case."""
    found: list[str] = []
    for piece in _SENTENCE.split(text):
        goes_on = piece[:1].islower() or piece[:1].isdigit()
        if found and (_TITLE.search(found[-1]) or goes_on and _ABBREVIATION.search(found[-1])):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return [_upper_first(sentence) for sentence in found]


def _upper_first(sentence: str) -> str:
    """`sentence` with its first letter in upper case, unless its first word is written in
    mixed case ("eIDAS", "iOS")."""
    first = sentence.split(" ", 1)[0]
    return sentence if any(c.isupper() for c in first[1:]) else sentence[:1].upper() + sentence[1:]


def _spread(phrase: str, spread: dict[str, float]) -> float:
    """The mean share of themes using each content word of `phrase`."""
    keys = content_keys(phrase)
    return sum(spread.get(key, 0.0) for key in keys) / len(keys) if keys else 0.0


def _share(phrase: str, words: set[str]) -> float:
    keys = content_keys(phrase)
    return len(keys & words) / len(keys) if keys else 0.0


def _capitalised(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]

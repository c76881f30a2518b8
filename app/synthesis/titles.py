"""Titles and summaries of themes, picked from the themes' own words (KeyBERT-style).

Title: candidate noun phrases are read off each theme's comments (runs of content words, and
two runs joined by "of", "for", "on"...: "confidentiality of incident reports"); the ones that
are frequent in the theme and rare in the others are embedded, and the title is the phrase
closest to the theme's centre and least close to the other themes' centres, the provision's own
wording discounted, and different from the titles already given (maximal marginal relevance).

Summary: the theme's most central sentences by the same score, one or two, never two that say
the same thing.

Both take an `embed` callable (texts -> unit vectors, the model that embedded the comments),
so they stay pure and can be tested with the HashingEmbedder fake.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from app.embedding.engine import unit_rows
from app.synthesis.duplicates import duplicate_members

Embed = Callable[[Sequence[str]], np.ndarray]

MAX_WORDS = 5
CANDIDATES = 40  # phrases per theme embedded (the lexically strongest)
CONTRAST = 1.0  # weight of the closeness to the nearest other theme's centre
SUPPORT = 0.05  # bonus for a phrase used in many of the theme's comments
PROVISION_PENALTY = 0.15  # taken off a phrase made only of the provision's words
DIVERSITY = 0.3  # weight of the closeness to titles already given
ANCHOR = 0.3  # weight of the closeness to the theme's most central sentence
SUMMARY_POOL = 120  # sentences per theme considered for its summary
SUMMARY_REPEAT = 0.8  # a second sentence this alike to the first is a repeat

_JOINERS = frozenset({"of", "for", "on", "in", "from", "by", "with", "between", "about"})
_NOT_LAST = frozenset(
    {"existing", "earlier", "later", "fresh", "new", "other", "such", "own", "different",
     "many", "several", "specific", "general", "certain", "relevant", "various", "based",
     "clear", "possible", "available", "necessary", "similar", "main", "current", "previous",
     "particular", "full", "whole", "real", "large", "small", "big", "high", "low", "long",
     "short", "good", "bad", "better", "best", "first", "last", "next", "above", "below",
     "less", "more", "most", "least", "much", "enough", "free", "due", "non", "turn", "help",
     "sufficient", "insufficient", "unclear", "impossible", "useful", "useless", "essential",
     "important", "difficult", "easy", "hard", "able", "unable", "likely", "worth"}
)  # fmt: skip
_NOT_IN_TITLES = frozenset(
    {"please", "also", "already", "still", "clearly", "simply", "just", "really", "need",
     "needs", "want", "ask", "asks", "propose", "suggest", "support", "welcome", "agree",
     "think", "believe", "like", "make", "makes", "made", "get", "gets", "require",
     "requires", "required", "include", "includes", "including", "allow", "allows", "given",
     "give", "take", "know", "say", "said", "dear", "thank", "thanks", "would", "could",
     "shall", "must", "may", "might", "will", "can", "did", "does", "doing", "done", "yes",
     "ok", "strongly", "fully", "currently", "today", "sure", "able", "unless", "otherwise",
     "regards", "hello", "okay", "lot", "way", "ways", "thing", "things", "us", "we", "i",
     "provide", "provides", "mean", "means", "meet", "meets", "notify", "inform", "informs",
     "understand", "understands", "become", "becomes", "remain", "remains", "seem", "seems",
     "helps", "protects", "ensure", "ensures", "reduce", "reduces", "prevent", "prevents",
     "apply", "applies", "covers", "create", "creates", "leads", "works", "go", "goes",
     "come", "comes", "let", "lets", "put", "puts", "show", "shows", "keeps", "starts",
     "stops", "wants", "cause", "causes", "contain", "contains", "depend", "depends",
     "exist", "exists", "happen", "happens", "matters", "belong", "belongs", "deserve",
     "deserves", "lack", "lacks", "fail", "fails", "pay", "pays", "tell", "tells", "ignore",
     "ignores", "treat", "treats", "turn", "turns", "seek", "argue", "argues", "expect"}
)  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*(?:\.[a-z]{2,4}\b)?[A-Za-z0-9]?|\d[\d.,^]*\d|\d")
_BREAK = re.compile(r"(?<![a-z])\.(?!\d)|\.(?![a-z]{2,4}\b|\d)|,(?!\d)|[;:!?()\[\]\"“”/]|\s[-–—]\s")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")


def _content(word: str) -> bool:
    lower = word.lower()
    return lower not in ENGLISH_STOP_WORDS and lower not in _NOT_IN_TITLES and len(lower) > 1


def _can_end(word: str) -> bool:
    """Whether a phrase may end on `word`: not an adjective, adverb or past participle."""
    lower = word.lower()
    return lower not in _NOT_LAST and not lower.endswith(("ed", "ly"))


def _can_start(word: str) -> bool:
    return not word.lower().endswith(("ly", "ed"))


def candidate_phrases(text: str, *, max_words: int = MAX_WORDS) -> list[str]:
    """Noun-phrase-like runs of `text` as written: 1 to `max_words` content words in a row,
    and two such runs joined by one preposition ("burden on small providers")."""
    found: list[str] = []
    for segment in _BREAK.split(text):
        words = _TOKEN.findall(segment)
        runs: list[tuple[int, int]] = []
        start = None
        for i, word in enumerate([*words, ""]):
            if word and _content(word):
                start = i if start is None else start
            elif start is not None:
                runs.append((start, i))
                start = None
        for a, b in runs:
            for i in range(a, b):
                for j in range(i + 1, min(b, i + max_words) + 1):
                    if _can_start(words[i]) and _can_end(words[j - 1]):
                        found.append(" ".join(words[i:j]))
        for (a, b), (c, d) in zip(runs, runs[1:], strict=False):
            if c == b + 1 and words[b].lower() in _JOINERS:
                for i in range(max(a, b - 3), b):
                    for j in range(c + 1, min(d, c + 3) + 1):
                        if j - i <= max_words and _can_start(words[i]) and _can_end(words[j - 1]):
                            found.append(" ".join(words[i:j]))
    return found


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
    centres = voice_centres(theme_texts, embed)
    picked = [_summary(texts, centres, t, embed, sentences) for t, texts in enumerate(theme_texts)]
    first = [chosen[0] if chosen else "" for chosen in picked]
    titles = _titles(theme_texts, centres, first, embed, provision_texts, max_words)
    return [
        ThemeText(title, " ".join(chosen)) for title, chosen in zip(titles, picked, strict=True)
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
        " ".join(_summary(texts, centres, t, embed, sentences))
        for t, texts in enumerate(theme_texts)
    ]


def _titles(
    theme_texts: Sequence[Sequence[str]],
    centres: np.ndarray,
    central: Sequence[str],
    embed: Embed,
    provision_texts: Sequence[str],
    max_words: int,
) -> list[str]:
    own_words = {w.lower() for text in provision_texts for w in _TOKEN.findall(text)}
    pools = _phrase_pools(theme_texts, max_words)
    flat = [p for pool in pools for p, _ in pool]
    if not flat:
        return [""] * len(theme_texts)
    vectors = unit_rows(np.asarray(embed(flat), dtype=np.float64))
    anchors = unit_rows(np.asarray(embed([text or "-" for text in central]), dtype=np.float64))
    # Short phrases and whole comments sit in different regions of the space: compare what is
    # particular to each, phrases less their mean, centres less theirs.
    shifted = unit_rows(vectors - vectors.mean(axis=0))
    centred = unit_rows(centres - centres.mean(axis=0)) if len(centres) > 1 else centres
    starts = np.cumsum([0] + [len(pool) for pool in pools])
    titles = [""] * len(theme_texts)
    chosen: list[np.ndarray] = []
    for t in sorted(range(len(theme_texts)), key=lambda t: (-len(theme_texts[t]), t)):
        phrases = pools[t]
        if not phrases:
            continue
        own = shifted[starts[t] : starts[t + 1]]
        score = _relevance(own, centred, t)
        score += SUPPORT * np.array([math.log1p(df) for _, df in phrases])
        score += ANCHOR * (vectors[starts[t] : starts[t + 1]] @ anchors[t])
        score -= PROVISION_PENALTY * np.array([_share(p, own_words) for p, _ in phrases])
        if chosen:
            score -= DIVERSITY * (own @ np.stack(chosen).T).max(axis=1)
        taken = {title.lower() for title in titles}
        score[[p.lower() in taken for p, _ in phrases]] = -np.inf
        best = int(np.argmax(score))
        titles[t] = _capitalised(phrases[best][0])
        chosen.append(own[best])
    return titles


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


def voice_centres(theme_texts: Sequence[Sequence[str]], embed: Embed) -> np.ndarray:
    """Unit centre of each theme's texts in the space of `embed`, each voice once: identical
    texts and the copies of a campaign letter count as one comment."""
    vectors, owner = _voices(theme_texts, embed)
    centres = np.zeros((len(theme_texts), vectors.shape[1]))
    np.add.at(centres, owner, vectors)
    return unit_rows(centres)


def _voices(theme_texts: Sequence[Sequence[str]], embed: Embed) -> tuple[np.ndarray, np.ndarray]:
    rows: list[str] = []
    owner: list[int] = []
    for t, texts in enumerate(theme_texts):
        distinct = list(dict.fromkeys(texts))
        copies = {i for group in duplicate_members(distinct) for i in group[1:]}
        kept = [text for i, text in enumerate(distinct) if i not in copies]
        rows.extend(kept)
        owner.extend([t] * len(kept))
    vectors = np.asarray(embed(rows), dtype=np.float64) if rows else np.zeros((0, 1))
    return vectors, np.asarray(owner, dtype=np.int64)


def _relevance(vectors: np.ndarray, centres: np.ndarray, theme: int) -> np.ndarray:
    """Closeness to the theme's centre minus CONTRAST times closeness to the nearest other."""
    sims = vectors @ centres.T
    own = sims[:, theme].copy()
    if len(centres) < 2:
        return own
    sims[:, theme] = -np.inf
    return own - CONTRAST * sims.max(axis=1)


def _phrase_pools(
    theme_texts: Sequence[Sequence[str]], max_words: int
) -> list[list[tuple[str, int]]]:
    """Per theme, up to CANDIDATES (phrase as first written, comments using it), ranked by a
    class-based TF-IDF of the phrase: used by many of the theme's comments, few elsewhere."""
    surface: dict[str, str] = {}
    per_theme: list[Counter[str]] = []
    for texts in theme_texts:
        counts: Counter[str] = Counter()
        for text in dict.fromkeys(texts):  # a campaign's copies count once
            phrases = candidate_phrases(text, max_words=max_words)
            for phrase in phrases:
                surface.setdefault(phrase.lower(), phrase)
            counts.update({p.lower() for p in phrases})
        per_theme.append(counts)
    overall: Counter[str] = Counter()
    for counts in per_theme:
        overall.update(counts)
    pools = []
    for counts in per_theme:
        size = max(1, max(counts.values(), default=1))
        ranked = sorted(
            counts,
            key=lambda p: (
                -counts[p]
                / size
                * math.log(1 + len(per_theme) * counts[p] / overall[p])
                * (1 + 0.5 * min(p.count(" "), 2)),
                p,
            ),
        )
        pools.append([(surface[p], counts[p]) for p in ranked[:CANDIDATES]])
    return pools


def _sentence_pool(texts: Sequence[str]) -> list[str]:
    pool: dict[str, str] = {}
    for text in dict.fromkeys(texts):
        for sentence in _SENTENCE.split(" ".join(text.split())):
            words = len(sentence.split())
            key = " ".join(w.lower() for w in _TOKEN.findall(sentence))
            if 4 <= words <= 45 and key and key not in pool:
                pool[key] = sentence.strip()
        if len(pool) >= SUMMARY_POOL:
            break
    return list(pool.values())[:SUMMARY_POOL]


def _share(phrase: str, words: set[str]) -> float:
    tokens = [w.lower() for w in _TOKEN.findall(phrase) if _content(w)]
    return sum(w in words for w in tokens) / len(tokens) if tokens else 0.0


def _capitalised(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]



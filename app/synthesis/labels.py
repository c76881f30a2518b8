"""Name and illustrate themes without a language model.

Keywords come from class-based TF-IDF (each theme's comments treated as one document), a label
from the most common short phrase built on those keywords, representatives from maximal
marginal relevance around the theme's centre, and "who said it" from category shares.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)
DISCOUNT_FACTOR = 0.2  # weight kept by words of the provision's own text


def tokens(text: str) -> list[str]:
    """Lower-cased words of `text` (letters, inner hyphens and apostrophes), in order."""
    return [w.replace("'s", "") for w in _WORD.findall(text.lower())]


def _is_keyword(word: str) -> bool:
    return len(word) > 2 and word not in ENGLISH_STOP_WORDS


def ctfidf_keywords(
    docs_by_theme: Sequence[Sequence[str]],
    *,
    top_n: int = 6,
    discount: Collection[str] = (),
) -> list[list[str]]:
    """Top `top_n` keywords of each theme by class-based TF-IDF.

    A word scores high when it is frequent within the theme and rare across the other themes:
    tf(word, theme) / words(theme) * log(1 + average words per theme / frequency in all).
    English stop words are dropped and words in `discount` (the provision's own wording,
    which every comment echoes) keep only a fifth of their weight. Raises ValueError if
    `top_n` < 1.
    """
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    counts = [
        Counter(w for doc in docs for w in tokens(doc) if _is_keyword(w)) for docs in docs_by_theme
    ]
    totals = Counter[str]()
    for theme_counts in counts:
        totals.update(theme_counts)
    if not totals:
        return [[] for _ in counts]
    average = sum(totals.values()) / len(counts)
    lowered = {w.lower() for w in discount}
    result = []
    for theme_counts in counts:
        size = sum(theme_counts.values())
        scored = []
        for word, count in theme_counts.items():
            weight = count / size * math.log(1.0 + average / totals[word])
            if word in lowered:
                weight *= DISCOUNT_FACTOR
            scored.append((-weight, word))
        result.append([word for _, word in sorted(scored)[:top_n]])
    return result


def _phrases(words: list[str]) -> set[tuple[str, ...]]:
    """2- and 3-word runs that neither start nor end with a stop word."""
    found = set()
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            run = tuple(words[i : i + size])
            if _is_keyword(run[0]) and _is_keyword(run[-1]):
                found.add(run)
    return found


def label_from_keywords(keywords: Sequence[str], docs: Sequence[str]) -> str:
    """A short readable label for a theme: the 2-3 word phrase containing the top keyword that
    appears in the most comments (extra credit for holding further keywords); when no such
    phrase recurs, the first three keywords joined by commas; "" with no keywords."""
    if not keywords:
        return ""
    top, wanted = keywords[0], set(keywords)
    doc_freq = Counter[tuple[str, ...]]()
    for doc in docs:
        doc_freq.update(p for p in _phrases(tokens(doc)) if top in p)
    ranked = sorted(
        (-freq * (1 + len(wanted.intersection(phrase))), len(" ".join(phrase)), " ".join(phrase))
        for phrase, freq in doc_freq.items()
        if freq >= 2
    )
    return ranked[0][2] if ranked else ", ".join(keywords[:3])


def representatives(
    vectors: np.ndarray, centroid: np.ndarray, *, k: int = 3, diversity: float = 0.3
) -> list[int]:
    """Indices of up to `k` rows of `vectors` that best show a theme: the row nearest the
    centre first, then by maximal marginal relevance, (1 - diversity) * closeness to the centre
    minus diversity * closeness to rows already chosen, so that near-repeats are skipped.
    Raises ValueError if `diversity` is outside [0, 1]."""
    if not 0.0 <= diversity <= 1.0:
        raise ValueError("diversity must be within [0, 1]")
    rows = np.asarray(vectors, dtype=np.float64)
    if len(rows) == 0 or k < 1:
        return []
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows = rows / np.where(norms == 0, 1.0, norms)
    centre = np.asarray(centroid, dtype=np.float64)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    relevance = rows @ centre
    chosen: list[int] = []
    redundancy = np.full(len(rows), -np.inf)
    for _ in range(min(k, len(rows))):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        score = (1.0 - diversity) * relevance - diversity * penalty
        score[chosen] = -np.inf
        pick = int(np.argmax(score))
        chosen.append(pick)
        redundancy = np.maximum(redundancy, rows @ rows[pick])
    return chosen


def over_represented(
    theme_counts: Mapping[str, int],
    scope_counts: Mapping[str, int],
    *,
    min_ratio: float = 2.0,
    min_count: int = 3,
    min_excess: float = 2.0,
) -> list[str]:
    """Categories far above their share of the whole scope in a theme; strongest first.

    A category is over-represented when it has at least `min_count` comments in the theme, its
    share of the theme is at least `min_ratio` times its share of the scope, and its count
    exceeds the count its scope share would give the theme (`expected`) by at least
    `min_excess` standard deviations (Poisson: `min_excess * sqrt(expected)`), so that two or
    three comments of a rare category in a small theme are not flagged by chance.

    Raises ValueError if a category counts more comments in the theme than in the scope.
    """
    theme_total = sum(theme_counts.values())
    scope_total = sum(scope_counts.values())
    found = []
    for category, count in theme_counts.items():
        in_scope = scope_counts.get(category, 0)
        if count > in_scope:
            raise ValueError(f"category {category!r}: {count} in theme but {in_scope} in scope")
        if count < min_count or theme_total == 0:
            continue
        expected = theme_total * in_scope / scope_total
        ratio = count / expected
        if ratio >= min_ratio and count - expected >= min_excess * math.sqrt(expected):
            found.append((-ratio, category))
    return [category for _, category in sorted(found)]

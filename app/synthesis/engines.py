"""The few calls the pipeline makes into the pure engines (labels, duplicates, codebook), in the
shapes the pipeline wants. Keeping them here keeps the pipeline readable and gives one place to
follow an engine's API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.synthesis import codebook, duplicates, labels


@dataclass(frozen=True)
class Campaign:
    """Near-duplicate rows: the canonical row, every row (canonical included), the template
    text and what each row added to it (aligned with `rows`)."""

    canonical: int
    rows: tuple[int, ...]
    template: str
    additions: tuple[str, ...]


def assign_codebook(vectors: np.ndarray, entry_vectors: np.ndarray) -> np.ndarray:
    """Each row's codebook entry index, or -1 where no entry fits."""
    return np.asarray(codebook.assign_to_codebook(vectors, entry_vectors), dtype=np.int64)


def entry_text(title: str, description: str) -> str:
    """What is embedded for a codebook entry."""
    return codebook.CodebookEntry(title, description).text()


def keywords(theme_texts: Sequence[Sequence[str]], discount: Sequence[str]) -> list[list[str]]:
    """c-TF-IDF keywords of each theme (its texts against the other themes'), with the words
    of `discount` (the provisions' own text) weighed down."""
    if not theme_texts:
        return []
    own_words = {word for text in discount for word in labels.tokens(text)}
    return [list(words) for words in labels.ctfidf_keywords(theme_texts, discount=own_words)]


def label(words: Sequence[str], texts: Sequence[str]) -> str:
    """A short readable label from a theme's keywords and its texts."""
    return labels.label_from_keywords(words, texts)


def pick_representatives(matrix: np.ndarray, centre: np.ndarray, k: int) -> list[int]:
    """Indices of up to `k` rows near the centre that cover the theme's distinct points."""
    return [int(i) for i in labels.representatives(matrix, centre, k=k)]


def over_represented_categories(theme: Mapping[str, int], scope: Mapping[str, int]) -> list[str]:
    return list(labels.over_represented(theme, scope))


def campaigns(texts: Sequence[str]) -> list[Campaign]:
    """Groups of near-identical letters among `texts`, largest first."""
    out = []
    for group in duplicates.find_duplicate_groups(texts):
        rows = tuple(int(r) for r in group.members)
        out.append(
            Campaign(
                canonical=int(group.canonical),
                rows=rows,
                template=group.template,
                additions=tuple(group.additions.get(r, "") for r in rows),
            )
        )
    return out


def voices(n_comments: int, campaign_sizes: Sequence[int]) -> int:
    """Independent voices: comments outside any campaign, plus one voice per campaign."""
    return n_comments - sum(campaign_sizes) + len(campaign_sizes)

"""The voices of a theme's comments: a distinct text, or a campaign's near-identical letters
read once, with how many comments each stands for (titles weigh phrases by them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from app.synthesis.duplicates import duplicate_members


def voice_groups(texts: Sequence[str]) -> list[tuple[str, int]]:
    """Each voice of `texts` (a distinct text, a campaign's copies once, as its first copy)
    with the number of comments it stands for."""
    return as_voices(voice_letters(texts))


def as_voices(letters: list[list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """Each voice of voice_letters as its first letter and its number of comments."""
    return [(group[0][0], sum(n for _, n in group)) for group in letters]


def voice_letters(texts: Sequence[str]) -> list[list[tuple[str, int]]]:
    """Each voice of `texts` as its distinct letters (one, or a campaign's, first copy first),
    each with how many comments wrote it."""
    counts = Counter(texts)
    distinct = list(counts)
    letters = {i: [i] for i in range(len(distinct))}
    for group in duplicate_members(distinct):
        letters[group[0]] = list(group)
        for i in group[1:]:
            del letters[i]
    return [[(distinct[j], counts[distinct[j]]) for j in group] for group in letters.values()]

"""Anchoring comments to passages of a provision's plain text, and carrying them to new rounds.

An anchor combines the W3C TextQuoteSelector (exact quote with up to 32 characters of prefix
and suffix) and TextPositionSelector (start/end offsets). When the text changes, a comment is
re-anchored by its exact quote first, then by diff-match-patch's fuzzy ``match_main`` around
the quote's expected position; a quote that cannot be placed is *orphaned*, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import diff_match_patch as _dmp_module

try:
    import fast_diff_match_patch as _fast_dmp
except ImportError:  # pragma: no cover - the C++ port only speeds up similarity scores
    _fast_dmp = None

from app.diffing.engine import diff_words, is_word, tokenize

CONTEXT_CHARS = 32
MATCH_THRESHOLD = 0.4
MATCH_DISTANCE = 1000
FUZZY_MIN_SIMILARITY = 0.7
ADOPTED_THRESHOLD = 0.8  # "largely adopted"


@dataclass(frozen=True)
class Anchor:
    """A quoted passage: ``text[start:end] == exact``, with its surroundings."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Reanchoring:
    """Where an anchor landed in a new text: status "anchored", "fuzzy" or "orphaned"."""

    status: str
    anchor: Anchor | None
    score: float


def _anchor_at(text: str, start: int, end: int) -> Anchor:
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        start=start,
        end=end,
    )


def _common_tail(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_head(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def locate(
    text: str, exact: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Anchor | None:
    """Find ``exact`` in ``text``; None when it does not occur (or is empty).

    Among several occurrences, the one whose surroundings best match ``prefix`` and ``suffix``
    wins, then the one nearest to ``hint``, then the first. The returned anchor's prefix and
    suffix are recomputed from ``text``.
    """
    if not exact:
        return None
    best: tuple[int, int, int] | None = None
    start = text.find(exact)
    while start != -1:
        end = start + len(exact)
        context = _common_tail(prefix, text[max(0, start - len(prefix)) : start])
        context += _common_head(suffix, text[end : end + len(suffix)])
        distance = abs(start - hint) if hint is not None else 0
        key = (-context, distance, start)
        if best is None or key < best:
            best = key
        start = text.find(exact, start + 1)
    if best is None:
        return None
    return _anchor_at(text, best[2], best[2] + len(exact))


def _map_position(old_text: str, new_text: str, position: int) -> int:
    """Where ``position`` of old_text lands in new_text, following their word diff."""
    old_pos = new_pos = 0
    for kind, chunk in diff_words(old_text, new_text).ops:
        if kind == "insert":
            new_pos += len(chunk)
            continue
        if position < old_pos + len(chunk):
            return new_pos + (position - old_pos if kind == "equal" else 0)
        old_pos += len(chunk)
        if kind == "equal":
            new_pos += len(chunk)
    return new_pos


def _matcher() -> _dmp_module.diff_match_patch:
    dmp = _dmp_module.diff_match_patch()
    dmp.Match_Threshold = MATCH_THRESHOLD
    dmp.Match_Distance = MATCH_DISTANCE
    return dmp


def _ratio(a: str, b: str) -> float:
    """2 x characters in common (longest common subsequence) / total length."""
    if not a and not b:
        return 1.0
    if _fast_dmp is not None and (_fast_dmp.CHAR_WIDTH == 4 or (a + b).isascii()):
        diffs = _fast_dmp.diff(a, b, timelimit=0, checklines=False, cleanup="No")
        common = sum(length for op, length in diffs if op == "=")
    else:
        dmp = _dmp_module.diff_match_patch()
        dmp.Diff_Timeout = 0
        common = sum(len(chunk) for op, chunk in dmp.diff_main(a, b, False) if op == 0)
    return 2 * common / (len(a) + len(b))


def _rough_span(text: str, exact: str, hint: int) -> tuple[int, int] | None:
    """Fuzzy-match the quote (head and tail separately when longer than Match_MaxBits)."""
    dmp = _matcher()
    bits = dmp.Match_MaxBits
    if len(exact) <= bits:
        loc = dmp.match_main(text, exact, hint)
        return None if loc == -1 else (loc, loc + len(exact))
    head = dmp.match_main(text, exact[:bits], hint)
    tail = dmp.match_main(text, exact[-bits:], hint + len(exact) - bits)
    if head != -1 and tail != -1 and head < tail + bits <= head + 2 * len(exact):
        return head, tail + bits
    if head != -1:
        return head, head + len(exact)
    if tail != -1:
        return max(0, tail + bits - len(exact)), tail + bits
    return None


def _boundaries(text: str, low: int, high: int, keep: int) -> list[int]:
    """Word boundaries in text[low:high], plus ``keep``."""
    low, high = max(0, low), min(len(text), high)
    found = {
        i
        for i in range(low, high + 1)
        if i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())
    }
    return sorted(found | {keep})


def _refine(text: str, exact: str, start: int, end: int) -> tuple[int, int]:
    """Move each end of a rough span to the nearby word boundary that best fits the quote."""
    slack = max(8, min(len(exact) // 4, 60))
    end = min(end, len(text))
    if start >= end:
        return start, start
    starts = [s for s in _boundaries(text, start - slack, start + slack, start) if s < end]
    start = max(starts, key=lambda s: (_ratio(exact, text[s:end]), -abs(s - start)))
    ends = [e for e in _boundaries(text, end - slack, end + slack, end) if e > start]
    end = max(ends, key=lambda e: (_ratio(exact, text[start:e]), -abs(e - end)))
    while start < end and text[start].isspace() and not exact[0].isspace():
        start += 1
    while end > start and text[end - 1].isspace() and not exact[-1].isspace():
        end -= 1
    return start, end


def reanchor(anchor: Anchor, new_text: str, old_text: str | None = None) -> Reanchoring:
    """Place ``anchor`` in ``new_text``.

    The exact quote is looked for first ("anchored", score 1.0), using prefix, suffix and the
    expected position to choose among several occurrences; otherwise a fuzzy match near the
    expected position whose similarity to the quote is at least FUZZY_MIN_SIMILARITY is
    "fuzzy" (score = that similarity); otherwise the anchor is "orphaned" (anchor None).
    The expected position follows the diff from ``old_text`` when given, else the old offset.
    """
    if not anchor.exact.strip():
        return Reanchoring("orphaned", None, 0.0)
    if old_text is not None:
        hint = _map_position(old_text, new_text, anchor.start)
    else:
        hint = min(anchor.start, len(new_text))
    found = locate(new_text, anchor.exact, anchor.prefix, anchor.suffix, hint)
    if found is not None:
        return Reanchoring("anchored", found, 1.0)
    rough = _rough_span(new_text, anchor.exact, hint)
    if rough is None:
        return Reanchoring("orphaned", None, 0.0)
    start, end = _refine(new_text, anchor.exact, *rough)
    score = _ratio(anchor.exact, new_text[start:end])
    if start >= end or score < FUZZY_MIN_SIMILARITY:
        return Reanchoring("orphaned", None, score)
    return Reanchoring("fuzzy", _anchor_at(new_text, start, end), score)


def _words(text: str) -> list[str]:
    return [token.casefold() for token in tokenize(text) if is_word(token)]


def _verbatim(proposed: str, new_text: str) -> bool:
    """True when the proposal occurs in the text as whole words, whitespace-normalised."""
    needle = " ".join(proposed.split())
    if not needle:
        return False
    before = r"(?<!\w)" if needle[0].isalnum() else ""
    after = r"(?!\w)" if needle[-1].isalnum() else ""
    pattern = before + re.escape(needle) + after
    return re.search(pattern, " ".join(new_text.split())) is not None


def adoption(proposed: str, new_text: str) -> float:
    """How much of a proposed wording ``new_text`` adopted, from 0.0 to 1.0.

    1.0 when the proposal appears verbatim (whitespace-normalised); otherwise the share of
    the proposal's words (case-insensitive) found, in order, within the best window of the
    new text that is not much longer than the proposal.
    """
    if _verbatim(proposed, new_text):
        return 1.0
    wanted, present = _words(proposed), _words(new_text)
    if not wanted or not present:
        return 0.0
    matcher = SequenceMatcher(None, wanted, present, autojunk=False)
    hits = [j + k for _, j, size in matcher.get_matching_blocks() for k in range(size)]
    window = len(wanted) + max(3, len(wanted) // 2)
    best = low = 0
    for high, position in enumerate(hits):
        while position - hits[low] >= window:
            low += 1
        best = max(best, high - low + 1)
    return best / len(wanted)

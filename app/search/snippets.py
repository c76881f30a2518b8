"""Snippets: a passage of a text around the words a search found, the words marked (pure).

The database marks the words it matched (FTS5's `highlight()`, PostgreSQL's `ts_headline`),
so that stemming is the database's own ("watermarks" is marked for "watermark"); here the
marked text is cut to a passage that starts and ends on word boundaries, everything is escaped,
and the marks become `<mark>` elements.
"""

from __future__ import annotations

from markupsafe import Markup, escape

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters the database puts around a match
SNIPPET_CHARS = 90  # about half a passage's length
SNIPPET_SLACK = 12  # how far a passage may grow to reach the end of a word


def read_marks(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without marks (whitespace runs made single spaces) and the spans that were
    marked; two marks separated only by punctuation (`robots.txt`) become one span."""
    marked = " ".join(marked.split())
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    length = 0
    for char in marked:
        if char == OPEN:
            start = length if start is None else start
        elif char == CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    plain = "".join(text)
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        gap = plain[merged[-1][1] : lo] if merged else " "
        if merged and gap and " " not in gap and not any(c.isalnum() for c in gap):
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return plain, merged


def render(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` escaped, with each span in a `<mark>`."""
    parts: list[Markup] = []
    last = 0
    for lo, hi in spans:
        if lo < last:
            continue
        parts.append(escape(text[last:lo]))
        parts.append(Markup("<mark>%s</mark>") % text[lo:hi])
        last = hi
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _at_word_boundary(text: str, index: int) -> bool:
    return index in (0, len(text)) or text[index - 1] == " " or text[index] == " "


def _word_window(text: str, lo: int, hi: int, keep: tuple[int, int]) -> tuple[int, int]:
    """Move `lo`/`hi` onto word boundaries: outwards by up to SNIPPET_SLACK characters, else
    inwards to the next space, but never past the `keep` span (a match inside a long word)."""
    if not _at_word_boundary(text, lo):
        before = text.rfind(" ", max(0, lo - SNIPPET_SLACK), lo)
        if before >= 0 or lo <= SNIPPET_SLACK:
            lo = before + 1
        elif (after := text.find(" ", lo, keep[0])) >= 0:
            lo = after + 1
    if not _at_word_boundary(text, hi):
        after = text.find(" ", hi, hi + SNIPPET_SLACK)
        if after >= 0:
            hi = after
        elif hi + SNIPPET_SLACK >= len(text):
            hi = len(text)
        elif (before := text.rfind(" ", keep[1], hi)) >= 0:
            hi = before
    return lo, hi


def _densest(spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The first span of the stretch of `width` characters holding the most spans."""
    best, most = spans[0], 0
    for i, span in enumerate(spans):
        count = sum(1 for other in spans[i:] if other[1] <= span[0] + width)
        if count > most:
            best, most = span, count
    return best


_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], "\u200b")


def snippet(marked: str, chars: int = SNIPPET_CHARS) -> Markup:
    """A passage of about 2 × `chars` characters of `marked` around its most matches, marked,
    escaped and cut on word boundaries where it can; "…" stands for text left out. A text
    with no marks gives its beginning."""
    text, spans = read_marks(marked)
    # An excerpt keeps no direction controls (each becomes a zero-width space: the marks stay
    # where they are): an override cut from its end, or one in a body followed by its proposed
    # wording, would reverse text that is not its own.
    text = text.translate(_BIDI_CONTROLS)
    first = _densest(spans, chars * 3 // 2) if spans else (0, 0)
    lo = max(0, first[0] - chars // 2) if spans else 0
    hi = min(len(text), max(lo + 2 * chars, first[1]))
    lo, hi = _word_window(text, lo, hi, first)
    inside = [(a - lo, b - lo) for a, b in spans if a >= lo and b <= hi]
    passage = text[lo:hi]
    stripped = passage.lstrip()
    shift = len(passage) - len(stripped)
    inside = [(a - shift, b - shift) for a, b in inside if a >= shift]
    body = render(stripped.rstrip(), inside)
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return escape(prefix) + body + escape(suffix)


def marked_line(marked: str) -> Markup:
    """A short text (a heading) whole, escaped, its matches marked."""
    return render(*read_marks(marked))

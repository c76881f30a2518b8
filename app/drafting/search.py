"""Searching a round's provisions and cutting snippets around the words found."""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from sqlalchemy import select

from app.core.db import db
from app.drafting.models import Provision, Round

SEARCH_LIMIT = 100
SNIPPET_CHARS = 90
SNIPPET_SLACK = 12  # how far a snippet may grow to reach the end of a word


def search_round(round_: Round, query: str, limit: int = SEARCH_LIMIT) -> list[Provision]:
    """Provisions of the round whose title or text contains every word of `query`."""
    terms = query.lower().split()[:10]
    if not terms:
        return []
    statement = select(Provision).where(Provision.round_id == round_.id)
    for term in terms:
        statement = statement.where(Provision.search_text.contains(term, autoescape=True))
    return list(db.session.scalars(statement.order_by(Provision.position).limit(limit)))


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


def snippet(provision: Provision, query: str) -> Markup:
    """A passage of the provision's text around the first matching word, words marked.

    The passage starts and ends on word boundaries where it can; "…" marks text left out.
    """
    text = " ".join(provision.text.split())
    terms = [t for t in query.lower().split() if t]
    lowered = text.lower()
    hits = [(i, i + len(t)) for t in terms if (i := lowered.find(t)) >= 0]
    first = min(hits) if hits else (0, 0)
    lo = max(0, first[0] - SNIPPET_CHARS // 2)
    hi = min(len(text), max(lo + 2 * SNIPPET_CHARS, first[1]))
    lo, hi = _word_window(text, lo, hi, first)
    passage = text[lo:hi].strip()
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(passage):
        parts.append(escape(passage[last : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    parts.append(escape(passage[last:]))
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return escape(prefix) + escape("").join(parts) + escape(suffix)

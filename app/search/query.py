"""Reading what a reader typed into a search: plain words and "quoted phrases" (pure).

Every word must occur (AND); a quoted phrase, or a chunk such as `robots.txt` or `opt-out`,
must occur as written, its words next to each other. Nothing else is syntax: stars, colons,
minus signs, brackets, `NEAR`, `OR`, `&|!` are ordinary characters (mostly dropped as
punctuation), and an unbalanced quote is ignored. What reaches the database is built here from
words alone (FTS5) or passed as a bound parameter to `phraseto_tsquery`, which reads plain
text only (PostgreSQL), so user input can never be read as query syntax.

Words so common that PostgreSQL's English configuration ignores them ("the", "of", "not") are
dropped from the query on both databases, so that both find the same things; a query of
nothing else searches for nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY = 200  # characters read of a query
MAX_TERMS = 10
MAX_CHUNK = 100  # characters of one phrase or chunk

# PostgreSQL's english.stop (the Snowball list), which its text search ignores.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
""".split())

_PIECE = re.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One thing that must occur: a word, or words next to each other."""

    words: tuple[str, ...]
    raw: str  # as typed (trimmed), for PostgreSQL's parser; never read as syntax
    quoted: bool = False

    @property
    def shown(self) -> str:
        """How the term is written back into a query string."""
        return f'"{self.raw}"' if self.quoted else self.raw


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def text(self) -> str:
        """The query as a reader would type it (for links and the search field)."""
        return " ".join(term.shown for term in self.terms)

    def without(self, term: Term) -> Query:
        return Query(tuple(t for t in self.terms if t != term))


def parse_query(text: str) -> Query:
    """The terms of `text`: quoted phrases and whitespace-separated chunks, lower-cased, with
    punctuation and very common words dropped, duplicates removed, at most MAX_TERMS."""
    terms: list[Term] = []
    for match in _PIECE.finditer((text or "")[:MAX_QUERY]):
        quoted = match.group(1) is not None
        raw = " ".join((match.group(1) if quoted else match.group(2)).split())[:MAX_CHUNK]
        words = tuple(_WORD.findall(raw.lower()))
        if not words or all(word in STOP_WORDS for word in words):
            continue
        term = Term(words, raw, quoted and len(words) > 1)
        if all(t.words != term.words for t in terms):
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return Query(tuple(terms))


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH expression: each term a double-quoted string of words (letters and
    digits only, so nothing inside can end the string), all of them required."""
    return " AND ".join('"' + " ".join(term.words) + '"' for term in query.terms)

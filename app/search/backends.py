"""The two full-text engines behind one interface: which entries match a query, how well, and
the entries' text with the matched words marked.

- SQLite: FTS5 (`search_fts MATCH '"word" AND "two words"'`), ranked by bm25 with the title
  weighing TITLE_WEIGHT times the body; `highlight()` marks the words.
- PostgreSQL: `tsv @@ (phraseto_tsquery(...) && ...)` over the GIN index, ranked by
  `ts_rank_cd` (cover density, normalised by the log of the length); `ts_headline` marks.

`matching(query, code_id)` gives a function that adds the code's entries that match to a
SELECT (as the `search_entries` table, for the caller to join and filter) and their score,
"higher is better" on both (`ranked=False`: no score computed, for counts). The match reads
the code's part of the full-text index only: on SQLite the FTS5 rowid (`fts_key`) starts with
the code, so the match is a rowid range of its doclists; on PostgreSQL the GIN index is read
for the words and the caller's join keeps the code's rounds (comments joined by their round,
which PostgreSQL reads by index), so `code_id` is not needed there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

from sqlalchemy import Float, String, column, func, literal, literal_column, select, table

from app.core.db import db
from app.search.models import FTS_TABLE, TEXT_CONFIG, SearchEntry, code_key_range
from app.search.query import Query, fts5_expression
from app.search.snippets import CLOSE, OPEN

TITLE_WEIGHT = 4.0
Marked = dict[int, tuple[str, str]]  # entry id -> (title, body), matches between OPEN/CLOSE
Source = Callable[[Any], Any]  # adds the matching entries (as SearchEntry) to a SELECT


class SqliteBackend:
    fts = table(FTS_TABLE, column("rowid"), column("title"), column("body"))
    _table = literal_column(FTS_TABLE)

    def match(self, query: Query) -> Any:
        return self._table.op("MATCH")(literal(fts5_expression(query), String))

    def matching(self, query: Query, code_id: int, ranked: bool = True) -> tuple[Source, Any]:
        """The code's full-text matches first, as a materialised CTE of (fts_key, score):
        joined directly, SQLite may instead walk the entries of a round by index and run the
        full-text query once per entry (a hundred times slower). The rowid range keeps FTS5
        to the code's entries; bm25 still weighs words by the whole index, as before."""
        score = -func.bm25(self._table, TITLE_WEIGHT, 1.0, type_=Float)
        first, last = code_key_range(code_id)
        hits = (
            select(self.fts.c.rowid.label("fts_key"),
                   (score if ranked else literal(0.0, Float)).label("score"))
            .where(self.match(query), self.fts.c.rowid >= first, self.fts.c.rowid <= last)
            .cte("fts_hits")
            .prefix_with("MATERIALIZED")
        )  # fmt: skip

        def source(statement: Any) -> Any:
            return statement.select_from(hits).join(
                SearchEntry, SearchEntry.fts_key == hits.c.fts_key
            )

        return source, hits.c.score

    def marked(self, entries: Sequence[SearchEntry], query: Query) -> Marked:
        keys = {entry.fts_key: entry.id for entry in entries}
        rows = db.session.execute(
            select(
                self.fts.c.rowid,
                func.highlight(self._table, 0, OPEN, CLOSE),
                func.highlight(self._table, 1, OPEN, CLOSE),
            )
            .where(self.match(query), self.fts.c.rowid.in_(list(keys)))
        )
        return {keys[row[0]]: (row[1] or "", row[2] or "") for row in rows}


class PostgresBackend:
    _config = literal_column(f"'{TEXT_CONFIG}'::regconfig")
    _options = f'HighlightAll=true, StartSel="{OPEN}", StopSel="{CLOSE}"'

    def tsquery(self, query: Query) -> Any:
        """Each term read as plain text by phraseto_tsquery (its words next to each other),
        all of them required; the terms are bound parameters, never parsed as tsquery syntax."""
        parts = [
            func.phraseto_tsquery(self._config, literal(term.raw, String))
            for term in query.terms
        ]
        return reduce(lambda left, right: left.op("&&")(right), parts)

    def matching(self, query: Query, code_id: int, ranked: bool = True) -> tuple[Source, Any]:
        """The entries whose `tsv` matches (by the GIN index), and their score; the caller's
        join on the searched rounds keeps them to the code (`code_id` is SQLite's rowid range)."""
        tsquery = self.tsquery(query)

        def source(statement: Any) -> Any:
            return statement.select_from(SearchEntry).where(
                SearchEntry.tsv.bool_op("@@")(tsquery)
            )

        if not ranked:
            return source, literal(0.0, Float)
        return source, func.ts_rank_cd(SearchEntry.tsv, tsquery, 1, type_=Float)

    def marked(self, entries: Sequence[SearchEntry], query: Query) -> Marked:
        ids = [entry.id for entry in entries]
        tsquery = self.tsquery(query)
        rows = db.session.execute(
            select(
                SearchEntry.id,
                func.ts_headline(self._config, SearchEntry.title, tsquery, self._options),
                func.ts_headline(self._config, SearchEntry.body, tsquery, self._options),
            ).where(SearchEntry.id.in_(ids))
        )
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


Backend = SqliteBackend | PostgresBackend


def backend() -> Backend:
    """The engine of the database the session talks to."""
    if db.session.get_bind().dialect.name == "postgresql":
        return PostgresBackend()
    return SqliteBackend()

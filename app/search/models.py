"""The search index: one entry per provision and per comment, and each database's full-text
index over it.

An entry holds the text to search and where it came from, never who may see it: a search
joins the live rounds, provisions and comments and filters by visibility there, so hiding a
comment or closing a round takes effect at once, whatever the index holds.

The full-text index proper is the database's, kept in step with `search_entries` by the
database itself:

- SQLite: an FTS5 table `search_fts` over the entries (external content: the text is stored
  once, in `search_entries`), updated by triggers on insert, update and delete. Its rowid is
  the entry's `fts_key`, which starts with the entry's code (`code_key_range`), so that a
  search reads the doclists of its own code only, however many other codes the index holds.
- PostgreSQL: the `tsv` column (the title weighted A, the body D), set by a trigger, with a GIN
  index. On SQLite the column stays empty and its index is an empty partial index (WHERE 0).

The same statements are in the migrations that made the table and keyed it by code
(migrations/versions/20261206_b98fd6c299e3_search_index.py, 20261206_c4d1e7f3a9b2_...).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import db

KINDS = ("provision", "comment")
FTS_TABLE = "search_fts"  # as written in SQLITE_DDL
TEXT_CONFIG = "english"  # PostgreSQL's text search configuration, as in POSTGRESQL_DDL
CODE_SHIFT = 2**44  # fts_key = code id * CODE_SHIFT + (COMMENT_BIT +) provision or comment id
COMMENT_BIT = 2**43

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries', "
    "content_rowid='fts_key', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.fts_key, new.title, new.body); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.fts_key, old.title, old.body); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.fts_key, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.fts_key, new.title, new.body); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION search_entries_tsv() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.tsv := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') "
    "|| setweight(to_tsvector('english', coalesce(NEW.body, '')), 'D'); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER search_entries_tsv BEFORE INSERT OR UPDATE OF title, body "
    "ON search_entries FOR EACH ROW EXECUTE FUNCTION search_entries_tsv()",
)
POSTGRESQL_DROP = ("DROP FUNCTION IF EXISTS search_entries_tsv()",)


def code_key_range(code_id: int) -> tuple[int, int]:
    """The first and last `fts_key` an entry of the code may have."""
    return code_id * CODE_SHIFT, (code_id + 1) * CODE_SHIFT - 1


def include_in_schema(name: str | None, type_: str, parent_names: Any = None) -> bool:
    """False for the FTS5 table and its shadow tables (search_fts_data, _idx, _docsize,
    _config): SQLite's own, made by SQL the models cannot describe. Alembic's schema comparison
    (`include_name`) skips them, so that autogenerate never proposes dropping them."""
    return not (type_ == "table" and bool(name) and
                (name == FTS_TABLE or str(name).startswith(f"{FTS_TABLE}_")))


class SearchEntry(db.Model):  # type: ignore[name-defined]
    """The searchable text of one provision of a round (its heading and text) or of one
    comment (its body and proposed wording)."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("comment_id"),
        Index("ix_search_entries_round_kind", "round_id", "kind"),
        Index("ix_search_entries_fts_key", "fts_key", unique=True),
        Index("ix_search_entries_tsv", "tsv", postgresql_using="gin", sqlite_where=text("0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    provision_id: Mapped[int] = mapped_column(
        ForeignKey("provisions.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The FTS5 rowid (SQLite; filled on both): code id, then kind, then provision or comment id.
    fts_key: Mapped[int | None] = mapped_column(BigInteger)
    tsv: Mapped[Any] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), nullable=True, deferred=True
    )

    def __repr__(self) -> str:
        return f"<SearchEntry {self.kind} provision={self.provision_id} comment={self.comment_id}>"


def _on(when: str, dialect: str, statements: tuple[str, ...]) -> None:
    for statement in statements:
        event.listen(
            SearchEntry.__table__, when, DDL(statement).execute_if(dialect=dialect)
        )


_on("after_create", "sqlite", SQLITE_DDL)
_on("before_drop", "sqlite", SQLITE_DROP)
_on("after_create", "postgresql", POSTGRESQL_DDL)
_on("after_drop", "postgresql", POSTGRESQL_DROP)

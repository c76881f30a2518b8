"""Keeping the search index in step with provisions and comments (flush, never commit).

Each function copies text from the live tables in one INSERT ... SELECT, so the index holds
exactly what the tables hold; the database's own full-text index follows by trigger
(see models.py). Called by the listeners (listeners.py) and `plenary search reindex`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    Text,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
)

from app.core.db import db, one_of
from app.drafting.models import Provision, Round
from app.feedback.models import Comment
from app.search.models import CODE_SHIFT, COMMENT_BIT, SearchEntry

_PROVISION_COLUMNS = ("kind", "round_id", "provision_id", "title", "body", "fts_key")
_COMMENT_COLUMNS = ("kind", "round_id", "provision_id", "comment_id", "title", "body", "fts_key")


def _key(round_id: Any, offset: int, entity_id: Any) -> Any:
    """The entry's fts_key: its round's code first (see models.py), then kind and id."""
    code_id = select(Round.code_id).where(Round.id == round_id).scalar_subquery()
    return code_id * literal(CODE_SHIFT, BigInteger) + literal(offset, BigInteger) + entity_id


def provision_rows(condition: Any) -> Any:
    """SELECT of the entries of the provisions matching `condition`: the heading as readers
    know it ("Measure 1.1: Title", or the title alone) and the plain text."""
    heading = case(
        (and_(Provision.label.is_not(None), Provision.label != ""),
         Provision.label + literal(": ", String) + Provision.title),
        else_=Provision.title,
    )  # fmt: skip
    return select(
        literal("provision", String), Provision.round_id, Provision.id,
        heading, Provision.text, _key(Provision.round_id, 0, Provision.id),
    ).where(condition)  # fmt: skip


def comment_rows(condition: Any) -> Any:
    """SELECT of the entries of the comments matching `condition`: the body, and after a
    blank line the proposed wording where there is one."""
    proposal = case(
        (Comment.proposed_text.is_not(None), literal("\n\n", Text) + Comment.proposed_text),
        else_=literal("", Text),
    )
    return select(
        literal("comment", String), Comment.round_id, Comment.provision_id, Comment.id,
        literal("", Text), Comment.body + proposal,
        _key(Comment.round_id, COMMENT_BIT, Comment.id),
    ).where(condition)  # fmt: skip


def _insert(columns: tuple[str, ...], rows: Any) -> None:
    db.session.execute(insert(SearchEntry).from_select(columns, rows))


def index_round(round_: Round) -> None:
    """Replace the entries of the round's provisions by its provisions as stored now (after an
    import or a re-import)."""
    db.session.execute(
        delete(SearchEntry).where(
            SearchEntry.round_id == round_.id, SearchEntry.kind == "provision"
        )
    )
    _insert(_PROVISION_COLUMNS, provision_rows(Provision.round_id == round_.id))


def index_comment(comment: Comment) -> None:
    """Add a comment's entry, or replace it by the comment's text as stored now. Whether anyone
    may see the comment is not the index's business: searches read that from the comment."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.comment_id == comment.id))
    _insert(_COMMENT_COLUMNS, comment_rows(Comment.id == comment.id))


def index_comments(ids: list[int]) -> None:
    """Add the entries of many new comments (a bulk import's batch: none has one yet) in one
    statement."""
    if ids:
        _insert(_COMMENT_COLUMNS, comment_rows(one_of(Comment.id, ids)))


def reindex() -> tuple[int, int]:
    """Rebuild the whole index from the provisions and comments stored now (for a database
    that predates it, or after a restore); (provisions, comments) indexed."""
    db.session.execute(delete(SearchEntry))
    _insert(_PROVISION_COLUMNS, provision_rows(true()))
    _insert(_COMMENT_COLUMNS, comment_rows(true()))
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    else:  # fresh statistics, or the planner may take the rebuilt table for an empty one
        db.session.execute(text("ANALYZE search_entries"))
    return entry_count("provision"), entry_count("comment")


def entry_count(kind: str | None = None) -> int:
    """How many entries the index holds (of one kind)."""
    statement = select(func.count()).select_from(SearchEntry)
    if kind is not None:
        statement = statement.where(SearchEntry.kind == kind)
    return int(db.session.scalar(statement) or 0)

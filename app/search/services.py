"""Searching the provisions and comments a reader may see, ranked, with snippets.

Visibility is part of the one SQL statement that matches, ranks and pages (never a filter on
rows after a LIMIT): only rounds of the code the reader may see (`can_view_round`, the pages'
own rule), and of comments only those `visibility_clause` allows (the comments API's own
rule): published ones, plus the reader's own, plus every comment on their groups' provisions
for chairs, and everything for the secretariat. Counts and suggestions are made from the same
statement, so no number ever counts a comment the reader may not see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import WorkingGroup
from app.core.db import db
from app.drafting.models import Provision, Round
from app.feedback.models import Comment
from app.feedback.services import visibility_clause
from app.search.backends import Backend, backend
from app.search.models import SearchEntry
from app.search.query import Query, Term
from app.search.snippets import marked_line, snippet

PAGE_SIZE = 20
MAX_PAGE = 100
MAX_OFFSET = 10_000  # deeper than anyone pages; a cursor past it is refused
COUNT_LIMIT = 1_000  # counts stop past it ("more than 1,000"): exact big numbers cost a scan


@dataclass(frozen=True)
class Scope:
    """Where to search: the rounds of a code the reader may see (all, or the one chosen), and
    optionally one working group, one kind (provision or comment) and one stance."""

    rounds: tuple[Round, ...]
    round: Round | None = None
    group: WorkingGroup | None = None
    kind: str | None = None
    stance: str | None = None

    @property
    def searched(self) -> tuple[Round, ...]:
        return (self.round,) if self.round is not None else self.rounds

    @property
    def filtered(self) -> bool:
        """Narrowed by group, kind or stance (the round aside)."""
        return bool(self.group or self.kind or self.stance)

    def but(self, **changes: Any) -> Scope:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Hit:
    kind: str  # provision | comment
    round: Round
    provision: Provision
    comment: Comment | None
    heading: Markup  # the provision's heading, its matches marked for a provision
    snippet: Markup


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int  # all the results, or when not `exact`, a number there are more than
    next_offset: int | None
    exact: bool = True


@dataclass(frozen=True)
class Suggestion:
    """Another search that finds something: in all rounds, in another round, without the
    filters, or without the query's least frequent word (`dropped`)."""

    reason: str  # all_rounds | round | no_filters | everywhere | fewer_words
    query: Query
    scope: Scope
    count: int  # COUNT_LIMIT + 1 means "more than COUNT_LIMIT"
    dropped: Term | None = None


def _matching(
    columns: Callable[[Any], list[Any]], user: Any, scope: Scope, query: Query, engine: Backend,
    *, ranked: bool = True,
) -> Any:
    """SELECT `columns(score)` of the entries matching `query` that `user` may see in `scope`
    (without `ranked`, the score is not computed)."""
    source, score = engine.matching(query, scope.searched[0].code_id, ranked)
    round_ids = [r.id for r in scope.searched]
    # A comment's entry has its comment's round: saying so again lets PostgreSQL read the
    # comments of these rounds (by index) rather than all comments, whatever the others hold.
    statement = (
        source(select(*columns(score)))
        .join(Provision, Provision.id == SearchEntry.provision_id)
        .outerjoin(Comment, and_(Comment.id == SearchEntry.comment_id,
                                 Comment.round_id.in_(round_ids)))
        .where(SearchEntry.round_id.in_(round_ids))
    )  # fmt: skip
    statement = statement.where(or_(SearchEntry.kind == "provision", visibility_clause(user)))
    if scope.group is not None:
        statement = statement.where(Provision.group_id == scope.group.id)
    if scope.kind is not None:
        statement = statement.where(SearchEntry.kind == scope.kind)
    if scope.stance is not None:
        statement = statement.where(SearchEntry.kind == "comment", Comment.stance == scope.stance)
    return statement


def count(user: Any, scope: Scope, query: Query) -> int:
    """How many entries `search` would find in all, up to COUNT_LIMIT; COUNT_LIMIT + 1 for
    more (the database stops there instead of joining every match of a common word)."""
    if not query or not scope.searched:
        return 0
    matching = _matching(
        lambda _: [SearchEntry.id], user, scope, query, backend(), ranked=False
    ).limit(COUNT_LIMIT + 1).subquery()
    return int(db.session.scalar(select(func.count()).select_from(matching)) or 0)


def search(
    user: Any, scope: Scope, query: Query, *, offset: int = 0, limit: int = PAGE_SIZE
) -> Results:
    """One page of what `user` may see matching `query` in `scope`, best first.

    Ties (the same text in several rounds, say) go to the latest round first, then provisions
    before comments, then document order. The total is counted apart (`count`, up to
    COUNT_LIMIT), and only when there is more than one page: a count in the same statement
    would keep the database from stopping once it has the page.
    """
    if not query or not scope.searched:
        return Results([], 0, None)
    engine = backend()
    numbers = {r.id: r.number for r in scope.searched}
    latest_first = case(numbers, value=SearchEntry.round_id, else_=0).desc()

    statement = _matching(lambda score: [SearchEntry.id, score.label("score")], user, scope,
                          query, engine)  # fmt: skip
    statement = statement.order_by(
        statement.selected_columns.score.desc(), latest_first,
        case((SearchEntry.kind == "provision", 0), else_=1), Provision.position, SearchEntry.id,
    ).offset(offset).limit(limit + 1)  # fmt: skip
    ids = list(db.session.scalars(statement))
    more = len(ids) > limit
    ids = ids[:limit]
    if not more and (ids or not offset):  # the last page: all are known
        total, exact = offset + len(ids), True
    else:
        total = count(user, scope, query)
        total, exact = min(total, COUNT_LIMIT), total <= COUNT_LIMIT
    return Results(_hits(ids, scope, query, engine), total, offset + limit if more else None,
                   exact)  # fmt: skip


def _hits(ids: list[int], scope: Scope, query: Query, engine: Backend) -> list[Hit]:
    if not ids:
        return []
    entries = {e.id: e for e in db.session.scalars(
        select(SearchEntry).where(SearchEntry.id.in_(ids)))}  # fmt: skip
    provisions = {p.id: p for p in db.session.scalars(
        select(Provision).options(selectinload(Provision.group))
        .where(Provision.id.in_({e.provision_id for e in entries.values()})))}  # fmt: skip
    comment_ids = {e.comment_id for e in entries.values() if e.comment_id is not None}
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids)))} if comment_ids else {}  # fmt: skip
    rounds = {r.id: r for r in scope.searched}
    marked = engine.marked(list(entries.values()), query)
    hits = []
    for entry_id in ids:
        entry = entries[entry_id]
        provision = provisions[entry.provision_id]
        title, body = marked.get(entry_id, (entry.title, entry.body))
        comment = comments.get(entry.comment_id) if entry.comment_id is not None else None
        heading = marked_line(title) if comment is None else escape(provision.heading)
        hits.append(Hit(entry.kind, rounds[entry.round_id], provision, comment, heading,
                        snippet(body)))  # fmt: skip
    return hits


def suggestions(user: Any, scope: Scope, query: Query) -> list[Suggestion]:
    """Searches that find something when this one found nothing: the same words in all
    rounds and in each other round with results, the same words without the filters (in all
    rounds if not in this one), and the query without its least frequent word. Each with how
    many it would find; none at all means the words are nowhere the reader may look."""
    found: list[Suggestion] = []
    if not query:
        return found
    if scope.round is not None and (n := count(user, scope.but(round=None), query)):
        found.append(Suggestion("all_rounds", query, scope.but(round=None), n))
        for round_ in reversed(scope.rounds):
            if round_.id != scope.round.id and (n := count(user, scope.but(round=round_), query)):
                found.append(Suggestion("round", query, scope.but(round=round_), n))
    if scope.filtered:
        wider = scope.but(group=None, kind=None, stance=None)
        if n := count(user, wider, query):
            found.append(Suggestion("no_filters", query, wider, n))
        elif scope.round is not None and (n := count(user, wider.but(round=None), query)):
            found.append(Suggestion("everywhere", query, wider.but(round=None), n))
    if len(query.terms) > 1:
        frequency = {term: count(user, scope, Query((term,))) for term in query.terms}
        rarest = min(query.terms, key=lambda term: frequency[term])
        fewer = query.without(rarest)
        if n := count(user, scope, fewer):
            found.append(Suggestion("fewer_words", fewer, scope, n, dropped=rarest))
    return found

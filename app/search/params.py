"""Reading a search's parameters, for the page and the API alike:
`?q=&round=&group=&kind=&stance=&cursor=`.

A round the reader may not see (or that does not exist) is NotFound, as everywhere; any other
value that is not one of the choices is BadInput.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import WorkingGroup
from app.core.db import db
from app.core.errors import BadInput, NotFound
from app.core.i18n import N_
from app.drafting.models import Provision, Round
from app.feedback.models import STANCES
from app.search.models import KINDS
from app.search.query import MAX_QUERY, Query, parse_query
from app.search.services import MAX_OFFSET, Scope


@dataclass(frozen=True)
class SearchParams:
    typed: str  # what the reader typed (trimmed, at most MAX_QUERY characters)
    query: Query
    scope: Scope
    offset: int = 0


def groups_of(rounds: Sequence[Round]) -> list[WorkingGroup]:
    """The working groups owning provisions of these rounds, by slug."""
    if not rounds:
        return []
    return list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.id.in_(
            select(Provision.group_id).where(Provision.round_id.in_([r.id for r in rounds]))))
        .order_by(WorkingGroup.slug)))  # fmt: skip


def _choice(args: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    value = args.get(name, "") or ""
    if value and value not in allowed:
        raise BadInput(N_("%(name)s must be one of: %(choices)s."), name=name,
                       choices=", ".join(allowed))
    return value or None


def read_offset(cursor: str | None) -> int:
    """A cursor this API or page gave out (an offset into the results); BadInput otherwise."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit()) or not 0 <= int(cursor) <= MAX_OFFSET:
        raise BadInput(N_("cursor is not one this search gave out."))
    return int(cursor)


def read_params(
    args: Mapping[str, str], rounds: Sequence[Round], groups: Sequence[WorkingGroup]
) -> SearchParams:
    """The search asked for by `args` among the `rounds` the reader may see."""
    typed = " ".join((args.get("q", "") or "").split())[:MAX_QUERY]
    chosen = None
    if number := args.get("round", ""):
        if not (number.isascii() and number.isdigit()):
            raise BadInput(N_("round must be a round number."))
        chosen = next((r for r in rounds if r.number == int(number)), None)
        if chosen is None:
            raise NotFound(N_("There is no such round."))
    group = None
    if slug := _choice(args, "group", [g.slug for g in groups]):
        group = next(g for g in groups if g.slug == slug)
    scope = Scope(tuple(rounds), chosen, group, _choice(args, "kind", KINDS),
                  _choice(args, "stance", STANCES))  # fmt: skip
    return SearchParams(typed, parse_query(typed), scope, read_offset(args.get("cursor")))


def link_args(query: Query | str, scope: Scope, cursor: int | None = None) -> dict[str, str]:
    """The query string of a search (for links to it), empty values left out."""
    values = {
        "q": query if isinstance(query, str) else query.text,
        "round": str(scope.round.number) if scope.round is not None else "",
        "group": scope.group.slug if scope.group is not None else "",
        "kind": scope.kind or "",
        "stance": scope.stance or "",
        "cursor": str(cursor) if cursor else "",
    }
    return {name: value for name, value in values.items() if value}

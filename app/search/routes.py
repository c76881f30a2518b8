"""The search page of a code: `/codes/<code>/search?q=...` (load, check, search, render)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.drafting.services import visible_code
from app.search.forms import SearchForm, stance_label
from app.search.params import groups_of, link_args, read_params
from app.search.query import Query
from app.search.services import COUNT_LIMIT, PAGE_SIZE, Hit, Scope, search, suggestions

bp = Blueprint("search", __name__)


def search_url(code: str, query: Query | str, scope: Scope, cursor: int | None = None) -> str:
    return url_for("search.code_search", code=code, **link_args(query, scope, cursor))


def hit_url(hit: Hit) -> str:
    """The provision's page, at the comment for a comment."""
    url = url_for("drafting.provision", code=hit.round.code.slug, number=hit.round.number,
                  key=hit.provision.key)  # fmt: skip
    return f"{url}#comment-{hit.comment.id}" if hit.comment is not None else url


@bp.route("/codes/<code>/search")
def code_search(code: str) -> ResponseReturnValue:
    code_row, rounds = visible_code(code, current_user)
    groups = groups_of(rounds)
    params = read_params(request.args, rounds, groups)
    results = hints = None
    if params.query:
        results = search(current_user, params.scope, params.query, offset=params.offset)
        if not results.hits and not params.offset:
            hints = suggestions(current_user, params.scope, params.query)
    context: dict[str, Any] = {
        "code": code_row, "rounds": rounds, "params": params, "results": results,
        "hints": hints, "form": SearchForm(request.args, rounds, groups),
        "search_url": search_url, "hit_url": hit_url, "page_size": PAGE_SIZE,
        "count_limit": COUNT_LIMIT, "stance_label": stance_label,
    }  # fmt: skip
    return render_template("search/search.html", **context)

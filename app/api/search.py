"""/api/v1 search: `GET /codes/{code}/search?q=` over the provisions and comments the caller
may see, as the search page shows them (app/search)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue

from app.api.auth import api_user
from app.api.blueprint import bp, limit_arg
from app.api.openapi import document, error_responses, schema
from app.core.errors import BadInput
from app.drafting.services import visible_code
from app.feedback.models import STANCES
from app.search.models import KINDS
from app.search.params import groups_of, read_params
from app.search.services import COUNT_LIMIT, MAX_PAGE, PAGE_SIZE, Hit, search


def _item(hit: Hit) -> dict[str, Any]:
    provision, comment = hit.provision, hit.comment
    url = url_for("drafting.provision", code=hit.round.code.slug, number=hit.round.number,
                  key=provision.key)  # fmt: skip
    item: dict[str, Any] = {
        "kind": hit.kind,
        "round": hit.round.number,
        "key": provision.key,
        "label": provision.label,
        "title": provision.title,
        "group": provision.group.slug if provision.group else None,
        "snippet": str(hit.snippet),
        "url": url if comment is None else f"{url}#comment-{comment.id}",
    }
    if comment is not None:
        item |= {"comment_id": comment.id, "stance": comment.stance,
                 "reply_to": comment.parent_id}  # fmt: skip
    return item


@bp.route("/codes/<code>/search")
def api_search(code: str) -> ResponseReturnValue:
    user = api_user()
    code_row, rounds = visible_code(code, user)
    params = read_params(request.args, rounds, groups_of(rounds))
    if not params.typed:
        raise BadInput("Give the words to search for: ?q=...")
    limit = limit_arg(PAGE_SIZE, MAX_PAGE)
    results = search(user, params.scope, params.query, offset=params.offset, limit=limit)
    return jsonify({
        "code": code_row.slug, "q": params.typed, "terms": [t.shown for t in params.query.terms],
        "items": [_item(hit) for hit in results.hits],
        "total": results.total, "total_exact": results.exact,
        "next": str(results.next_offset) if results.next_offset is not None else None,
    })  # fmt: skip


_HIT = schema("SearchHit", {
    "type": "object",
    "required": ["kind", "round", "key", "label", "title", "snippet", "url"],
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "round": {"type": "integer", "description": "The round's number"},
        "key": {"type": "string", "description": "The provision's key (for a comment: the "
                "provision it is on)"},
        "label": {"type": "string", "nullable": True, "example": "Measure 1.1"},
        "title": {"type": "string"},
        "group": {"type": "string", "nullable": True, "description": "Working-group slug"},
        "snippet": {"type": "string", "description": "HTML: a passage of the text around the "
                    "words found, escaped, each found word in <mark>; \u2026 where text is "
                    "left out"},
        "url": {"type": "string", "description": "The provision's page (at the comment)"},
        "comment_id": {"type": "integer", "description": "Comments only"},
        "stance": {"type": "string", "enum": list(STANCES), "description": "Comments only"},
        "reply_to": {"type": "integer", "nullable": True, "description": "Comments only"},
    },
})  # fmt: skip
_PARAMETERS = [
    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "q", "in": "query", "required": True, "schema": {"type": "string",
     "maxLength": 200}, "description": "Words, all of which must occur; \"a phrase\" in "
     "double quotes must occur as written. Nothing else is syntax."},
    {"name": "round", "in": "query", "schema": {"type": "integer"},
     "description": "Only this round (404 if the caller may not see it)"},
    {"name": "group", "in": "query", "schema": {"type": "string"},
     "description": "Only provisions of this working group (slug) and comments on them"},
    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
    {"name": "stance", "in": "query", "schema": {"type": "string", "enum": list(STANCES)},
     "description": "Only comments of this stance"},
    {"name": "cursor", "in": "query", "schema": {"type": "string"},
     "description": "The `next` of the previous page"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
     "maximum": MAX_PAGE, "default": PAGE_SIZE}},
]  # fmt: skip
document("/codes/{code}/search", "get", {
    "summary": "Search the provisions and comments of a code the caller may see",
    "description": "Ranked best first (bm25 on SQLite, ts_rank_cd on PostgreSQL; on ties the "
    "latest round first). Comments: the published ones, the caller's own, every comment on "
    "their groups' provisions for chairs, all for the secretariat; only in rounds the caller "
    "may see.",
    "operationId": "search", "tags": ["search"], "parameters": _PARAMETERS,
    "responses": {"200": {"description": "One page of results", "content": {
        "application/json": {"schema": {"type": "object", "required": ["items", "next"],
            "properties": {
                "code": {"type": "string"}, "q": {"type": "string"},
                "terms": {"type": "array", "items": {"type": "string"},
                          "description": "The words and phrases searched for"},
                "items": {"type": "array", "items": _HIT},
                "total": {"type": "integer", "description": "Results in all pages, counted "
                          f"up to {COUNT_LIMIT}"},
                "total_exact": {"type": "boolean", "description": "false when there are "
                                "more results than `total`"},
                "next": {"type": "string", "nullable": True,
                         "description": "Pass as ?cursor= for the next page"}}}}}}}
    | error_responses(400, 401, 404),
})  # fmt: skip

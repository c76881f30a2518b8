"""/api/v1 endpoints of the synthesis domain: the synthesis document of CONTRACT §5."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from app.accounts.permissions import account
from app.api.auth import api_user
from app.api.blueprint import bp
from app.api.openapi import document, error_responses, schema
from app.core.access import check
from app.core.errors import NotAllowed, NotFound, Unauthorised
from app.drafting.services import get_round
from app.synthesis import services
from app.synthesis.export import synthesis_document
from app.synthesis.permissions import can_synthesise_scope


@bp.route("/codes/<code>/rounds/<int:n>/synthesis")
def synthesis(code: str, n: int) -> ResponseReturnValue:
    user = api_user()
    round_ = get_round(code, n, user)
    if account(user) is None:
        raise Unauthorised("A token of a chair or of the secretariat is needed.")
    provision = request.args.get("provision") or None
    group = request.args.get("group") or None
    scope = services.resolve_scope(round_, provision=provision, group=group)
    check(can_synthesise_scope(user, round_, services.scope_group_id(scope),
                               scope.kind == "round"),
          NotAllowed("Only the chairs of that working group and the secretariat may read "
                     "its synthesis."))
    run = services.latest_run(round_, provision=provision, group=group)
    if run is None:
        raise NotFound("No synthesis has been run for that scope yet.")
    return jsonify(synthesis_document(services.load_run(run)))


_ids = {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}
_counts = {"type": "object", "additionalProperties": {"type": "integer"}}
_theme = schema("SynthesisTheme", {
    "type": "object",
    "required": ["id", "label", "keywords", "size", "comments", "representatives",
                 "by_category", "by_stance"],
    "properties": {
        "id": {"type": "integer", "description": "The theme's identity, stable across re-runs"},
        "label": {"type": "string", "description": "The chairs' title, else the generated one"},
        "summary": {"type": "string", "description": "One or two of its most central sentences"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "size": {"type": "integer"}, "comments": _ids, "representatives": _ids,
        "by_category": _counts, "by_stance": _counts,
        "not_relevant": {"type": "boolean", "description": "Present when chairs dismissed it"},
    },
})
_document = schema("Synthesis", {
    "type": "object",
    "required": ["code", "round", "scope", "model", "created_at", "comment_count", "themes",
                 "duplicate_groups", "unassigned"],
    "properties": {
        "code": {"type": "string"}, "round": {"type": "integer"},
        "scope": {"type": "object", "properties": {
            "provision": {"type": "string", "nullable": True},
            "group": {"type": "string", "nullable": True}}},
        "model": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "comment_count": {"type": "integer"},
        "themes": {"type": "array", "items": _theme},
        "duplicate_groups": {"type": "array", "items": {"type": "object", "properties": {
            "canonical": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "members": _ids}}},
        "unassigned": _ids,
    },
})
document("/codes/{code}/rounds/{n}/synthesis", "get", {
    "summary": "The latest synthesis of a scope (CONTRACT §4)",
    "description": "Themes, campaigns and unassigned comments of the newest finished run of a "
                   "provision (`provision`), a working group (`group`) or the whole round "
                   "(neither). Every comment in scope appears exactly once, named by its "
                   "external id or else its numeric id. For the chairs and vice-chairs of the "
                   "scope's working group and the secretariat; the whole round is the "
                   "secretariat's.",
    "operationId": "getSynthesis",
    "tags": ["synthesis"],
    "parameters": [
        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "provision", "in": "query", "schema": {"type": "string"},
         "description": "Key of a provision of the round"},
        {"name": "group", "in": "query", "schema": {"type": "string"},
         "description": "Slug of a working group"},
    ],
    "responses": {"200": {"description": "The synthesis document",
                          "content": {"application/json": {"schema": _document}}},
                  **error_responses(400, 401, 403, 404)},
})

"""/api/v1 endpoints of the drafting domain: codes, rounds, the provision tree, a provision.

Same visibility as the pages: a round the caller may not see is 404, and a code none of whose
rounds the caller may see does not exist for them.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.api.auth import api_user
from app.api.blueprint import bp
from app.api.openapi import document, error_responses, schema
from app.core.db import db
from app.core.errors import BadInput
from app.drafting.models import Code, Provision, Round
from app.drafting.services import (
    get_provision,
    get_round,
    lineage_document,
    round_provisions,
    visible_code,
    visible_rounds,
)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def round_json(round_: Round) -> dict[str, Any]:
    return {
        "number": round_.number,
        "name": round_.name,
        "date": _iso(round_.date),
        "final": round_.final,
        "visibility": round_.visibility,
        "levels": list(round_.levels or []),
        "consultation": {
            "opens": _iso(round_.opens_at),
            "closes": _iso(round_.closes_at),
            "status": round_.consultation_status(),
        },
    }


def provision_json(provision: Provision, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": provision.key,
        "kind": provision.kind,
        "label": provision.label,
        "number": provision.number,
        "title": provision.title,
        "group": provision.group.slug if provision.group else None,
        "body": provision.body,
    }
    if full:
        data |= {
            "html": provision.body_html,
            "text": provision.text,
            "parent": provision.parent.key if provision.parent else None,
            "position": provision.position,
            "round": provision.round.number,
            "code": provision.round.code.slug,
        }
    return data


@bp.route("/codes")
def api_codes() -> ResponseReturnValue:
    items = []
    for code in db.session.scalars(select(Code).order_by(Code.title)):
        rounds = visible_rounds(code, api_user())
        if rounds:
            items.append({"slug": code.slug, "title": code.title,
                          "rounds": [r.number for r in rounds]})  # fmt: skip
    return jsonify({"items": items})


@bp.route("/codes/<code>/rounds")
def api_rounds(code: str) -> ResponseReturnValue:
    code_row, rounds = visible_code(code, api_user())
    return jsonify({"code": code_row.slug, "items": [round_json(r) for r in rounds]})


@bp.route("/codes/<code>/rounds/<int:n>/provisions")
def api_provision_tree(code: str, n: int) -> ResponseReturnValue:
    round_ = get_round(code, n, api_user())
    provisions = round_provisions(round_)
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for provision in provisions:
        node = provision_json(provision) | {"children": []}
        nodes[provision.id] = node
        parent = nodes.get(provision.parent_id) if provision.parent_id else None
        (parent["children"] if parent is not None else roots).append(node)
    return jsonify({"code": code, "round": round_json(round_), "provisions": roots})


@bp.route("/codes/<code>/rounds/<int:n>/provisions/<key>")
def api_provision(code: str, n: int, key: str) -> ResponseReturnValue:
    provision = get_provision(get_round(code, n, api_user()), key)
    return jsonify(provision_json(provision, full=True))


@bp.route("/codes/<code>/lineage")
def api_lineage(code: str) -> ResponseReturnValue:
    """How each provision of round `from` became provisions of round `to` (CONTRACT §4), with
    the engine's confidence on every link; both rounds must be visible to the caller."""
    code_row, _ = visible_code(code, api_user())
    try:
        from_n, to_n = int(request.args.get("from", "")), int(request.args.get("to", ""))
    except ValueError:
        raise BadInput("Give two round numbers, as from=N and to=M.") from None
    for number in (from_n, to_n):  # both visible, else 404 (never a hint of the other)
        get_round(code_row, number, api_user())
    return jsonify(lineage_document(code_row, from_n, to_n))


_ROUND = schema("Round", {
    "type": "object",
    "required": ["number", "name", "final", "visibility", "consultation"],
    "properties": {
        "number": {"type": "integer"}, "name": {"type": "string"},
        "date": {"type": "string", "format": "date", "nullable": True},
        "final": {"type": "boolean"},
        "visibility": {"type": "string", "enum": ["internal", "plenary", "public"]},
        "levels": {"type": "array", "items": {"type": "string"}},
        "consultation": {"type": "object", "properties": {
            "opens": {"type": "string", "format": "date-time", "nullable": True},
            "closes": {"type": "string", "format": "date-time", "nullable": True},
            "status": {"type": "string", "enum": ["none", "upcoming", "open", "closed"]}}},
    },
})  # fmt: skip
_PROVISION_PROPERTIES = {
    "key": {"type": "string", "description": "Stable across rounds"},
    "kind": {"type": "string", "description": "From the round's levels: chapter, measure ..."},
    "label": {"type": "string", "nullable": True, "example": "Measure 1.1"},
    "number": {"type": "string", "nullable": True, "example": "1.1"},
    "title": {"type": "string"},
    "group": {"type": "string", "nullable": True, "description": "Working-group slug"},
    "body": {"type": "string", "description": "Markdown"},
}
_NODE = schema("ProvisionNode", {
    "type": "object", "required": ["key", "kind", "title", "children"],
    "properties": _PROVISION_PROPERTIES | {
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/ProvisionNode"}}},
})  # fmt: skip
_PROVISION = schema("Provision", {
    "type": "object", "required": ["key", "kind", "title", "html", "text", "round", "code"],
    "properties": _PROVISION_PROPERTIES | {
        "html": {"type": "string", "description": "Rendered, sanitised body"},
        "text": {"type": "string", "description": "Plain text of html (what anchors count in)"},
        "parent": {"type": "string", "nullable": True}, "position": {"type": "integer"},
        "round": {"type": "integer"}, "code": {"type": "string"}},
})  # fmt: skip
_CODE_PARAM = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
_ROUND_PARAM = {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}
_KEY_PARAM = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}


def _ok(description: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": body}}}}


document("/codes", "get", {
    "summary": "The codes with at least one round the caller may see", "operationId": "listCodes",
    "tags": ["drafting"],
    "responses": _ok("Codes", {"type": "object", "properties": {"items": {"type": "array",
        "items": {"type": "object", "properties": {
            "slug": {"type": "string"}, "title": {"type": "string"},
            "rounds": {"type": "array", "items": {"type": "integer"}}}}}}})
    | error_responses(401),
})  # fmt: skip
document("/codes/{code}/rounds", "get", {
    "summary": "The rounds of a code the caller may see", "operationId": "listRounds",
    "tags": ["drafting"], "parameters": [_CODE_PARAM],
    "responses": _ok("Rounds", {"type": "object", "properties": {
        "code": {"type": "string"}, "items": {"type": "array", "items": _ROUND}}})
    | error_responses(401, 404),
})  # fmt: skip
document("/codes/{code}/rounds/{n}/provisions", "get", {
    "summary": "The provisions of a round as a tree (children nested)",
    "operationId": "provisionTree", "tags": ["drafting"],
    "parameters": [_CODE_PARAM, _ROUND_PARAM],
    "responses": _ok("The tree", {"type": "object", "properties": {
        "code": {"type": "string"}, "round": _ROUND,
        "provisions": {"type": "array", "items": _NODE}}})
    | error_responses(401, 404),
})  # fmt: skip
document("/codes/{code}/rounds/{n}/provisions/{key}", "get", {
    "summary": "One provision of a round", "operationId": "getProvision", "tags": ["drafting"],
    "parameters": [_CODE_PARAM, _ROUND_PARAM, _KEY_PARAM],
    "responses": _ok("The provision", _PROVISION) | error_responses(401, 404),
})  # fmt: skip

_LINK = schema("LineageLink", {
    "type": "object", "required": ["from", "to", "kind", "similarity", "confidence"],
    "properties": {
        "from": {"type": "string", "description": "Key in the earlier round"},
        "to": {"type": "array", "items": {"type": "string"}},
        "kind": {"type": "string", "enum": ["unchanged", "modified", "moved", "split", "merged",
                                            "removed"]},
        "similarity": {"type": "number"},
        "confidence": {"type": "number", "description": "How sure the engine was (0..1); "
                       "corrected or confirmed links are 1; across rounds, the least sure link"},
        "from_label": {"type": "string", "nullable": True},
        "to_labels": {"type": "array", "items": {"type": "string"}}},
})  # fmt: skip
document("/codes/{code}/lineage", "get", {
    "summary": "How each provision of one round became provisions of a later one (CONTRACT §4)",
    "operationId": "getLineage", "tags": ["drafting"],
    "parameters": [_CODE_PARAM,
                   {"name": "from", "in": "query", "required": True,
                    "schema": {"type": "integer"}},
                   {"name": "to", "in": "query", "required": True,
                    "schema": {"type": "integer"}}],
    "responses": _ok("The lineage", {"type": "object", "properties": {
        "code": {"type": "string"}, "from": {"type": "integer"}, "to": {"type": "integer"},
        "links": {"type": "array", "items": _LINK},
        "added": {"type": "array", "items": {"type": "string"}},
        "added_labels": {"type": "array", "items": {"type": "string"}}}})
    | error_responses(400, 401, 404),
})  # fmt: skip

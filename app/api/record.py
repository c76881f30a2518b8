"""/api/v1 endpoints of the record: the transparency log and its proofs (CONTRACT §8), and the
Akoma Ntoso export of a round (CONTRACT §9).

The log is public: every leaf, head, key and proof, to anyone (leaves hold no private text and
no salt). The Akoma Ntoso export has the round's own visibility: a round the caller may not
see is 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from app.api.auth import api_user
from app.api.blueprint import bp
from app.api.openapi import document, error_responses, schema
from app.core.errors import BadInput
from app.drafting.services import get_round
from app.record import services
from app.record.akn import MEDIA_TYPE, round_document


def _int_arg(name: str, default: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is None:
            raise BadInput(f"{name} is required.")
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadInput(f"{name} must be a whole number, not {raw!r}.") from None


@bp.route("/log")
def log_head() -> ResponseReturnValue:
    return jsonify(services.signed_head())


@bp.route("/log/key")
def log_key() -> ResponseReturnValue:
    return jsonify(services.keys())


@bp.route("/log/entries")
def log_entries() -> ResponseReturnValue:
    start = _int_arg("start", 0)
    end = request.args.get("end")
    found = services.entries(start, _int_arg("end") if end not in (None, "") else None)
    return jsonify({
        "start": start, "end": start + len(found), "tree_size": services.tree_size(),
        "entries": [{"leaf_index": e.leaf_index, "leaf": e.leaf, "leaf_hash": e.leaf_hash}
                    for e in found],
    })  # fmt: skip


@bp.route("/log/proof/inclusion")
def log_inclusion() -> ResponseReturnValue:
    leaf_index = _int_arg("leaf_index")
    size = _int_arg("tree_size", services.tree_size())
    leaf_hash, path = services.inclusion(leaf_index, size)
    return jsonify({"leaf_index": leaf_index, "tree_size": size, "leaf_hash": leaf_hash,
                    "audit_path": path})  # fmt: skip


@bp.route("/log/proof/consistency")
def log_consistency() -> ResponseReturnValue:
    first = _int_arg("first")
    second = _int_arg("second", services.tree_size())
    path = services.consistency_proof(first, second)
    return jsonify({"first": first, "second": second, "consistency_path": path})


@bp.route("/codes/<code>/rounds/<int:n>/akn.xml")
def round_akn(code: str, n: int) -> ResponseReturnValue:
    round_ = get_round(code, n, api_user())
    response = Response(round_document(round_), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{code}-round-{n}.akn.xml"'
    return response


# -- the OpenAPI description ------------------------------------------------------------------

_HEX = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_HEAD = schema("SignedTreeHead", {
    "type": "object", "required": ["tree_size", "root_hash", "timestamp", "key_id", "signature"],
    "description": "Ed25519 signature (base64) over the canonical JSON of the other four fields",
    "properties": {"tree_size": {"type": "integer"}, "root_hash": _HEX,
                   "timestamp": {"type": "string", "format": "date-time"},
                   "key_id": {"type": "string"}, "signature": {"type": "string"}},
})  # fmt: skip
_KEY_PROPS = {
    "key_id": {"type": "string"},
    "algorithm": {"type": "string", "enum": ["ed25519"]},
    "public_key": {"type": "string", "description": "base64 of the raw 32 bytes"},
}
_KEYS = schema("LogKeys", {
    "type": "object", "required": ["key_id", "public_key", "algorithm", "previous"],
    "properties": _KEY_PROPS | {"previous": {"type": "array", "items": {
        "type": "object", "properties": _KEY_PROPS | {
            "first_used_at": {"type": "string", "format": "date-time"},
            "retired_at": {"type": "string", "format": "date-time", "nullable": True}}}}},
})  # fmt: skip
_ENTRIES = schema("LogEntries", {
    "type": "object", "required": ["start", "end", "tree_size", "entries"],
    "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
                   "tree_size": {"type": "integer"},
                   "entries": {"type": "array", "items": {"type": "object", "properties": {
                       "leaf_index": {"type": "integer"},
                       "leaf": {"type": "string", "description": "The canonical JSON hashed"},
                       "leaf_hash": _HEX}}}},
})  # fmt: skip
_PATH = {"type": "array", "items": _HEX}


def _int_param(name: str, description: str, required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "integer", "minimum": 0}}  # fmt: skip


def _ok(description: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": body}}}}


document("/log", "get", {
    "summary": "The latest signed tree head of the transparency log", "operationId": "logHead",
    "tags": ["record"], "responses": _ok("The signed tree head", _HEAD),
})  # fmt: skip
document("/log/key", "get", {
    "summary": "The log's current public key and the keys it used before",
    "operationId": "logKey", "tags": ["record"], "responses": _ok("Keys", _KEYS),
})  # fmt: skip
document("/log/entries", "get", {
    "summary": f"Leaves start <= i < end (at most {services.PAGE_LIMIT} a page)",
    "operationId": "logEntries", "tags": ["record"],
    "parameters": [_int_param("start", "First leaf index (default 0)", False),
                   _int_param("end", "One past the last leaf index (default: a full page)",
                              False)],
    "responses": _ok("Leaves", _ENTRIES) | error_responses(400),
})  # fmt: skip
document("/log/proof/inclusion", "get", {
    "summary": "Audit path of a leaf in a tree of a given size (RFC 9162 §2.1.3)",
    "operationId": "logInclusionProof", "tags": ["record"],
    "parameters": [_int_param("leaf_index", "The leaf"),
                   _int_param("tree_size", "The tree (default: the current size)", False)],
    "responses": _ok("The proof", {"type": "object", "properties": {
        "leaf_index": {"type": "integer"}, "tree_size": {"type": "integer"},
        "leaf_hash": _HEX, "audit_path": _PATH}}) | error_responses(400),
})  # fmt: skip
document("/log/proof/consistency", "get", {
    "summary": "Consistency path between two tree sizes (RFC 9162 §2.1.4)",
    "operationId": "logConsistencyProof", "tags": ["record"],
    "parameters": [_int_param("first", "The earlier size (at least 1)"),
                   _int_param("second", "The later size (default: the current size)", False)],
    "responses": _ok("The proof", {"type": "object", "properties": {
        "first": {"type": "integer"}, "second": {"type": "integer"},
        "consistency_path": _PATH}}) | error_responses(400),
})  # fmt: skip
document("/codes/{code}/rounds/{n}/akn.xml", "get", {
    "summary": "The round as an Akoma Ntoso 3.0 document", "operationId": "roundAkomaNtoso",
    "tags": ["record"],
    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                   {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "Akoma Ntoso XML (validates against akomantoso30.xsd)",
                          "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}}
    | error_responses(401, 404),
})  # fmt: skip
schema("Receipt", {
    "type": "object", "nullable": True,
    "required": ["leaf_index", "leaf_hash", "salt", "leaf", "comment", "sth"],
    "description": "What the author keeps to prove later that the log holds this comment: the "
                   "leaf, its salt and the canonical form it commits to (docs/record.md), and "
                   "the signed head of the tree that first included it",
    "properties": {"leaf_index": {"type": "integer"}, "leaf_hash": _HEX,
                   "salt": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                   "leaf": {"type": "string"}, "comment": {"type": "object"}, "sth": _HEAD},
})  # fmt: skip

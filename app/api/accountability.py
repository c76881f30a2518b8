"""/api/v1 endpoints of "you said, we did" (CONTRACT §7): the chairs' decision on a proposed
wording, and a round's register of published answers as JSON and CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.typing import ResponseReturnValue

from app.api.auth import api_user
from app.api.blueprint import bp, cursor_arg, json_body, limit_arg
from app.api.openapi import document, error_responses, schema
from app.core.access import check
from app.core.db import db
from app.core.errors import NotAllowed, NotFound, Unauthorised
from app.drafting.permissions import can_view_round
from app.drafting.services import get_round
from app.feedback.annotations import comment_json
from app.feedback.carry import comment_status, latest_carries
from app.feedback.decisions import decide_proposal
from app.feedback.models import DECISION_REASON_LIMIT, DECISIONS, Comment
from app.feedback.permissions import can_decide, can_read_all, can_view_comment
from app.synthesis.models import OUTCOMES
from app.synthesis.permissions import can_view_register
from app.synthesis.register import CSV_COLUMNS, register_csv, register_items

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


@bp.route("/comments/<int:comment_id>/decision", methods=["PUT"])
def put_decision(comment_id: int) -> ResponseReturnValue:
    """Decide on a comment's proposed wording; 200 with the comment, carrying its decision."""
    user = api_user()
    if user is None:
        raise Unauthorised("Deciding needs a token of a chair or of the secretariat.")
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_view_comment(user, comment):
        raise NotFound("There is no such comment, or you may not see it.")
    check(can_decide(user, comment),
          NotAllowed("Only the chairs of the provision's working group and the secretariat "
                     "decide on its proposed wording."))
    data = json_body()
    decide_proposal(comment, data.get("decision"), data.get("reason"), actor=user)
    db.session.commit()
    carry = latest_carries([comment], can_see=lambda r: can_view_round(user, r)).get(comment.id)
    return jsonify(comment_json(comment, comment_status(comment, carry), carry,
                                show_author=can_read_all(user, comment)))


def _register(code: str, n: int) -> list[Any]:
    user = api_user()
    round_ = get_round(code, n, user)
    if not can_view_register(user, round_):
        return []  # published once the window has closed: until then, nothing to list
    return register_items(round_, user)


@bp.route("/codes/<code>/rounds/<int:n>/register")
def round_register(code: str, n: int) -> ResponseReturnValue:
    items = _register(code, n)
    limit = limit_arg(DEFAULT_LIMIT, MAX_LIMIT)
    after = cursor_arg()
    ordered = sorted(items, key=lambda item: item.answer.identity_id)
    if after is not None:
        ordered = [item for item in ordered if item.answer.identity_id > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return jsonify({"items": [item.json() for item in page],
                    "next": str(page[-1].answer.identity_id) if more and page else None})


@bp.route("/codes/<code>/rounds/<int:n>/register.csv")
def round_register_csv(code: str, n: int) -> ResponseReturnValue:
    items = sorted(_register(code, n), key=lambda item: item.answer.identity_id)
    name = f"{code}-round{n}-register.csv"
    return Response(register_csv(items), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


_DECISION = schema("DecisionInput", {
    "type": "object",
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": list(DECISIONS)},
        "reason": {"type": "string", "maxLength": DECISION_REASON_LIMIT,
                   "description": "Required (non-empty) for partly_accepted and not_taken_up"},
    },
})
_count = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<5"]}],
          "description": "Exact for the secretariat and the chairs of the theme's group; "
                         "others see counts from 1 to 4 as \"<5\""}
_ITEM = schema("RegisterItem", {
    "type": "object",
    "required": ["id", "title", "outcome", "answer", "comments", "provisions"],
    "properties": {
        "id": {"type": "integer", "description": "The theme, stable across re-runs"},
        "scope": {"type": "string"}, "title": {"type": "string"},
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "answer": {"type": "string"}, "comments": _count,
        "campaigns": {"type": "integer"}, "campaign_letters": _count,
        "individual_comments": _count,
        "by_category": {"type": "object", "additionalProperties": _count,
                        "description": "Comments by stakeholder category; for readers other "
                        "than the group's chairs and the secretariat the categories under 5 "
                        "are merged into `smaller_groups` (their sum, or \"<5\")"},
        "proposals": {"type": "object", "description": "The theme's comments with proposed "
                      "wording, by the chairs' decision (accepted, partly_accepted, "
                      "not_taken_up, undecided)", "additionalProperties": _count},
        "answered_at": {"type": "string", "format": "date-time"},
        "current": {"type": "boolean", "description": "False when the latest synthesis no "
                    "longer has this theme: its figures are the last it had"},
        "merged_into": {"type": "string", "nullable": True,
                        "description": "Title of the theme the chairs merged it into"},
        "provisions": {"type": "array", "description": "Provisions of round N+1 it links to "
                       "(those the caller may see)", "items": {"type": "object", "properties": {
                           "key": {"type": "string"}, "label": {"type": "string"},
                           "round": {"type": "integer"},
                           "compare_anchor": {"type": "string", "nullable": True}}}},
    },
})
_PARAMS = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
           {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}]
document("/comments/{id}/decision", "put", {
    "summary": "Decide on a comment's proposed wording (CONTRACT §7)",
    "description": "For the chairs and vice-chairs of the provision's working group and the "
                   "secretariat, once the round's consultation has closed (409 while it is "
                   "open). 400 for a comment without proposed wording, an unknown decision or "
                   "a missing reason; 403 for others who may see the comment; 404 for an "
                   "unknown comment or one the caller may not see. The decision replaces any "
                   "earlier one; every decision is audit-logged and its author notified.",
    "operationId": "putDecision", "tags": ["feedback"], "security": [{"bearer": []}],
    "parameters": [{"name": "id", "in": "path", "required": True,
                    "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _DECISION}}},
    "responses": {"200": {"description": "The comment, with `decision`, `decision_reason` and "
                                         "`decided_at`",
                          "content": {"application/json": {
                              "schema": {"$ref": "#/components/schemas/Comment"}}}},
                  **error_responses(400, 401, 403, 404, 409, 415)},
})
document("/codes/{code}/rounds/{n}/register", "get", {
    "summary": "The register of round N: its published answers (CONTRACT §7)",
    "description": "Each published answer to a theme of round N, with its title, outcome, "
                   "answer, comment count and the provisions of round N+1 it links to, oldest "
                   "theme first. Empty until the round's consultation has closed. A published "
                   "answer stays even when a re-run, merge or split no longer shows its theme.",
    "operationId": "getRegister", "tags": ["synthesis"],
    "parameters": [*_PARAMS,
                   {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                   {"name": "limit", "in": "query", "schema": {
                       "type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                       "default": DEFAULT_LIMIT}}],
    "responses": {"200": {"description": "A page of answers", "content": {"application/json": {
        "schema": {"type": "object", "required": ["items", "next"], "properties": {
            "items": {"type": "array", "items": _ITEM},
            "next": {"type": "string", "nullable": True,
                     "description": "Pass as ?cursor= for the next page"}}}}}},
                  **error_responses(400, 401, 404)},
})
document("/codes/{code}/rounds/{n}/register.csv", "get", {
    "summary": "The register of round N as CSV",
    "description": "The same answers as the JSON register, one row each; columns: "
                   + ", ".join(CSV_COLUMNS) + ". Cells a spreadsheet would run as a formula "
                   "start with a quote.",
    "operationId": "getRegisterCsv", "tags": ["synthesis"], "parameters": _PARAMS,
    "responses": {"200": {"description": "CSV", "content": {"text/csv": {
        "schema": {"type": "string"}}}}, **error_responses(401, 404)},
})

"""/api/v1 endpoints of the diffing domain: the word diff between two rounds (CONTRACT §5)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from app.api.auth import api_user
from app.api.blueprint import bp
from app.api.openapi import document, error_responses, schema
from app.core.errors import BadInput, NotFound
from app.diffing import services
from app.drafting.services import get_code
from app.feedback.accountability import MINIMUM_COUNT, PROPOSAL_KEYS, SMALL
from app.feedback.models import STANCES
from app.synthesis.models import OUTCOMES
from app.synthesis.why import comparison_feedback


@bp.route("/codes/<code>/diff")
def code_diff(code: str) -> ResponseReturnValue:
    """One entry per lineage pairing between two rounds the caller may see.

    400 for missing or equal round numbers and for `from` after `to` (this API never swaps);
    404 for an unknown code, a round that does not exist or is not visible, or a provision key
    that is in neither round.
    """
    code_row = get_code(code)
    from_n, to_n = services.parse_round_numbers(request.args.get("from"), request.args.get("to"))
    from_round, to_round = services.rounds_to_compare(code_row, from_n, to_n, api_user())
    if from_n > to_n:
        raise BadInput(
            f"from ({from_n}) must be an earlier round than to ({to_n}); "
            f"ask for from={to_n}&to={from_n}."
        )
    key = request.args.get("provision") or None
    comparison = services.compare(from_round, to_round, provision_key=key)
    if key is not None and not comparison.entries:
        raise NotFound(f"No provision with key {key!r} in round {from_n} or round {to_n}.")
    notes = comparison_feedback(comparison, api_user())
    return jsonify(_document(code_row.slug, comparison, notes))


def _document(slug: str, comparison: services.Comparison, notes: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": slug,
        "from": comparison.from_round.number,
        "to": comparison.to_round.number,
        "provisions": [
            {
                "from": entry.from_key,
                "to": entry.to_key,
                "kind": entry.kind,
                "from_label": entry.from_label,
                "to_label": entry.to_label,
                "ops": entry.diff.ops,  # pairs: JSON arrays
                "words_inserted": entry.diff.words_inserted,
                "words_deleted": entry.diff.words_deleted,
                "feedback": notes[entry.anchor].json(),
            }
            for entry in comparison.entries
        ],
        "summary": comparison.summary,
        "words_inserted": comparison.words_inserted,
        "words_deleted": comparison.words_deleted,
    }


_KIND = {"type": "string", "enum": list(services.KINDS)}
_COUNT = {
    "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": [SMALL]}],
    "description": f"Exact for the chairs of the provision's group and the secretariat; "
    f"for others a count from 1 to {MINIMUM_COUNT - 1} is {SMALL!r}",
}
_FEEDBACK = schema(
    "EntryFeedback",
    {
        "type": "object",
        "nullable": True,
        "description": "What the earlier version received and what became of it (CONTRACT "
        "§7): counts of the top-level comments on it (neither withdrawn nor hidden), by "
        "stance and, for those with proposed wording, by the chairs' decision; and the "
        "published answers to themes holding its comments or linked to the later version. "
        "null for readers other than the group's chairs and the secretariat while the "
        "earlier round's consultation is open or upcoming.",
        "required": ["comments", "by_stance", "themes", "proposals"],
        "properties": {
            "comments": _COUNT,
            "by_stance": {"type": "object", "properties": {s: _COUNT for s in STANCES}},
            "themes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "outcome", "answer", "comments"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "outcome": {"type": "string", "enum": list(OUTCOMES)},
                        "answer": {"type": "string"},
                        "comments": {**_COUNT, "description": "The theme's size"},
                    },
                },
            },
            "proposals": {
                "type": "object",
                "properties": {k: _COUNT for k in PROPOSAL_KEYS},
            },
        },
    },
)
_ENTRY = schema(
    "DiffEntry",
    {
        "type": "object",
        "required": [
            "from",
            "to",
            "kind",
            "from_label",
            "to_label",
            "ops",
            "words_inserted",
            "words_deleted",
            "feedback",
        ],
        "properties": {
            "from": {
                "type": "string",
                "nullable": True,
                "description": "Key in the earlier round; null for an added provision",
            },
            "to": {
                "type": "string",
                "nullable": True,
                "description": "Key in the later round; null for a removed provision",
            },
            "kind": _KIND,
            "from_label": {"type": "string", "nullable": True},
            "to_label": {"type": "string", "nullable": True},
            "ops": {
                "type": "array",
                "description": "equal+delete texts concatenate to the old body, "
                "equal+insert texts to the new body",
                "items": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 2,
                    "items": {"type": "string"},
                    "example": ["insert", "maintain "],
                },
            },
            "words_inserted": {"type": "integer", "minimum": 0},
            "words_deleted": {"type": "integer", "minimum": 0},
            "feedback": _FEEDBACK,
        },
    },
)
_DIFF = schema(
    "Diff",
    {
        "type": "object",
        "required": ["code", "from", "to", "provisions", "summary"],
        "properties": {
            "code": {"type": "string"},
            "from": {"type": "integer"},
            "to": {"type": "integer"},
            "provisions": {
                "type": "array",
                "items": _ENTRY,
                "description": "One entry per lineage pairing: a split gives one per "
                "new provision, a merge one per old provision",
            },
            "summary": {
                "type": "object",
                "description": "Lineage links by kind (a split counts once) and added provisions",
                "properties": {kind: {"type": "integer"} for kind in services.KINDS},
            },
            "words_inserted": {"type": "integer"},
            "words_deleted": {"type": "integer"},
        },
    },
)

document(
    "/codes/{code}/diff",
    "get",
    {
        "summary": "Word diff of every provision between two rounds",
        "description": "Follows lineage through the rounds in between. Only rounds the caller "
        "may see are compared; another round is 404. `from` must come before "
        "`to` (400 otherwise).",
        "operationId": "codeDiff",
        "tags": ["diffing"],
        "parameters": [
            {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "from",
                "in": "query",
                "required": True,
                "schema": {"type": "integer"},
                "description": "The earlier round's number",
            },
            {
                "name": "to",
                "in": "query",
                "required": True,
                "schema": {"type": "integer"},
                "description": "The later round's number",
            },
            {
                "name": "provision",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Only the entries whose old or new key is this",
            },
        ],
        "responses": {
            "200": {"description": "The diff", "content": {"application/json": {"schema": _DIFF}}},
            **error_responses(400, 401, 404),
        },
    },
)

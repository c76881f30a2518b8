"""/api/v1 endpoints of the feedback domain: comments and W3C Web Annotations (CONTRACT §5)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask.typing import ResponseReturnValue

from app.accounts.limits import account_key
from app.api.auth import api_user
from app.api.blueprint import bp, cursor_arg, json_body, limit_arg
from app.api.openapi import document, error_responses, schema
from app.core.access import check
from app.core.db import db
from app.core.errors import BadInput, NotAllowed, NotFound, Unauthorised
from app.core.extensions import limiter
from app.core.urls import absolute
from app.drafting.models import Provision
from app.drafting.permissions import can_view_round
from app.drafting.services import find_provision, get_round
from app.feedback import services
from app.feedback.annotations import ANNO_MEDIA_TYPE, annotation, annotation_page, comment_json
from app.feedback.carry import comment_status, latest_carries
from app.feedback.models import BODY_LIMIT, POST_LIMIT, PROPOSAL_LIMIT, STANCES, Comment
from app.feedback.permissions import can_moderate, can_read_all, can_view_comment
from app.record.events import receipt_for

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_CURSOR = 2**31 - 1  # cursors are comment ids (32-bit)
COMMENTS_PATH = "/codes/{code}/rounds/{n}/provisions/{key}/comments"


def _provision(code: str, number: int, key: str) -> Provision:
    """A provision (by key or number label) of a round the caller may see; NotFound else."""
    provision = find_provision(get_round(code, number, api_user()), key)
    if provision is None:
        raise NotFound(f"There is no provision {key!r} in this round.")
    return provision


def _items(comments: list[Comment]) -> list[dict[str, Any]]:
    user = api_user()
    # Carries into rounds the caller may not see are left out: they would name those rounds.
    carries = latest_carries(comments, can_see=lambda round_: can_view_round(user, round_))
    return [
        comment_json(
            c,
            comment_status(c, carries.get(c.id)),
            carries.get(c.id),
            show_author=can_read_all(user, c),
        )
        for c in comments
    ]


def _json(data: Any, status: int = 200, content_type: str = "application/json") -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type=content_type)


def _check_quote(quote: dict[str, Any]) -> None:
    """A quote object's values of the wrong type are refused, not dropped."""
    if not isinstance(quote.get("exact"), str) or not quote["exact"].strip():
        raise BadInput("quote.exact must be the quoted text.")
    for name in ("prefix", "suffix"):
        if quote.get(name) is not None and not isinstance(quote[name], str):
            raise BadInput(f"quote.{name} must be a string.")
    for name in ("start", "end"):
        value = quote.get(name)
        if value is not None and (type(value) is not int or value < 0):
            raise BadInput(f"quote.{name} must be a whole number, 0 or more.")


# What a posted comment may say; any other key is answered back as "ignored" (a misspelt
# "publish_consent" would otherwise leave a comment private without a word).
COMMENT_FIELDS = frozenset(
    {"stance", "body", "quote", "proposed_text", "publish_consent", "external_id"})


@bp.route("/codes/<code>/rounds/<int:number>/provisions/<key>/comments", methods=["POST"])
@limiter.limit(POST_LIMIT, key_func=account_key)
def post_comment(code: str, number: int, key: str) -> ResponseReturnValue:
    user = api_user()
    if user is None:
        raise Unauthorised("Commenting needs a token: 'Authorization: Bearer <token>'.")
    data = json_body()
    provision = _provision(code, number, key)
    check(data.get("external_id") is None or can_moderate(user),
          NotAllowed("external_id is the id of an imported submission: only the secretariat "
                     "sets it."))
    quote = data.get("quote")
    if quote is not None and not isinstance(quote, str | dict):
        raise BadInput("quote must be the quoted text or an object with 'exact'.")
    if isinstance(quote, dict):
        _check_quote(quote)
    if data.get("publish_consent") is not None and not isinstance(data["publish_consent"], bool):
        raise BadInput("publish_consent must be true or false.")
    for name in ("body", "stance", "proposed_text", "external_id"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise BadInput(f"{name} must be a string.")
    comment = services.submit_comment(
        provision, user, stance=data.get("stance") or "", body=data.get("body") or "",
        quote=quote, proposed_text=data.get("proposed_text"),
        publish_consent=data.get("publish_consent") is True,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
        external_id=data.get("external_id") or None, source="api")
    db.session.commit()
    item = comment_json(comment, comment_status(comment), show_author=True)
    item["receipt"] = receipt_for(comment)  # record: the comment's leaf in the log (CONTRACT §8)
    ignored = sorted(set(data) - COMMENT_FIELDS)
    if ignored:  # said, not refused: a client sending a bulk row (CONTRACT §3) stays served
        item["ignored"] = ignored
    response = _json(item, 201)
    response.headers["Location"] = f"/api/v1/comments/{comment.id}"
    return response


@bp.route("/codes/<code>/rounds/<int:number>/provisions/<key>/comments")
def list_comments(code: str, number: int, key: str) -> ResponseReturnValue:
    provision = _provision(code, number, key)
    limit = limit_arg(DEFAULT_LIMIT, MAX_LIMIT)
    after = cursor_arg()
    if after is not None and not 0 <= after <= MAX_CURSOR:
        raise BadInput("cursor is not one this API gave out.")
    comments = services.visible_comments(
        api_user(), round_=provision.round, provision=provision, after_id=after, limit=limit + 1
    )
    more = len(comments) > limit
    comments = comments[:limit]
    return _json(
        {"items": _items(comments), "next": str(comments[-1].id) if more and comments else None}
    )


@bp.route("/codes/<code>/rounds/<int:number>/annotations")
def round_annotations(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, api_user())
    comments = [c for c in services.visible_comments(api_user(), round_=round_) if c.anchored]
    return _json(annotation_page(comments, absolute(request.path)), content_type=ANNO_MEDIA_TYPE)


@bp.route("/comments/<int:comment_id>")
def get_comment(comment_id: int) -> ResponseReturnValue:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_view_comment(api_user(), comment):
        raise NotFound("There is no such comment, or you may not see it.")
    if "ld+json" in request.headers.get("Accept", "") and comment.anchored:
        return _json(annotation(comment), content_type=ANNO_MEDIA_TYPE)
    return _json(_items([comment])[0])


_QUOTE = schema(
    "Quote",
    {
        "type": "object",
        "required": ["exact"],
        "description": "W3C TextQuoteSelector + TextPositionSelector over the provision's text",
        "properties": {
            "exact": {"type": "string"},
            "prefix": {"type": "string"},
            "suffix": {"type": "string"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
        },
    },
)
_INPUT = schema(
    "CommentInput",
    {
        "type": "object",
        "required": ["stance", "body"],
        "properties": {
            "stance": {"type": "string", "enum": list(STANCES)},
            "body": {
                "type": "string",
                "minLength": 1,
                "maxLength": BODY_LIMIT,
                "description": f"1 to {BODY_LIMIT} characters after trimming, a CRLF line "
                "break counted as one; longer is refused whole (never cut) with 413 and "
                '{"error": "...", "detail": {"field": "body", "limit": ..., "length": ...}}',
            },
            "quote": {
                "oneOf": [{"type": "string"}, _QUOTE],
                "description": "A passage of the provision's text (400 if not in it)",
            },
            "proposed_text": {
                "type": "string",
                "maxLength": PROPOSAL_LIMIT,
                "description": f"Up to {PROPOSAL_LIMIT} characters; longer is 413 as for body",
            },
            "publish_consent": {
                "type": "boolean",
                "default": False,
                "description": "Publish with the author's name and organisation",
            },
            "external_id": {"type": "string", "maxLength": 100},
        },
    },
)
_COMMENT = schema(
    "Comment",
    {
        "type": "object",
        "required": [
            "id",
            "external_id",
            "stance",
            "body",
            "quote",
            "proposed_text",
            "created_at",
            "status",
        ],
        "properties": {
            "id": {"type": "integer"},
            "external_id": {"type": "string", "nullable": True},
            "stance": {"type": "string", "enum": list(STANCES)},
            "body": {"type": "string"},
            "quote": {"allOf": [_QUOTE], "nullable": True},
            "proposed_text": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "status": {
                "type": "string",
                "enum": [
                    "open",
                    "closed",
                    "withdrawn",
                    "re-anchored",
                    "moved",
                    "orphaned",
                ],
            },
            # -- accountability (CONTRACT §7): the chairs' decision on the proposed wording --
            "decision": {
                "type": "string",
                "nullable": True,
                "enum": ["accepted", "partly_accepted", "not_taken_up", None],
                "description": "null when no wording is proposed or none is decided yet",
            },
            "decision_reason": {"type": "string", "nullable": True},
            "decided_at": {"type": "string", "format": "date-time", "nullable": True},
            "parent_id": {"type": "integer", "nullable": True},
            "provision": {"type": "string"},
            "round": {"type": "integer"},
            "published": {"type": "boolean"},
            "hidden": {"type": "boolean"},
            "author": {
                "type": "object",
                "nullable": True,
                "description": "Only when published, or for chairs and the secretariat",
                "properties": {
                    "name": {"type": "string"},
                    "organisation": {"type": "string", "nullable": True},
                    "category": {"type": "string"},
                },
            },
        },
    },
)
_PAGE = schema(
    "CommentPage",
    {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": _COMMENT},
            "next": {
                "type": "string",
                "nullable": True,
                "description": "Pass as ?cursor= for the next page",
            },
        },
    },
)
_ANNOTATION_PAGE = schema(
    "AnnotationPage",
    {
        "type": "object",
        "required": ["@context", "id", "type", "items"],
        "description": "W3C Web Annotation AnnotationPage (JSON-LD)",
        "properties": {
            "@context": {"type": "string"},
            "id": {"type": "string"},
            "type": {"type": "string", "enum": ["AnnotationPage"]},
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
)
_PATH_PARAMS = [
    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}},
    {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "Provision key, or its number label"},
]

document(
    COMMENTS_PATH,
    "post",
    {
        "summary": "Comment on a provision (the token's account is the author)",
        "operationId": "postComment",
        "tags": ["feedback"],
        "security": [{"bearer": []}],
        "parameters": [
            *_PATH_PARAMS,
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 100},
                "description": "A retried POST with the same key returns the first comment",
            },
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _INPUT}}},
        "responses": {
            "201": {
                "description": "The stored comment, with its receipt from the transparency log",
                "content": {"application/json": {"schema": {"allOf": [_COMMENT, {"properties": {
                    "receipt": {"$ref": "#/components/schemas/Receipt"},  # record
                    "ignored": {"type": "array", "items": {"type": "string"},
                                "description": "Keys of the request the API does not use "
                                               "(present only if any)"}}}]}}},
            },
            **error_responses(400, 401, 404, 409, 413, 415, 429),
        },
    },
)
document(
    COMMENTS_PATH,
    "get",
    {
        "summary": "The comments on a provision the caller may see, oldest first",
        "operationId": "listComments",
        "tags": ["feedback"],
        "parameters": [
            *_PATH_PARAMS,
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {
                "name": "limit",
                "in": "query",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
        ],
        "responses": {
            "200": {
                "description": "A page of comments",
                "content": {"application/json": {"schema": _PAGE}},
            },
            **error_responses(400, 401, 404),
        },
    },
)
document(
    "/codes/{code}/rounds/{n}/annotations",
    "get",
    {
        "summary": "The round's anchored comments the caller may see, as W3C Web Annotations",
        "operationId": "listAnnotations",
        "tags": ["feedback"],
        "parameters": _PATH_PARAMS[:2],
        "responses": {
            "200": {
                "description": "An AnnotationPage (JSON-LD)",
                "content": {ANNO_MEDIA_TYPE: {"schema": _ANNOTATION_PAGE}},
            },
            **error_responses(401, 404),
        },
    },
)
document(
    "/comments/{id}",
    "get",
    {
        "summary": "One comment (a W3C Annotation when Accept asks for application/ld+json)",
        "operationId": "getComment",
        "tags": ["feedback"],
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {
            "200": {
                "description": "The comment",
                "content": {
                    "application/json": {"schema": _COMMENT},
                    ANNO_MEDIA_TYPE: {"schema": {"type": "object"}},
                },
            },
            **error_responses(401, 404),
        },
    },
)

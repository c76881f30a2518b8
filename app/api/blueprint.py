"""The /api/v1 blueprint: bearer tokens, JSON bodies and JSON errors."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, request

from app.api.auth import load_api_user
from app.core.errors import BadInput, TooLarge, UnsupportedMediaType
from app.core.i18n import N_
from app.core.text import text_problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Room for the longest comment the text limits allow, however it is encoded: 10,000 characters
# of body and 5,000 of proposal, each character up to 12 bytes as an escaped surrogate pair.
MAX_JSON_BYTES = 256 * 1024


@bp.before_request
def _authenticate() -> None:
    load_api_user()


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 413 past the limit (whether
    or not the client announced a length: a chunked body is counted as it is read), 400 for
    anything that is not a JSON object the database can store (nesting too deep, NUL
    characters, unpaired surrogates, numbers such as 1e999 that are not finite)."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise TooLarge(f"The body may have at most {MAX_JSON_BYTES} bytes.")
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise TooLarge(f"The body may have at most {MAX_JSON_BYTES} bytes.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput("The body is not valid JSON (UTF-8, at most a few hundred levels "
                       "deep).") from None
    if not isinstance(data, dict):
        raise BadInput("The body must be a JSON object.")
    if problem := text_problem(data):
        raise BadInput(problem)
    return data


def limit_arg(default: int, maximum: int) -> int:
    """The `limit` query parameter: `default` when absent; a whole number from 1 to `maximum`,
    else BadInput (every list of the API answers a bad limit alike)."""
    raw = request.args.get("limit", "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise BadInput(N_("limit must be a whole number from 1 to %(maximum)s."),
                       maximum=maximum)
    return int(raw)


MAX_ID = 2**63 - 1  # the largest id a database row can have (BIGINT, SQLite INTEGER)


def cursor_arg() -> int | None:
    """The `cursor` query parameter as given out by a list (None when absent), else BadInput
    (a cursor is never negative, nor beyond what a database id can be)."""
    raw = request.args.get("cursor", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise BadInput(N_("cursor must be a cursor a list gave out."))
    return int(raw)

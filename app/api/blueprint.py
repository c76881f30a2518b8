"""The /api/v1 blueprint: bearer tokens, JSON bodies and JSON errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from app.api.auth import load_api_user
from app.core.errors import BadInput, TooLarge, UnsupportedMediaType

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_JSON_BYTES = 64 * 1024


@bp.before_request
def _authenticate() -> None:
    load_api_user()


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 413 past the limit, 400 if bad."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise TooLarge(f"The body may have at most {MAX_JSON_BYTES} bytes.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("The body must be a JSON object.")
    return data

"""The API's own description."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.api.openapi import document, openapi_document


@bp.route("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


document(
    "/openapi.json",
    "get",
    {
        "summary": "This description (OpenAPI 3)",
        "operationId": "openapi",
        "responses": {
            "200": {
                "description": "The OpenAPI document",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    },
)

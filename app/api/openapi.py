"""The OpenAPI 3 description of /api/v1, assembled from each domain's documented paths."""

from __future__ import annotations

from typing import Any

PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "detail": {}},
    },
}


def error_responses(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "Bad input",
        401: "No or bad token",
        403: "Not allowed",
        404: "Unknown, or not visible to the caller",
        409: "Conflict",
        413: "Too large",
        415: "Unsupported media type",
        429: "Rate limited",
    }
    return {
        str(s): {
            "description": texts[s],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


def document(path: str, method: str, operation: dict[str, Any]) -> None:
    """Register one operation (called at import time by the modules that define routes)."""
    PATHS.setdefault(path, {})[method.lower()] = operation


def schema(name: str, definition: dict[str, Any]) -> dict[str, str]:
    SCHEMAS[name] = definition
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Plenary API",
            "version": "1.0.0",
            "description": "Codes, rounds, provisions, diffs, comments, annotations and "
            "syntheses. Bearer tokens identify accounts; no token is the public.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {path: PATHS[path] for path in sorted(PATHS)},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
    }

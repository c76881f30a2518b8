"""/api/v1 endpoints of the diffing domain (routes on the shared API blueprint, documented in openapi)."""

from __future__ import annotations

from app.api.blueprint import bp  # noqa: F401

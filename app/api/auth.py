"""Bearer-token authentication for /api/v1 (no token = the public)."""

from __future__ import annotations

from flask import g, request

from app.accounts import services
from app.accounts.models import User
from app.core.errors import Unauthorised


def load_api_user() -> None:
    """Set g.api_user from the Authorization header; a bad token is 401, none is the public."""
    g.api_user = None
    header = request.headers.get("Authorization")
    if not header:
        return
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorised("Use 'Authorization: Bearer <token>'.")
    user = services.user_for_token(secret.strip())
    if user is None:
        raise Unauthorised("The token is unknown, revoked or belongs to a closed account.")
    g.api_user = user


def api_user() -> User | None:
    return g.get("api_user")

"""Rate-limit keys: one budget per account, however it signs in.

Limits are checked before the API authenticates, so a bearer token is resolved to its account
here (and remembered for the request): every token of an account shares the account's budget,
and creating more tokens buys no more comments. A bad token falls back to the address.
"""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from app.accounts.services import user_for_token
from app.core.extensions import client_address


def account_key() -> str:
    """`account:<id>` for a signed-in account or a valid bearer token, else `addr:<address>`."""
    if "rate_limit_key" in g:
        return str(g.rate_limit_key)
    key = f"addr:{client_address()}"
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        user = user_for_token(secret.strip())
        if user is not None:
            key = f"account:{user.id}"
    elif current_user.is_authenticated:
        key = f"account:{current_user.id}"
    g.rate_limit_key = key
    return key

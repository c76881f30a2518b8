"""Absolute URLs from the configured public address (PLENARY_PUBLIC_URL), never from the request.

The Host header is the client's to choose: building feed ids, annotation ids or links in
mails from it would let anyone make the platform print their host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def absolute(path: str) -> str:
    """`path` (starting with "/") under the configured public URL."""
    return str(current_app.config.get("PUBLIC_URL", "")).rstrip("/") + path


def public_url_for(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)` as an absolute URL under the configured public URL."""
    return absolute(url_for(endpoint, **values))


def safe_next(target: str | None) -> str:
    """Only a local path may follow a form (login, the language switcher): no scheme, no host,
    no protocol-relative URL, no control characters; the front page otherwise."""
    if not target:
        return url_for("public.home")
    if any(ord(c) < 32 or c.isspace() for c in target):
        return url_for("public.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("public.home")
    return target

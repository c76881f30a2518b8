"""The diffing blueprint, shared by its pages (routes.py) and its Atom feeds (feeds.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("diffing", __name__)


def span(from_n: int, to_n: int) -> dict[str, Any]:
    """URL arguments for two rounds ("from" is a Python keyword)."""
    return {"from": from_n, "to": to_n}

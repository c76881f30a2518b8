"""Pages of the diffing domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("diffing", __name__)

"""Pages of the feedback domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)

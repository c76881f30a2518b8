"""Pages of the drafting domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("drafting", __name__)

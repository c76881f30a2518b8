"""Pages of the synthesis domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("synthesis", __name__)

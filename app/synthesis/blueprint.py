"""The synthesis blueprint, shared by the chairs' workspace (routes.py), the proposals they
decide (proposals.py) and the public record of answers (register.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("synthesis", __name__)

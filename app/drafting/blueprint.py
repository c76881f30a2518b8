"""The drafting blueprint, shared by its reading pages (routes.py) and the secretariat's
pages (admin.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("drafting", __name__)

"""Public pages: the front page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from app.core.db import db
from app.drafting.models import Code
from app.drafting.permissions import can_view_round

bp = Blueprint("public", __name__)


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    codes = []
    for code in db.session.scalars(select(Code).order_by(Code.title)):
        rounds = [r for r in code.rounds if can_view_round(current_user, r)]
        if rounds:
            codes.append((code, rounds))
    return render_template("public/home.html", codes=codes)


@bp.route("/healthz")
def health():  # type: ignore[no-untyped-def]
    db.session.execute(select(1))
    return {"status": "ok"}

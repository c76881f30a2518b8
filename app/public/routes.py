"""Public pages: the front page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.core.db import db, schema_state
from app.drafting.models import Code
from app.drafting.services import visible_rounds

bp = Blueprint("public", __name__)


@bp.route("/")
def home() -> ResponseReturnValue:
    codes = []
    for code in db.session.scalars(select(Code).order_by(Code.title)):
        rounds = visible_rounds(code, current_user)
        if rounds:
            codes.append((code, rounds))
    return render_template("public/home.html", codes=codes)


@bp.route("/healthz")
def health() -> ResponseReturnValue:
    """For load balancers: 200 when the database answers and its schema is the newest
    migration's; 503 (with what is wrong) otherwise, e.g. a database file that was replaced
    by an empty one."""
    db.session.execute(select(1))
    healthy, schema = schema_state()
    body = {"status": "ok" if healthy else "unavailable", "database": "ok", "schema": schema}
    return body, 200 if healthy else 503

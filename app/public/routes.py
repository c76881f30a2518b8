"""Public pages: the front page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.accounts.forms import ActionForm
from app.accounts.services import remember_language
from app.core.db import db, schema_state
from app.core.i18n import COOKIE, LANGUAGES
from app.core.urls import safe_next
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


@bp.route("/language", methods=["POST"])
def choose_language() -> ResponseReturnValue:
    """Remember the reader's language for a year (and on the account, for its e-mails) and go
    back to the page they were on."""
    chosen = request.form.get("language", "")
    if chosen not in LANGUAGES or not ActionForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:  # e-mails follow the choice too
        remember_language(current_user, chosen)
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response

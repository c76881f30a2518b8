"""Log in and out, accept an invitation, change the password, manage API tokens."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.accounts import privacy, services
from app.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    NewPasswordForm,
    TokenForm,
)
from app.accounts.limits import account_key
from app.accounts.models import ApiToken, User
from app.core import audit
from app.core.db import db
from app.core.errors import BadInput, Conflict
from app.core.extensions import client_address, limiter
from app.core.i18n import COOKIE, language, translated
from app.core.urls import safe_next

bp = Blueprint("accounts", __name__)


def _login_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("8 per minute", key_func=_login_key, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            audit.record("login.failure", address=client_address(),
                         email=(form.email.data or "")[:254])
            db.session.commit()
            flash(gettext("The email or password is not right."), "error")
        else:
            login_user(user, remember=bool(form.remember.data))
            # The switcher's choice (made before logging in) is kept; else the browser's
            # language, the first time.
            services.remember_language(user, language(), replace=COOKIE in request.cookies)
            audit.record("login.success", actor=user, target=user, address=client_address())
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        if user is not None:
            services.end_sessions(user)
            audit.record("logout", actor=user, target=user)
            db.session.commit()
    logout_user()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    invitation = services.invitation_for(token)
    if invitation is None:
        return render_template("accounts/invitation_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = services.accept_invitation(invitation, form.password.data or "")
        services.remember_language(user, language(), replace=COOKIE in request.cookies)
        db.session.commit()
        login_user(user)
        flash(gettext("Your password is set. Welcome to Plenary."), "info")
        return redirect(url_for("public.home"))
    return render_template("accounts/set_password.html", form=form, user=invitation.user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", key_func=account_key, methods=["POST"])
def account() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current.data or "") is None:
            audit.record("password.change.failure", actor=current_user, target=current_user,
                         address=client_address())
            db.session.commit()
            flash(gettext("The current password is not right."), "error")
        else:
            try:
                services.set_password(current_user, form.password.data or "")
            except BadInput as error:
                flash(translated(error.message), "error")
            else:
                db.session.commit()
                login_user(current_user)
                flash(gettext("Your password is changed. Other devices have been logged out."),
                      "info")
                return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> ResponseReturnValue:
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = services.create_token(current_user, form.name.data or "")
        db.session.commit()
    items = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template("accounts/tokens.html", form=form, secret=secret, tokens=items,
                           revoke_form=ActionForm())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    form = ActionForm()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    services.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(gettext("The token is revoked."), "info")
    return redirect(url_for("accounts.tokens"))


@bp.route("/account/export")
@login_required
def export() -> ResponseReturnValue:
    token = privacy.export_token(current_user, current_app.config["SECRET_KEY"])
    response = Response(render_template(
        "accounts/export.html", link=url_for("accounts.export_download", token=token),
        minutes=privacy.EXPORT_MAX_AGE // 60))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/export/<token>")
@login_required
def export_download(token: str) -> ResponseReturnValue:
    privacy.check_export_token(token, current_user, current_app.config["SECRET_KEY"])
    data = privacy.export_data(current_user)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="plenary-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@login_required
def delete_account() -> ResponseReturnValue:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            privacy.delete_account(user, form.password.data or "")
        except (BadInput, Conflict) as error:
            db.session.rollback()
            audit.record("user.delete.refused", actor=user, target=user,
                         address=client_address())
            db.session.commit()
            flash(translated(error.message), "error")
        else:
            db.session.commit()
            logout_user()
            flash(gettext("Your account is deleted and you are logged out. Your comments "
                          "remain, shown as from a former participant."), "info")
            return redirect(url_for("public.home"))
    return render_template("accounts/delete.html", form=form)

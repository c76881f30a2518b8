"""Secretariat pages: accounts, invitations, working groups, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.forms import ActionForm
from app.accounts.models import User, WorkingGroup
from app.accounts.permissions import can_manage_platform
from app.admin import services
from app.admin.forms import (
    AuditFilterForm,
    CreateUserForm,
    GroupForm,
    MembershipForm,
    UploadUsersForm,
)
from app.core.access import require
from app.core.audit import AuditEvent
from app.core.db import db
from app.core.errors import DomainError

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@require(can_manage_platform)
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


@bp.route("/accounts", methods=["GET", "POST"])
@require(can_manage_platform)
def accounts_page() -> ResponseReturnValue:
    form = CreateUserForm(prefix="new")
    upload = UploadUsersForm(prefix="csv")
    invited: list[accounts.Invited] = []
    errors: list[str] = []
    if form.submit.data and form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data or "",
                form.name.data or "",
                organisation=form.organisation.data,
                category=form.category.data or "other",
                role=form.role.data or "participant",
                groups=services.parse_groups(form.groups.data or ""),
                actor=current_user,
            )
            invited = [accounts.invite(user, actor=current_user)]
            db.session.commit()
            flash(f"Account created for {user.email}.", "info")
        except DomainError as error:
            db.session.rollback()
            errors = [error.message]
    elif upload.submit.data and upload.validate_on_submit():
        try:
            invited = services.create_users_from_csv(upload.file.data.read(), actor=current_user)
            db.session.commit()
            flash(f"{len(invited)} accounts created.", "info")
        except DomainError as error:
            db.session.rollback()
            errors = [error.message, *(error.detail or [])]
    users = db.session.scalars(select(User).order_by(User.created_at.desc()).limit(200)).all()
    return render_template(
        "admin/accounts.html", form=form, upload=upload, users=users, invited=invited, errors=errors
    )


@bp.route("/accounts/<int:user_id>/invite", methods=["POST"])
@require(can_manage_platform)
def reinvite(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    invited = accounts.invite(user, actor=current_user)
    db.session.commit()
    users = db.session.scalars(select(User).order_by(User.created_at.desc()).limit(200)).all()
    return render_template(
        "admin/accounts.html",
        form=CreateUserForm(prefix="new"),
        upload=UploadUsersForm(prefix="csv"),
        users=users,
        invited=[invited],
        errors=[],
    )


@bp.route("/groups", methods=["GET", "POST"])
@require(can_manage_platform)
def groups() -> ResponseReturnValue:
    form = GroupForm(prefix="group")
    if form.submit.data and form.validate_on_submit():
        try:
            accounts.create_group(
                form.slug.data or "",
                form.name.data or "",
                form.description.data or "",
                actor=current_user,
            )
            db.session.commit()
            flash("Working group created.", "info")
            return redirect(url_for("admin.groups"))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    items = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.slug)).all()
    return render_template(
        "admin/groups.html", form=form, groups=items, member_form=MembershipForm(prefix="member")
    )


@bp.route("/groups/<slug>/members", methods=["POST"])
@require(can_manage_platform)
def group_members(slug: str) -> ResponseReturnValue:
    form = MembershipForm(prefix="member")
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
    if group is None:
        abort(404)
    if not form.validate_on_submit():
        flash("Give an email and a role.", "error")
        return redirect(url_for("admin.groups"))
    user = accounts.find_user(form.email.data or "")
    if user is None:
        flash("There is no account with that email.", "error")
        return redirect(url_for("admin.groups"))
    role = None if form.role.data == "remove" else form.role.data
    accounts.set_membership(user, group, role, actor=current_user)
    db.session.commit()
    flash(f"{user.name}: {role or 'removed'} in {group.name}.", "info")
    return redirect(url_for("admin.groups"))


@bp.route("/audit")
@require(can_manage_platform)
def audit_log() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)
    if form.action.data:
        query = query.where(AuditEvent.action.startswith(form.action.data.strip()))
    if form.actor.data:
        actor = accounts.find_user(form.actor.data)
        query = query.where(AuditEvent.actor_id == (actor.id if actor else -1))
    events = db.session.scalars(query).all()
    actors = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        )
    }
    return render_template("admin/audit.html", form=form, events=events, actors=actors)

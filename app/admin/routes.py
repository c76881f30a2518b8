"""Secretariat pages: accounts, invitations, working groups, the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.accounts.forms import ActionForm
from app.accounts.models import Membership, User, WorkingGroup, group_role_name
from app.accounts.permissions import can_manage_platform
from app.admin import services
from app.admin.forms import (
    AccountForm,
    AccountSearchForm,
    AuditFilterForm,
    CreateUserForm,
    GroupForm,
    MembershipForm,
    UploadUsersForm,
    group_roles,
    with_group_roles,
)
from app.core.access import require
from app.core.audit import AuditEvent
from app.core.db import db
from app.core.errors import DomainError
from app.core.i18n import translated

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@require(can_manage_platform)
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


PAGE_SIZE = 50


def _groups() -> list[WorkingGroup]:
    return list(db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.slug)))


def _found_accounts(search: AccountSearchForm, page: int) -> tuple[list[User], int]:
    """One page of the accounts matching the search, newest first, and how many match."""
    query = select(User)
    if text := (search.q.data or "").strip():
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(User.organisation).like(like)))
    if search.role.data:
        query = query.where(User.role == search.role.data)
    if search.group.data:
        query = query.join(Membership).join(WorkingGroup).where(
            WorkingGroup.slug == search.group.data)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = db.session.scalars(
        query.options(selectinload(User.memberships).selectinload(Membership.group))
        .order_by(User.created_at.desc(), User.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(users), total


def _accounts(form: Any, upload: UploadUsersForm, invited: list[accounts.Invited],
              errors: list[str]) -> ResponseReturnValue:
    groups = _groups()
    search = AccountSearchForm(request.args)
    search.group.choices = [("", gettext("Any group")), *((g.slug, g.name) for g in groups)]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    users, total = _found_accounts(search, page) if search.validate() else ([], 0)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "admin/accounts.html", form=form, upload=upload, users=users, invited=invited,
        errors=errors, search=search, page=page, pages=pages, total=total, groups=groups,
        args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/accounts", methods=["GET", "POST"])
@require(can_manage_platform)
def accounts_page() -> ResponseReturnValue:
    groups = _groups()
    form = with_group_roles(CreateUserForm, groups)(prefix="new")
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
                groups=[(g.slug, role) for g, role in group_roles(form, groups).items() if role],
                actor=current_user,
            )
            invited = [accounts.invite(user, actor=current_user)]
            db.session.commit()
            flash(gettext("Account created for %(email)s.", email=user.email), "info")
        except DomainError as error:
            db.session.rollback()
            errors = [translated(error.message)]
    elif upload.submit.data and upload.validate_on_submit():
        try:
            invited = services.create_users_from_csv(upload.file.data.read(), actor=current_user)
            db.session.commit()
            flash(ngettext("%(num)s account created.", "%(num)s accounts created.",
                           len(invited)), "info")
        except DomainError as error:
            db.session.rollback()
            errors = [translated(error.message), *map(translated, error.detail or [])]
    return _accounts(form, upload, invited, errors)


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
    form = with_group_roles(CreateUserForm, _groups())(prefix="new", formdata=None)
    return _accounts(form, UploadUsersForm(prefix="csv", formdata=None), [invited], [])


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@require(can_manage_platform)
def account_page(user_id: int) -> ResponseReturnValue:
    """One account: its role on the platform and its role in each working group."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    groups = _groups()
    current = {m.group_id: m.role for m in user.memberships}
    form = with_group_roles(AccountForm, groups)(
        role=user.role, **{f"group_{g.id}": current.get(g.id, "") for g in groups})
    if form.validate_on_submit():
        try:
            accounts.set_role(user, form.role.data or "participant", actor=current_user)
            for group, role in group_roles(form, groups).items():
                if role != current.get(group.id):
                    accounts.set_membership(user, group, role, actor=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(translated(error.message), "error")
        else:
            flash(gettext("Saved: the role and working groups of %(name)s.", name=user.name),
                  "info")
            return redirect(url_for("admin.account_page", user_id=user.id))
    return render_template("admin/account.html", user=user, form=form, groups=groups)


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
            flash(gettext("Working group created."), "info")
            return redirect(url_for("admin.groups"))
        except DomainError as error:
            db.session.rollback()
            flash(translated(error.message), "error")
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
        flash(gettext("Give an email and a role."), "error")
        return redirect(url_for("admin.groups"))
    user = accounts.find_user(form.email.data or "")
    if user is None:
        flash(gettext("There is no account with that email."), "error")
        return redirect(url_for("admin.groups"))
    role = None if form.role.data == "remove" else form.role.data
    accounts.set_membership(user, group, role, actor=current_user)
    db.session.commit()
    flash(gettext("%(name)s: %(role)s in %(group)s.", name=user.name, group=group.name,
                  role=group_role_name(role) if role else gettext("removed")), "info")
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

"""Reading pages of the drafting domain: codes, rounds and provisions.

Load, check visibility (an invisible round is 404), render. The secretariat's pages (upload,
round settings, lineage review) follow at the end; they answer 404 to everyone else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from app.core.access import require
from app.core.db import db
from app.core.errors import BadInput, DomainError, NotFound
from app.core.navigation import ADMIN_NAV, NavItem
from app.core.panels import provision_panels
from app.drafting import importer
from app.drafting.forms import (
    MAX_DRAFT_BYTES,
    CorrectionForm,
    UploadRoundForm,
    VisibilityForm,
    WindowForm,
)
from app.drafting.lineage import lineage_between, visible_history
from app.drafting.markdown import render_markdown
from app.drafting.models import Code, LineageLink, Provision
from app.drafting.permissions import can_manage_rounds
from app.drafting.services import (
    correct_link,
    get_provision,
    get_round,
    neighbour_round,
    round_provisions,
    set_visibility,
    set_window,
    visible_code,
    visible_rounds,
)

bp = Blueprint("drafting", __name__)


@bp.route("/codes/<code>")
def code_page(code: str) -> ResponseReturnValue:
    code_row, rounds = visible_code(code, current_user)
    return render_template("drafting/code.html", code=code_row, rounds=rounds)


def chapters(provisions: list[Provision]) -> list[tuple[Provision, list[Provision]]]:
    """Top-level provisions, each with its descendants in document order."""
    grouped: list[tuple[Provision, list[Provision]]] = []
    for provision in provisions:
        if provision.parent_id is None or not grouped:
            grouped.append((provision, []))
        else:
            grouped[-1][1].append(provision)
    return grouped


@bp.route("/codes/<code>/rounds/<int:number>")
def round_page(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    code_row = round_.code
    provisions = round_provisions(round_)
    groups = sorted({p.group for p in provisions if p.group}, key=lambda g: g.slug)
    group = request.args.get("group", "")
    if group:
        provisions = [p for p in provisions if p.group and p.group.slug == group]
    return render_template(
        "drafting/round.html", code=code_row, round=round_, rounds=visible_rounds(
            code_row, current_user), chapters=chapters(provisions), groups=groups,
        group=group, filtered=bool(group),
        preamble=render_markdown(round_.preamble) if round_.preamble else "")  # fmt: skip


def _ancestors(provision: Provision) -> list[Provision]:
    chain = []
    parent = provision.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


@bp.route("/codes/<code>/rounds/<int:number>/provisions/<key>")
def provision(code: str, number: int, key: str) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    code_row = round_.code
    item = get_provision(round_, key)
    steps = visible_history(item, current_user)
    children = db.session.scalars(
        select(Provision).where(Provision.parent_id == item.id).order_by(Provision.position)
    ).all()
    return render_template(
        "drafting/provision.html", code=code_row, round=round_, provision=item,
        ancestors=_ancestors(item), children=children, steps=steps,
        panels=provision_panels(item, current_user))  # fmt: skip


@bp.route("/codes/<code>/rounds/<int:number>/search")
def search(code: str, number: int) -> ResponseReturnValue:
    """The per-round search of old: the code's search (app/search) with this round chosen."""
    round_ = get_round(code, number, current_user)
    query = request.args.get("q", "")
    return redirect(url_for("search.code_search", code=round_.code.slug, q=query or None,
                            round=round_.number))  # fmt: skip


# The secretariat's pages: upload, round settings, lineage review (404 for everyone else).


@bp.route("/admin/drafts", methods=["GET", "POST"])
@require(can_manage_rounds)
def admin_drafts() -> ResponseReturnValue:
    form = UploadRoundForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(MAX_DRAFT_BYTES + 1)
        name = secure_filename(upload.filename or "") or "round.md"
        try:
            if len(raw) > MAX_DRAFT_BYTES:
                raise BadInput(f"{name}:1: the file is larger than {MAX_DRAFT_BYTES} bytes")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(f"{name}:1: the file is not UTF-8 text") from None
            result = importer.import_round(text, name, actor=current_user)
            db.session.commit()
            flash(result.summary(), "info")
            return redirect(url_for("drafting.admin_drafts"))
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
    codes = db.session.scalars(select(Code).order_by(Code.title)).all()
    return render_template("drafting/admin_drafts.html", form=form, error=error, codes=codes)


@bp.route("/admin/drafts/<code>/rounds/<int:number>", methods=["GET", "POST"])
@require(can_manage_rounds)
def admin_round(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    visibility = VisibilityForm(prefix="vis", visibility=round_.visibility)
    window = WindowForm(prefix="win", opens=_local(round_.opens_at),
                        closes=_local(round_.closes_at))  # fmt: skip
    error = None
    try:
        if visibility.submit.data and visibility.validate_on_submit():
            set_visibility(round_, visibility.visibility.data or "", current_user)
        elif window.submit.data and window.validate_on_submit():
            opens = closes = None
            if not window.clear.data:
                opens, closes = _utc(window.opens.data), _utc(window.closes.data)
            set_window(round_, opens, closes, current_user)
        else:
            return render_template("drafting/admin_round.html", round=round_, code=round_.code,
                                   visibility=visibility, window=window, error=error)  # fmt: skip
        db.session.commit()
        flash("Round settings saved.", "info")
        return redirect(url_for("drafting.admin_round", code=code, number=number))
    except DomainError as failure:
        db.session.rollback()
        error = failure.message
    return render_template("drafting/admin_round.html", round=round_, code=round_.code,
                           visibility=visibility, window=window, error=error)  # fmt: skip


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment else None


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment else None


@bp.route("/admin/drafts/<code>/rounds/<int:number>/lineage", methods=["GET", "POST"])
@require(can_manage_rounds)
def admin_lineage(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    previous = neighbour_round(round_, -1)
    if previous is None:
        return render_template(
            "drafting/admin_lineage.html", round=round_, code=round_.code, previous=None,
            entries=[], added=[], form=None, error=None)  # fmt: skip
    old, new = round_provisions(previous), round_provisions(round_)
    form = CorrectionForm()
    form.source.choices = [(p.key, f"{p.heading} ({p.key})") for p in old]
    form.targets.choices = [(p.key, f"{p.heading} ({p.key})") for p in new]
    error = None
    if form.validate_on_submit():
        source = next((p for p in old if p.key == form.source.data), None)
        if source is None:
            raise NotFound()
        chosen = set(form.targets.data or [])
        try:
            correct_link(source, [p for p in new if p.key in chosen], current_user)
            db.session.commit()
            flash(f"Lineage of {source.heading} corrected.", "info")
            return redirect(url_for("drafting.admin_lineage", code=code, number=number))
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
    entries, added = lineage_between(previous, round_)
    corrected = {
        link.from_provision_id
        for link in db.session.scalars(
            select(LineageLink).where(
                LineageLink.from_round_id == previous.id, LineageLink.corrected
            )
        )
    }
    return render_template(
        "drafting/admin_lineage.html", round=round_, code=round_.code, previous=previous,
        entries=entries, added=added, form=form, error=error, corrected=corrected)  # fmt: skip


def _admin_nav(user: Any) -> list[NavItem]:
    if not can_manage_rounds(user):
        return []
    return [NavItem("Draft rounds: upload, settings, lineage", url_for("drafting.admin_drafts"))]


ADMIN_NAV.append(_admin_nav)

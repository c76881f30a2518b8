"""Reading pages of the drafting domain: codes, rounds, provisions and search.

Load, check visibility (an invisible round is 404), render. The secretariat's pages (upload,
round settings, lineage review) follow at the end; they answer 404 to everyone else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from app.admin.routes import secretariat_required
from app.core.db import db
from app.core.errors import BadInput, DomainError
from app.core.navigation import ADMIN_NAV, NavItem
from app.core.panels import provision_panels
from app.drafting import services
from app.drafting.forms import (
    MAX_DRAFT_BYTES,
    CorrectionForm,
    UploadRoundForm,
    VisibilityForm,
    WindowForm,
)
from app.drafting.lineage import lineage_between, visible_history
from app.drafting.markdown import render_markdown
from app.drafting.models import Code, LineageLink, Provision, Round
from app.drafting.permissions import can_manage_rounds, can_view_round

bp = Blueprint("drafting", __name__)

SEARCH_LIMIT = 100
SNIPPET_CHARS = 90
SNIPPET_SLACK = 12  # how far a snippet may grow to reach the end of a word


def load_code(slug: str) -> Code:
    code = db.session.scalar(select(Code).where(Code.slug == slug))
    if code is None:
        abort(404)
    return code


def visible_rounds(code: Code, user: Any) -> list[Round]:
    return [r for r in code.rounds if can_view_round(user, r)]


def load_round(code: Code, number: int, user: Any) -> Round:
    """The round, or 404 when it does not exist or the user may not see it."""
    round_ = db.session.scalar(
        select(Round).where(Round.code_id == code.id, Round.number == number)
    )
    if round_ is None or not can_view_round(user, round_):
        abort(404)
    return round_


def round_provisions(round_: Round) -> list[Provision]:
    return list(
        db.session.scalars(
            select(Provision)
            .where(Provision.round_id == round_.id)
            .options(selectinload(Provision.group))
            .order_by(Provision.position)
        )
    )


@bp.route("/codes/<code>")
def code_page(code: str):  # type: ignore[no-untyped-def]
    code_row = load_code(code)
    rounds = visible_rounds(code_row, current_user)
    if not rounds:
        abort(404)
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
def round_page(code: str, number: int):  # type: ignore[no-untyped-def]
    code_row = load_code(code)
    round_ = load_round(code_row, number, current_user)
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
def provision(code: str, number: int, key: str):  # type: ignore[no-untyped-def]
    code_row = load_code(code)
    round_ = load_round(code_row, number, current_user)
    item = db.session.scalar(
        select(Provision).where(Provision.round_id == round_.id, Provision.key == key)
    )
    if item is None:
        abort(404)
    steps = visible_history(item, current_user)
    children = db.session.scalars(
        select(Provision).where(Provision.parent_id == item.id).order_by(Provision.position)
    ).all()
    return render_template(
        "drafting/provision.html", code=code_row, round=round_, provision=item,
        ancestors=_ancestors(item), children=children, steps=steps,
        panels=provision_panels(item, current_user))  # fmt: skip


def search_round(round_: Round, query: str, limit: int = SEARCH_LIMIT) -> list[Provision]:
    """Provisions of the round whose title or text contains every word of `query`."""
    terms = query.lower().split()[:10]
    if not terms:
        return []
    statement = select(Provision).where(Provision.round_id == round_.id)
    for term in terms:
        statement = statement.where(Provision.search_text.contains(term, autoescape=True))
    return list(db.session.scalars(statement.order_by(Provision.position).limit(limit)))


def _at_word_boundary(text: str, index: int) -> bool:
    return index in (0, len(text)) or text[index - 1] == " " or text[index] == " "


def _word_window(text: str, lo: int, hi: int, keep: tuple[int, int]) -> tuple[int, int]:
    """Move `lo`/`hi` onto word boundaries: outwards by up to SNIPPET_SLACK characters, else
    inwards to the next space, but never past the `keep` span (a match inside a long word)."""
    if not _at_word_boundary(text, lo):
        before = text.rfind(" ", max(0, lo - SNIPPET_SLACK), lo)
        if before >= 0 or lo <= SNIPPET_SLACK:
            lo = before + 1
        elif (after := text.find(" ", lo, keep[0])) >= 0:
            lo = after + 1
    if not _at_word_boundary(text, hi):
        after = text.find(" ", hi, hi + SNIPPET_SLACK)
        if after >= 0:
            hi = after
        elif hi + SNIPPET_SLACK >= len(text):
            hi = len(text)
        elif (before := text.rfind(" ", keep[1], hi)) >= 0:
            hi = before
    return lo, hi


def snippet(provision: Provision, query: str) -> Markup:
    """A passage of the provision's text around the first matching word, words marked.

    The passage starts and ends on word boundaries where it can; "…" marks text left out.
    """
    text = " ".join(provision.text.split())
    terms = [t for t in query.lower().split() if t]
    lowered = text.lower()
    hits = [(i, i + len(t)) for t in terms if (i := lowered.find(t)) >= 0]
    first = min(hits) if hits else (0, 0)
    lo = max(0, first[0] - SNIPPET_CHARS // 2)
    hi = min(len(text), max(lo + 2 * SNIPPET_CHARS, first[1]))
    lo, hi = _word_window(text, lo, hi, first)
    passage = text[lo:hi].strip()
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(passage):
        parts.append(escape(passage[last : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    parts.append(escape(passage[last:]))
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return escape(prefix) + escape("").join(parts) + escape(suffix)


@bp.route("/codes/<code>/rounds/<int:number>/search")
def search(code: str, number: int):  # type: ignore[no-untyped-def]
    code_row = load_code(code)
    round_ = load_round(code_row, number, current_user)
    query = request.args.get("q", "").strip()[:200]
    results = search_round(round_, query) if query else []
    return render_template(
        "drafting/search.html", code=code_row, round=round_, query=query,
        results=[(p, snippet(p, query)) for p in results], limit=SEARCH_LIMIT)  # fmt: skip


# The secretariat's pages: upload, round settings, lineage review (404 for everyone else).


@bp.route("/admin/drafts", methods=["GET", "POST"])
@secretariat_required
def admin_drafts():  # type: ignore[no-untyped-def]
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
            result = services.import_round(text, name, actor=current_user)
            db.session.commit()
            flash(result.summary(), "info")
            return redirect(url_for("drafting.admin_drafts"))
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
    codes = db.session.scalars(select(Code).order_by(Code.title)).all()
    return render_template("drafting/admin_drafts.html", form=form, error=error, codes=codes)


def _admin_round(code: str, number: int) -> Round:
    return load_round(load_code(code), number, current_user)


@bp.route("/admin/drafts/<code>/rounds/<int:number>", methods=["GET", "POST"])
@secretariat_required
def admin_round(code: str, number: int):  # type: ignore[no-untyped-def]
    round_ = _admin_round(code, number)
    visibility = VisibilityForm(prefix="vis", visibility=round_.visibility)
    window = WindowForm(prefix="win", opens=_local(round_.opens_at),
                        closes=_local(round_.closes_at))  # fmt: skip
    error = None
    try:
        if visibility.submit.data and visibility.validate_on_submit():
            services.set_visibility(round_, visibility.visibility.data or "", current_user)
        elif window.submit.data and window.validate_on_submit():
            opens = closes = None
            if not window.clear.data:
                opens, closes = _utc(window.opens.data), _utc(window.closes.data)
            services.set_window(round_, opens, closes, current_user)
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
@secretariat_required
def admin_lineage(code: str, number: int):  # type: ignore[no-untyped-def]
    round_ = _admin_round(code, number)
    previous = db.session.scalar(
        select(Round)
        .where(Round.code_id == round_.code_id, Round.number < round_.number)
        .order_by(Round.number.desc())
        .limit(1)
    )
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
        source = next(p for p in old if p.key == form.source.data)
        chosen = set(form.targets.data or [])
        try:
            services.correct_link(source, [p for p in new if p.key in chosen], current_user)
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

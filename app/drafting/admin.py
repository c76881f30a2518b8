"""The secretariat's drafting pages: uploading rounds, round settings, and the lineage review
queue (404 for everyone else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from app.accounts.forms import ActionForm
from app.core.access import require
from app.core.db import db
from app.core.errors import BadInput, DomainError, NotFound
from app.core.i18n import N_, Message, translated
from app.core.navigation import ADMIN_NAV, NavItem
from app.diffing.engine import diff_words
from app.diffing.render import render_side_by_side
from app.drafting import importer
from app.drafting.blueprint import bp
from app.drafting.forms import (
    MAX_DRAFT_BYTES,
    CorrectionForm,
    UploadRoundForm,
    VisibilityForm,
    WindowForm,
)
from app.drafting.lineage import lineage_between
from app.drafting.models import Code, LineageLink, LineageTarget, Provision, Round
from app.drafting.permissions import can_manage_rounds
from app.drafting.services import (
    correct_link,
    get_provision,
    get_round,
    neighbour_round,
    round_provisions,
    set_visibility,
    set_window,
    shared_targets,
)


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
                raise BadInput(importer.at_line(name, 1, Message(
                    N_("the file is larger than %(limit)s bytes"), limit=MAX_DRAFT_BYTES)))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(importer.at_line(name, 1, Message(
                    N_("the file is not UTF-8 text")))) from None
            result = importer.import_round(text, name, actor=current_user)
            db.session.commit()
            flash(_imported(result), "info")
            return redirect(url_for("drafting.admin_drafts"))
        except DomainError as failure:
            db.session.rollback()
            error = translated(failure.message)
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
        flash(gettext("Round settings saved."), "info")
        return redirect(url_for("drafting.admin_round", code=code, number=number))
    except DomainError as failure:
        db.session.rollback()
        error = translated(failure.message)
    return render_template("drafting/admin_round.html", round=round_, code=round_.code,
                           visibility=visibility, window=window, error=error)  # fmt: skip


IMPORTED = {"created": N_("%(file)s: created round %(round)s (%(counts)s)"),
            "replaced": N_("%(file)s: replaced round %(round)s (%(counts)s)"),
            "unchanged": N_("%(file)s: unchanged round %(round)s (%(counts)s)")}


def _imported(result: importer.ImportResult) -> str:
    """What the import did, in the reader's language (the command line prints
    `result.summary()`, in English)."""
    links = {
        "added": lambda n: ngettext("%(num)s added", "%(num)s added", n),
        "unchanged": lambda n: ngettext("%(num)s unchanged", "%(num)s unchanged", n),
        "modified": lambda n: ngettext("%(num)s modified", "%(num)s modified", n),
        "moved": lambda n: ngettext("%(num)s moved", "%(num)s moved", n),
        "split": lambda n: ngettext("%(num)s split", "%(num)s split", n),
        "merged": lambda n: ngettext("%(num)s merged", "%(num)s merged", n),
        "removed": lambda n: ngettext("%(num)s removed", "%(num)s removed", n),
    }
    counts = ngettext("%(num)s provision", "%(num)s provisions", result.provisions)
    kinds = [links[kind](n) if kind in links else f"{n} {kind}"
             for kind, n in sorted(result.kinds.items())]
    if kinds:
        counts = gettext("%(provisions)s; %(links)s", provisions=counts, links=", ".join(kinds))
    return gettext(IMPORTED.get(result.status, IMPORTED["created"]), file=result.filename,
                   round=result.round.number, counts=counts)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment else None


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment else None


REVIEW_BELOW = 0.8  # links less certain than this are "to review"; the rest can be shown


@dataclass(frozen=True)
class Review:
    """One link in the review queue: what the engine said, how sure it was, what else it
    weighed, and the two texts with their word diff."""

    link: LineageLink
    source: Provision
    targets: list[Provision]
    alternatives: list[tuple[Provision, float]]
    diff: tuple[Markup, Markup] | None

    @property
    def to_review(self) -> bool:
        return not self.link.corrected and self.link.confidence < REVIEW_BELOW


def _reviews(previous: Round, current: Round) -> list[Review]:
    """The links from `previous` to `current`, least certain first (then in document order)."""
    new_by_key = {p.key: p for p in round_provisions(current)}
    links = db.session.scalars(
        select(LineageLink).where(LineageLink.from_round_id == previous.id)
        .options(selectinload(LineageLink.from_provision),
                 selectinload(LineageLink.targets).selectinload(LineageTarget.to_provision))
    ).all()
    reviews = []
    for link in links:
        targets = sorted((t.to_provision for t in link.targets), key=lambda p: p.position)
        alternatives = [(new_by_key[a["key"]], float(a["score"])) for a in link.alternatives or []
                        if a.get("key") in new_by_key]
        diff = None
        if targets and link.kind != "unchanged":
            diff = render_side_by_side(
                diff_words(link.from_provision.text, "\n\n".join(t.text for t in targets)))
        reviews.append(Review(link, link.from_provision, targets, alternatives, diff))
    return sorted(reviews, key=lambda r: (r.link.corrected, r.link.confidence,
                                          r.source.position))


def _lineage_rounds(code: str, number: int) -> tuple[Round, Round | None]:
    round_ = get_round(code, number, current_user)
    return round_, neighbour_round(round_, -1)


@bp.route("/admin/drafts/<code>/rounds/<int:number>/lineage", methods=["GET", "POST"])
@require(can_manage_rounds)
def admin_lineage(code: str, number: int) -> ResponseReturnValue:
    """The review queue: every link into this round, the least certain first, each with both
    texts, their word diff and the alternatives the engine weighed; confirm or correct."""
    round_, previous = _lineage_rounds(code, number)
    if previous is None:
        return render_template(
            "drafting/admin_lineage.html", round=round_, code=round_.code, previous=None,
            reviews=[], added=[], form=None, error=None)  # fmt: skip
    old, new = round_provisions(previous), round_provisions(round_)
    form = CorrectionForm()
    form.source.choices = [(p.key, p.heading) for p in old]
    form.targets.choices = [(p.key, p.heading) for p in new]
    error = None
    if form.validate_on_submit():
        source = next((p for p in old if p.key == form.source.data), None)
        if source is None:
            raise NotFound()
        chosen = set(form.targets.data or [])
        try:
            link = correct_link(source, [p for p in new if p.key in chosen], current_user)
            db.session.commit()
            flash(gettext("Lineage of %(provision)s corrected.", provision=source.heading), "info")
            _flash_shared(link)
            return redirect(url_for("drafting.admin_lineage", code=code, number=number))
        except DomainError as failure:
            db.session.rollback()
            error = translated(failure.message)
    reviews = _reviews(previous, round_)
    _, added = lineage_between(previous, round_)
    show_all = request.args.get("show") == "all"
    return render_template(
        "drafting/admin_lineage.html", round=round_, code=round_.code, previous=previous,
        reviews=reviews if show_all else [r for r in reviews if r.to_review],
        to_review=sum(r.to_review for r in reviews), total=len(reviews), show_all=show_all,
        added=added, form=form, error=error, action=ActionForm())  # fmt: skip


@bp.route("/admin/drafts/<code>/rounds/<int:number>/lineage/<key>", methods=["POST"])
@require(can_manage_rounds)
def review_link(code: str, number: int, key: str) -> ResponseReturnValue:
    """One click from the queue: confirm a link as it is, or make it one of the alternatives
    (or removed). Stored as a correction: kept on re-import, comments carried again."""
    round_, previous = _lineage_rounds(code, number)
    if previous is None:
        raise NotFound()
    source = get_provision(previous, key)
    if not ActionForm().validate_on_submit():
        raise BadInput(N_("The form expired; reload the page and try again."))
    choice = request.form.get("became", "")
    if choice == "confirm":
        link = db.session.scalar(select(LineageLink).where(
            LineageLink.from_provision_id == source.id))
        targets = [t.to_provision for t in link.targets] if link else []
        message = gettext("Confirmed: %(provision)s.", provision=source.heading)
    elif choice == "removed":
        targets, message = [], gettext("%(provision)s is now marked as removed.",
                                       provision=source.heading)
    else:
        targets = [get_provision(round_, k) for k in choice.split(",") if k]
        if not targets:
            raise BadInput(N_("Choose what the provision became."))
        message = gettext("%(provision)s now links to %(targets)s.", provision=source.heading,
                          targets=", ".join(t.heading for t in targets))
    link = correct_link(source, targets, current_user)
    db.session.commit()
    flash(message, "info")
    _flash_shared(link)
    return redirect(url_for("drafting.admin_lineage", code=code, number=number,
                            **({"show": "all"} if request.args.get("show") else {})))


def _flash_shared(link: LineageLink) -> None:
    """Say so when a corrected target has other sources too: they kept their links, so the
    target is now a merge of them all."""
    for target, sources in shared_targets(link):
        flash(gettext(
            "%(target)s now has more than one source: %(sources)s. Each keeps its link and "
            "they are shown as merged; correct the others if that is wrong.",
            target=target.heading, sources=", ".join(p.heading for p in sources)), "info")


def _admin_nav(user: Any) -> list[NavItem]:
    if not can_manage_rounds(user):
        return []
    return [NavItem(gettext("Draft rounds: upload, settings, lineage"),
                    url_for("drafting.admin_drafts"))]


ADMIN_NAV.append(_admin_nav)

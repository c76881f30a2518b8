"""Pages of the synthesis domain: the chairs' workspace under /chair and the public register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from app.accounts.models import CATEGORY_NAMES
from app.accounts.permissions import can_manage_platform
from app.core.access import require
from app.core.db import db, utcnow
from app.core.errors import DomainError
from app.core.i18n import translated
from app.core.navigation import MAIN_NAV, NavItem
from app.drafting.models import Code, Provision, Round
from app.drafting.services import get_round, visible_rounds
from app.feedback.decisions import proposal_counts, proposals_query
from app.synthesis import forms, services, workspace
from app.synthesis.blueprint import bp
from app.synthesis.listing import run_listing
from app.synthesis.loading import comment_name, editable, load_run, my_groups, scope_allowed
from app.synthesis.models import OUTCOME_LABELS, CodebookEntry, ScopeSetting, Theme, ThemeMember
from app.synthesis.overview import COLUMNS, FILTERS, overview, read_view
from app.synthesis.permissions import can_use_workspace
from app.synthesis.run_messages import run_message

QUEUED_TOO_LONG = dt.timedelta(minutes=1)  # then the page says no worker is running


def _nav(user: Any) -> list[NavItem]:
    if not can_use_workspace(user):
        return []
    return [NavItem(gettext("Synthesis"), url_for("synthesis.index"))]


MAIN_NAV.append(_nav)


@bp.app_template_global()
def synthesis_provision_url(provision: Provision) -> str:
    """Where a provision is read (the drafting domain's page where it has one)."""
    values = {"code": provision.round.code.slug, "number": provision.round.number,
              "key": provision.key}
    try:
        return url_for("drafting.provision", **values)
    except BuildError:
        return f"/codes/{values['code']}/rounds/{values['number']}/provisions/{values['key']}"


@bp.app_template_global()
def category_name(slug: str) -> str:
    return str(CATEGORY_NAMES.get(slug, slug))


bp.add_app_template_global(run_message)


@bp.app_template_global()
def outcome_label(outcome: str) -> str:
    """An outcome or decision in the reader's language ("Partly accepted", "Partiellement
    retenue"); the stored value and the API keep the English key."""
    return gettext(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome


@bp.app_template_global()
def synthesis_script_messages() -> dict[str, str]:
    """What synthesis.js says, in the reader's language (given in a data- attribute of its
    script tag); {shown} and {total} stand for numbers the script writes in."""
    return {"find": gettext("Find a provision"),
            "shown": gettext("Provisions shown: {shown} of {total} (ticked ones always)")}


@bp.route("/chair/synthesis")
@require(can_use_workspace)
def index() -> ResponseReturnValue:
    codes = []
    for code in db.session.scalars(select(Code).order_by(Code.title)
                                   .options(selectinload(Code.rounds))):
        rounds = [r for r in visible_rounds(code, current_user) if not r.final]
        if rounds:
            codes.append((code, rounds))
    return render_template("synthesis/index.html", codes=codes)


def _consulted_round(code: str, number: int) -> Round:
    """The round, 404 if the reader may not see it or if it is the final code (no comments:
    the synthesis index does not list it either)."""
    round_ = get_round(code, number, current_user)
    if round_.final:
        abort(404)
    return round_


@bp.route("/chair/codes/<code>/rounds/<int:number>/synthesis")
@require(can_use_workspace)
def round_page(code: str, number: int) -> ResponseReturnValue:
    round_ = _consulted_round(code, number)
    scopes = [s for s in services.scope_options(round_, my_groups()) if scope_allowed(s)]
    rows = []
    by_scope = services.runs_by_scope(round_)
    for scope in scopes:
        runs = by_scope.get(scope.key, [])
        latest = next((r for r in runs if r.status == "done"), None)
        rows.append((scope, runs[0] if runs else None, latest))
    groups = my_groups()
    counts = proposal_counts(proposals_query(
        round_, group_ids=None if groups is None else [g.id for g in groups]))
    return render_template("synthesis/round.html", round=round_, rows=rows,
                           form=forms.RunForm(), proposals=counts)


@bp.route("/chair/codes/<code>/rounds/<int:number>/synthesis/run", methods=["POST"])
@require(can_use_workspace)
def start_run(code: str, number: int) -> ResponseReturnValue:
    from app.synthesis.tasks import queue_synthesis

    round_ = _consulted_round(code, number)
    form = forms.RunForm()
    if not form.validate_on_submit():
        abort(400)
    kind, _, value = (form.scope.data or "").partition(":")
    try:
        scope = services.resolve_scope(
            round_, provision=value if kind == "provision" else None,
            group=value if kind == "group" else None)
    except DomainError:
        abort(404)
    if kind not in ("provision", "group", "round") or not scope_allowed(scope):
        abort(404)
    run = services.create_run(round_, provision=scope.provision_key, group=scope.group,
                              actor=current_user)
    db.session.commit()
    queue_synthesis(run)  # the task commits its own work; a queue that is down leaves it queued
    flash(gettext("The synthesis has been queued; this page shows its progress."), "info")
    return redirect(url_for("synthesis.run_page", run_id=run.id))


@bp.route("/chair/runs/<int:run_id>")
@require(can_use_workspace)
def run_page(run_id: int) -> ResponseReturnValue:
    run = services.load_run(load_run(run_id))
    scope = services.scope_of(run)
    latest = services.latest_run(run.round, provision=scope.provision_key, group=scope.group)
    listing = run_listing(run, request.args.get("unassigned", 1, type=int),
                          request.args.get("campaigns", 1, type=int))
    stalled = run.status == "queued" and utcnow() - run.created_at > QUEUED_TOO_LONG
    summariser = None
    if current_app.config.get("PLENARY_SUMMARISER_URL") and can_manage_platform(current_user):
        summariser = bool(db.session.scalar(select(ScopeSetting.summarise_private).where(
            ScopeSetting.round_id == run.round_id, ScopeSetting.scope_key == run.scope_key)))
    view = read_view(request.args)
    relevant = [t for t in run.themes if not t.identity.not_relevant]
    return render_template("synthesis/run.html", run=run, scope=scope, latest=latest,
                           listing=listing, stalled=stalled, editable=editable(run),
                           move=forms.MoveForm(),
                           move_choices=[(t.id, t.display_label) for t in run.themes],
                           summariser=summariser, view=view, rows=overview(relevant, view),
                           relevant=relevant,
                           columns={k: gettext(v) for k, v in COLUMNS.items()},
                           filters={k: gettext(v) for k, v in FILTERS.items()})


@bp.route("/chair/runs/<int:run_id>/comments/<int:comment_id>/move", methods=["POST"])
@require(can_use_workspace)
def move_unassigned(run_id: int, comment_id: int) -> ResponseReturnValue:
    """Put a comment the run left unassigned into one of its themes (remembered for re-runs,
    as every move is): a chair's answer to noise set aside wrongly."""
    run = load_run(run_id)
    form = forms.MoveForm()
    form.target.choices = [SelectChoice(t.id, t.label) for t in run.themes]
    back = redirect(url_for("synthesis.run_page", run_id=run.id))  # its top: the message
    target = db.session.get(Theme, form.target.data) if form.validate_on_submit() else None
    if target is None or target.run_id != run.id:
        flash(gettext("Nothing was changed: choose one of this run's themes."), "error")
        return back
    held = db.session.scalar(select(ThemeMember.id).where(
        ThemeMember.run_id == run.id, ThemeMember.comment_id == comment_id,
        ThemeMember.theme_id.is_(None)))
    if held is None:  # moved since the page was opened, or never part of the run
        flash(gettext("Nothing was changed: that comment is no longer unassigned."), "error")
        return back
    try:
        workspace.move_comments(run, [comment_id], target, actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(translated(error.message), "error")
        return back
    flash(gettext("Saved: comment %(name)s was moved to %(where)s.", name=comment_name(comment_id),
                  where=gettext("“%(theme)s”", theme=target.display_label)), "info")
    return back


@bp.route("/chair/runs/<int:run_id>/summariser", methods=["POST"])
@require(can_manage_platform)
def summariser_privacy(run_id: int) -> ResponseReturnValue:
    """The secretariat lets the optional summariser read this scope's private comments, or
    stops it (the next run of the scope applies it)."""
    run = load_run(run_id)
    if not forms.SplitForm().validate_on_submit():
        abort(400)
    allowed = request.form.get("allowed") == "1"
    workspace.allow_private_summaries(run.round, run.scope_key, allowed, actor=current_user)
    db.session.commit()
    flash(gettext("Saved: the summariser may now read this scope's private comments (from the "
                  "next run).") if allowed
          else gettext("Saved: the summariser reads only published comments of this scope."),
          "info")
    return redirect(url_for("synthesis.run_page", run_id=run.id))


@bp.route("/chair/runs/<int:run_id>/codebook", methods=["GET", "POST"])
@require(can_use_workspace)
def codebook(run_id: int) -> ResponseReturnValue:
    run = load_run(run_id)
    form = forms.CodebookForm()
    status = 400 if request.method == "POST" else 200  # refused, shown again with the text
    if form.validate_on_submit():
        try:
            workspace.add_codebook_entry(run.round, run.scope_key, form.title.data or "",
                                         form.description.data or "", actor=current_user)
            db.session.commit()
            flash(gettext("Added to the codebook. Run the synthesis again to apply it."), "info")
            return redirect(url_for("synthesis.codebook", run_id=run.id))
        except DomainError as error:
            db.session.rollback()
            flash(translated(error.message), "error")
            status = error.status  # 409 for a title the codebook has
    entries = workspace.codebook(run.round, run.scope_key)
    return render_template("synthesis/codebook.html", run=run, form=form, entries=entries,
                           scope=services.scope_of(run)), status


@bp.route("/chair/runs/<int:run_id>/codebook/<int:entry_id>/delete", methods=["POST"])
@require(can_use_workspace)
def codebook_delete(run_id: int, entry_id: int) -> ResponseReturnValue:
    run = load_run(run_id)
    entry = db.session.get(CodebookEntry, entry_id)
    if entry is None or entry.round_id != run.round_id or entry.scope_key != run.scope_key:
        abort(404)
    if not forms.SplitForm().validate_on_submit():
        abort(400)
    workspace.remove_codebook_entry(entry, actor=current_user)
    db.session.commit()
    flash(gettext("Removed from the codebook."), "info")
    return redirect(url_for("synthesis.codebook", run_id=run.id))

"""Pages of the synthesis domain: the chairs' workspace under /chair and the public register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from app.accounts.models import CATEGORY_NAMES, WorkingGroup
from app.accounts.permissions import can_manage_platform, is_secretariat
from app.core.access import require
from app.core.db import db, utcnow
from app.core.errors import DomainError
from app.core.navigation import MAIN_NAV, NavItem
from app.drafting.models import Code, Provision
from app.drafting.services import get_round, neighbour_round, visible_rounds
from app.feedback.decisions import proposal_counts, proposals_query
from app.synthesis import forms, services, workspace
from app.synthesis.blueprint import bp
from app.synthesis.models import CodebookEntry, ScopeSetting, SynthesisRun, Theme
from app.synthesis.permissions import can_synthesise_scope, can_use_workspace

PAGE_SIZE = 100
QUEUED_TOO_LONG = dt.timedelta(minutes=1)  # then the page says no worker is running


def _nav(user: Any) -> list[NavItem]:
    return [NavItem("Synthesis", url_for("synthesis.index"))] if can_use_workspace(user) else []


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
    return CATEGORY_NAMES.get(slug, slug)


def _run(run_id: int) -> SynthesisRun:
    run = db.session.get(SynthesisRun, run_id)
    if run is None or not _scope_allowed(services.scope_of(run)):
        abort(404)
    return run


def _theme(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    _run(theme.run_id)
    return theme


def _my_groups() -> list[WorkingGroup] | None:
    if is_secretariat(current_user):
        return None
    ids = current_user.chaired_group_ids
    return list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.id.in_(ids)).order_by(WorkingGroup.slug)))


def _scope_allowed(scope: services.Scope) -> bool:
    return can_synthesise_scope(current_user, scope.round, services.scope_group_id(scope),
                                scope.kind == "round")


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


@bp.route("/chair/codes/<code>/rounds/<int:number>/synthesis")
@require(can_use_workspace)
def round_page(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    scopes = [s for s in services.scope_options(round_, _my_groups()) if _scope_allowed(s)]
    rows = []
    by_scope = services.runs_by_scope(round_)
    for scope in scopes:
        runs = by_scope.get(scope.key, [])
        latest = next((r for r in runs if r.status == "done"), None)
        rows.append((scope, runs[0] if runs else None, latest))
    groups = _my_groups()
    counts = proposal_counts(proposals_query(
        round_, group_ids=None if groups is None else [g.id for g in groups]))
    return render_template("synthesis/round.html", round=round_, rows=rows,
                           form=forms.RunForm(), proposals=counts)


@bp.route("/chair/codes/<code>/rounds/<int:number>/synthesis/run", methods=["POST"])
@require(can_use_workspace)
def start_run(code: str, number: int) -> ResponseReturnValue:
    from app.synthesis.tasks import queue_synthesis

    round_ = get_round(code, number, current_user)
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
    if kind not in ("provision", "group", "round") or not _scope_allowed(scope):
        abort(404)
    run = services.create_run(round_, provision=scope.provision_key, group=scope.group,
                              actor=current_user)
    db.session.commit()
    queue_synthesis(run)  # the task commits its own work; a queue that is down leaves it queued
    flash("The synthesis has been queued; this page shows its progress.", "info")
    return redirect(url_for("synthesis.run_page", run_id=run.id))


@bp.route("/chair/runs/<int:run_id>")
@require(can_use_workspace)
def run_page(run_id: int) -> ResponseReturnValue:
    run = services.load_run(_run(run_id))
    scope = services.scope_of(run)
    latest = services.latest_run(run.round, provision=scope.provision_key, group=scope.group)
    unassigned = [m for m in run.members if m.theme_id is None]
    stalled = run.status == "queued" and utcnow() - run.created_at > QUEUED_TOO_LONG
    summariser = None
    if current_app.config.get("PLENARY_SUMMARISER_URL") and can_manage_platform(current_user):
        summariser = bool(db.session.scalar(select(ScopeSetting.summarise_private).where(
            ScopeSetting.round_id == run.round_id, ScopeSetting.scope_key == run.scope_key)))
    return render_template("synthesis/run.html", run=run, scope=scope, latest=latest,
                           unassigned=unassigned, comments=_comments(run), stalled=stalled,
                           summariser=summariser)


def _comments(run: SynthesisRun) -> dict[int, Any]:
    return {m.comment_id: m.comment for m in run.members}


@bp.route("/chair/runs/<int:run_id>/themes/<int:theme_id>")
@require(can_use_workspace)
def theme_page(run_id: int, theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    if theme.run_id != run_id:
        abort(404)
    run = theme.run
    page = max(1, request.args.get("page", 1, type=int) or 1)
    members = theme.members
    shown = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    services.load_run(run, members=False)
    comments = services.load_comments([m.comment_id for m in shown])
    others = [t for t in run.themes if t.id != theme.id]
    merge = forms.MergeForm(prefix="merge")
    merge.target.choices = [SelectChoice(t.id, f"{t.display_label} ({t.size})") for t in others]
    move_choices = [(t.id, t.display_label) for t in others] + [(0, "Unassigned")]
    respond = forms.RespondForm(prefix="respond")
    response = theme.identity.response
    respond.provisions.choices = _provision_choices(theme)
    if response is not None and not respond.is_submitted():
        respond.outcome.data = response.outcome
        respond.reason.data = response.reason
        respond.published.data = response.published
        respond.provisions.data = [link.provision_key for link in response.provisions]
    rename = forms.RenameForm(prefix="rename", title=theme.identity.title or "")
    note = forms.NoteForm(prefix="note", note=theme.identity.note)
    campaign_of = {m.comment_id: c for c in run.campaigns for m in c.members}
    return render_template(
        "synthesis/theme.html", run=run, theme=theme, members=shown, comments=comments,
        page=page,
        pages=max(1, -(-len(members) // PAGE_SIZE)), merge=merge, move_choices=move_choices,
        respond=respond, rename=rename, note=note, relevance=forms.RelevanceForm(),
        split=forms.SplitForm(), move=forms.MoveForm(), campaign_of=campaign_of,
        next_round=neighbour_round(run.round, 1), editable=_editable(run),
        scope=services.scope_of(run))


def _provision_choices(theme: Theme) -> list[SelectChoice]:
    return [SelectChoice(p.key, p.heading) for p in workspace.next_round_provisions(theme)]


def _editable(run: SynthesisRun) -> bool:
    scope = services.scope_of(run)
    latest = services.latest_run(run.round, provision=scope.provision_key, group=scope.group)
    return latest is not None and latest.id == run.id


def _act(theme: Theme, action: Any) -> Any:
    """Run a chair's edit, commit, and go back to the theme (or show the refusal)."""
    run_id = theme.run_id
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("synthesis.theme_page", run_id=run_id, theme_id=theme.id))
    target = result if isinstance(result, Theme) else theme
    return redirect(url_for("synthesis.theme_page", run_id=run_id, theme_id=target.id))


@bp.route("/chair/themes/<int:theme_id>/rename", methods=["POST"])
@require(can_use_workspace)
def rename(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.RenameForm(prefix="rename")
    if not form.validate_on_submit():
        abort(400)
    return _act(theme, lambda: workspace.rename_theme(theme, form.title.data or "",
                                                      actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/note", methods=["POST"])
@require(can_use_workspace)
def note(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.NoteForm(prefix="note")
    if not form.validate_on_submit():
        abort(400)
    return _act(theme, lambda: workspace.set_note(theme, form.note.data or "",
                                                  actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/relevance", methods=["POST"])
@require(can_use_workspace)
def relevance(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.RelevanceForm()
    if not form.validate_on_submit():
        abort(400)
    flag = form.not_relevant.data == "1"
    return _act(theme, lambda: workspace.set_not_relevant(theme, flag, actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/merge", methods=["POST"])
@require(can_use_workspace)
def merge(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.MergeForm(prefix="merge")
    form.target.choices = [SelectChoice(t.id, t.label) for t in theme.run.themes
                           if t.id != theme.id]
    if not form.validate_on_submit():
        abort(400)
    target = db.session.get(Theme, form.target.data)
    if target is None or target.run_id != theme.run_id:
        abort(400)
    return _act(theme, lambda: workspace.merge_themes(theme, target, actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/split", methods=["POST"])
@require(can_use_workspace)
def split(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    if not forms.SplitForm().validate_on_submit():
        abort(400)
    return _act(theme, lambda: workspace.split_theme(theme, actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/comments/<int:comment_id>/move", methods=["POST"])
@require(can_use_workspace)
def move(theme_id: int, comment_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.MoveForm()
    form.target.choices = [SelectChoice(t.id, t.label) for t in theme.run.themes]
    form.target.choices.append(SelectChoice(0, "Unassigned"))
    if not form.validate_on_submit():
        abort(400)
    target = db.session.get(Theme, form.target.data) if form.target.data else None
    return _act(theme, lambda: workspace.move_comment(theme.run, comment_id, target,
                                                      actor=current_user))


@bp.route("/chair/themes/<int:theme_id>/respond", methods=["POST"])
@require(can_use_workspace)
def respond(theme_id: int) -> ResponseReturnValue:
    theme = _theme(theme_id)
    form = forms.RespondForm(prefix="respond")
    form.provisions.choices = _provision_choices(theme)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id,
                                theme_id=theme.id))
    return _act(theme, lambda: workspace.respond(
        theme, form.outcome.data or "", form.reason.data or "", form.provisions.data or [],
        published=bool(form.published.data), actor=current_user))


@bp.route("/chair/runs/<int:run_id>/summariser", methods=["POST"])
@require(can_manage_platform)
def summariser_privacy(run_id: int) -> ResponseReturnValue:
    """The secretariat lets the optional summariser read this scope's private comments, or
    stops it (the next run of the scope applies it)."""
    run = _run(run_id)
    if not forms.SplitForm().validate_on_submit():
        abort(400)
    allowed = request.form.get("allowed") == "1"
    workspace.allow_private_summaries(run.round, run.scope_key, allowed, actor=current_user)
    db.session.commit()
    flash("Saved: the summariser may now read this scope's private comments (from the next run)."
          if allowed else "Saved: the summariser reads only published comments of this scope.",
          "info")
    return redirect(url_for("synthesis.run_page", run_id=run.id))


@bp.route("/chair/runs/<int:run_id>/codebook", methods=["GET", "POST"])
@require(can_use_workspace)
def codebook(run_id: int) -> ResponseReturnValue:
    run = _run(run_id)
    form = forms.CodebookForm()
    if form.validate_on_submit():
        try:
            workspace.add_codebook_entry(run.round, run.scope_key, form.title.data or "",
                                         form.description.data or "", actor=current_user)
            db.session.commit()
            flash("Added to the codebook. Run the synthesis again to apply it.", "info")
            return redirect(url_for("synthesis.codebook", run_id=run.id))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    entries = workspace.codebook(run.round, run.scope_key)
    return render_template("synthesis/codebook.html", run=run, form=form, entries=entries,
                           scope=services.scope_of(run))


@bp.route("/chair/runs/<int:run_id>/codebook/<int:entry_id>/delete", methods=["POST"])
@require(can_use_workspace)
def codebook_delete(run_id: int, entry_id: int) -> ResponseReturnValue:
    run = _run(run_id)
    entry = db.session.get(CodebookEntry, entry_id)
    if entry is None or entry.round_id != run.round_id or entry.scope_key != run.scope_key:
        abort(404)
    if not forms.SplitForm().validate_on_submit():
        abort(400)
    workspace.remove_codebook_entry(entry, actor=current_user)
    db.session.commit()
    flash("Removed from the codebook.", "info")
    return redirect(url_for("synthesis.codebook", run_id=run.id))

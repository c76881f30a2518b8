"""A theme's page in the chairs' workspace and the edits made from it: rename, note, not
relevant, merge, split, move comments, respond. Every edit ends with a message saying what was
saved; merging and marking not relevant ask for confirmation first (a page, no JavaScript)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from app.core.access import require
from app.core.db import db
from app.core.errors import BadInput, DomainError
from app.core.i18n import N_, translated
from app.drafting.services import neighbour_round
from app.feedback.accountability import settled
from app.synthesis import forms, services, workspace
from app.synthesis.blueprint import bp
from app.synthesis.listing import campaign_letter_ids, theme_listing
from app.synthesis.loading import (
    comment_name,
    editable,
    load_run,
    load_theme,
    merged_answers,
)
from app.synthesis.models import Theme, ThemeMember
from app.synthesis.permissions import can_use_workspace


@bp.route("/chair/runs/<int:run_id>/themes/<int:theme_id>")
@require(can_use_workspace)
def theme_page(run_id: int, theme_id: int) -> ResponseReturnValue:
    theme = _theme_of(run_id, theme_id)
    return _show(theme) if isinstance(theme, Theme) else theme


def _theme_of(run_id: int, theme_id: int) -> Theme | ResponseReturnValue:
    """The theme of the run (404 if the reader may not see it), or, if it was merged away
    since the link was taken, a redirect to the run's themes saying so."""
    if db.session.get(Theme, theme_id) is None:
        run = load_run(run_id)
        flash(gettext("The theme you opened is no longer there: it was merged into another "
                      "theme, or its scope was run again. These are the run's themes now."),
              "error")
        return redirect(url_for("synthesis.run_page", run_id=run.id))
    theme = load_theme(theme_id)
    if theme.run_id != run_id:
        abort(404)
    return theme


def _show(theme: Theme, status: int = 200, **sent: Any) -> ResponseReturnValue:
    """The theme's page; `sent` holds a refused form (rename, note, respond) to show again with
    its errors and what the chair typed (answered 400), instead of a fresh one. Only what the
    page shows is read: a page of its campaigns and a page of its other comments."""
    run = services.load_run(theme.run)
    listing = theme_listing(theme, request.args.get("page", 1, type=int),
                            request.args.get("campaigns", 1, type=int))
    others = [t for t in run.themes if t.id != theme.id]
    merge = forms.MergeForm(prefix="merge")
    merge.target.choices = [SelectChoice(t.id, f"{t.display_label} ({t.size})") for t in others]
    respond = sent.get("respond") or forms.RespondForm(prefix="respond", formdata=None)
    response = theme.identity.response
    respond.provisions.choices = _provision_choices(theme)
    if response is not None and "respond" not in sent:
        respond.outcome.data = response.outcome
        respond.reason.data = response.reason
        respond.published.data = response.published
        respond.provisions.data = [link.provision_key for link in response.provisions]
    return render_template(
        "synthesis/theme.html", run=run, theme=theme, listing=listing,
        merge=merge,
        move_choices=[(t.id, t.display_label) for t in others] + [(0, gettext("Unassigned"))],
        respond=respond,
        rename=sent.get("rename") or forms.RenameForm(prefix="rename", formdata=None,
                                                      title=theme.display_label),
        note=sent.get("note") or forms.NoteForm(prefix="note", formdata=None,
                                                note=theme.identity.note),
        relevance=forms.RelevanceForm(), split=forms.SplitForm(), move=forms.MoveForm(),
        next_round=neighbour_round(run.round, 1), editable=editable(run),
        merged_answers=merged_answers(theme),
        scope=services.scope_of(run)), status


def _provision_choices(theme: Theme) -> list[SelectChoice]:
    return [SelectChoice(p.key, p.heading) for p in workspace.next_round_provisions(theme)]


def _act(theme: Theme, action: Callable[[], Any], saved: Callable[[Any], str]) -> Any:
    """Run a chair's edit, commit, say what was saved and go back to the theme (the one the
    edit returned, if any); a refusal is shown instead and nothing is kept."""
    run_id = theme.run_id
    try:
        result = action()
        message = saved(result)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(translated(error.message), "error")
        return redirect(url_for("synthesis.theme_page", run_id=run_id, theme_id=theme.id))
    flash(message, "info")
    target = result if isinstance(result, Theme) else theme
    return redirect(url_for("synthesis.theme_page", run_id=run_id, theme_id=target.id))


def _confirm(theme: Theme, question: str, explanation: str, action: str, fields: dict[str, Any],
             button: str, danger: bool = False) -> ResponseReturnValue:
    """The confirmation step: the same form again with `fields` (its confirm field set to 1),
    or back to the theme."""
    return render_template(
        "synthesis/confirm.html", theme=theme, run=theme.run, scope=services.scope_of(theme.run),
        question=question, explanation=explanation, action=action, fields=fields,
        button=button, danger=danger, form=forms.SplitForm())


@bp.route("/chair/themes/<int:theme_id>/rename", methods=["POST"])
@require(can_use_workspace)
def rename(theme_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.RenameForm(prefix="rename")
    if not form.validate_on_submit():
        return _show(theme, 400, rename=form)
    before = theme.display_label
    wanted = " ".join((form.title.data or "").split())
    if wanted == before or (not wanted and theme.identity.title is None):
        flash(gettext("Nothing to save: the theme is already called “%(title)s”.", title=before),
              "info")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))

    def saved(_: Any) -> str:
        if theme.identity.title is None:
            return gettext("Saved: the theme uses its generated label “%(label)s” again.",
                           label=theme.label)
        return gettext("Saved: “%(before)s” is now called “%(after)s”.", before=before,
                       after=theme.display_label)

    return _act(theme, lambda: workspace.rename_theme(theme, form.title.data or "",
                                                      actor=current_user), saved)


@bp.route("/chair/themes/<int:theme_id>/note", methods=["POST"])
@require(can_use_workspace)
def note(theme_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _show(theme, 400, note=form)
    had = bool(theme.identity.note)
    return _act(theme, lambda: workspace.set_note(theme, form.note.data or "",
                                                  actor=current_user),
                lambda _: gettext("Saved: the note for the chairs.") if theme.identity.note
                else gettext("Saved: the note was removed.") if had
                else gettext("Nothing to save: the theme has no note."))


@bp.route("/chair/themes/<int:theme_id>/relevance", methods=["POST"])
@require(can_use_workspace)
def relevance(theme_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.RelevanceForm()
    if not form.validate_on_submit() or form.not_relevant.data not in ("0", "1"):
        raise BadInput(N_("The form was not understood: use the buttons of the theme's page "
                          "to mark it relevant or not relevant."))
    flag = form.not_relevant.data == "1"
    if flag and form.confirm.data != "1":
        return _to_confirm(theme, "not-relevant")
    label = theme.display_label
    return _act(theme, lambda: workspace.set_not_relevant(theme, flag, actor=current_user),
                lambda _: gettext("Saved: “%(theme)s” is marked not relevant.", theme=label)
                if flag else gettext("Saved: “%(theme)s” is relevant again.", theme=label))


def _to_confirm(theme: Theme, action: str, **args: Any) -> ResponseReturnValue:
    """To the confirmation page of `action` (a GET, 303): going back to it after the edit is
    done reloads a page, not a form the browser would offer to send again."""
    return redirect(url_for("synthesis.confirm", run_id=theme.run_id, theme_id=theme.id,
                            action=action, **args), 303)


@bp.route("/chair/runs/<int:run_id>/themes/<int:theme_id>/confirm/<any(merge, 'not-relevant')"
          ":action>")
@require(can_use_workspace)
def confirm(run_id: int, theme_id: int, action: str) -> ResponseReturnValue:
    """The question asked before a merge or a "not relevant" mark, with its button. A theme
    gone since (merged) sends the chair to the run's themes as the theme page does; one already
    marked, back to its page."""
    theme = _theme_of(run_id, theme_id)
    if not isinstance(theme, Theme):
        return theme
    if action == "not-relevant":
        if theme.identity.not_relevant:
            return redirect(url_for("synthesis.theme_page", run_id=run_id, theme_id=theme_id))
        return _relevance_question(theme)
    target = db.session.get(Theme, request.args.get("target", type=int) or 0)
    if target is None or target.run_id != theme.run_id or target.id == theme.id:
        return _not_understood(theme)
    return _merge_question(theme, target)


def _relevance_question(theme: Theme) -> ResponseReturnValue:
    return _confirm(
        theme, gettext("Mark “%(theme)s” as not relevant?", theme=theme.display_label),
        ngettext("Its %(num)s comment stays in the theme, but the theme leaves the overview "
                 "and is listed under “Marked not relevant”. Re-runs keep the mark; you can "
                 "undo it from the theme's page.",
                 "Its %(num)s comments stay in the theme, but the theme leaves the overview "
                 "and is listed under “Marked not relevant”. Re-runs keep the mark; you can "
                 "undo it from the theme's page.", theme.size)
        + _answered_note(theme, gettext("Its published answer stays on the public register.")),
        url_for("synthesis.relevance", theme_id=theme.id),
        {"not_relevant": "1", "confirm": "1"},
        gettext("Yes, mark as not relevant"), danger=True)


def _merge_question(theme: Theme, target: Theme) -> ResponseReturnValue:
    source_label, target_label = theme.display_label, target.display_label
    return _confirm(
        theme, gettext("Merge “%(source)s” into “%(target)s”?", source=source_label,
                       target=target_label),
        ngettext("The %(num)s comment of “%(source)s” joins the %(size)s of “%(target)s”, "
                 "which keeps its name. Re-runs keep the merge.",
                 "The %(num)s comments of “%(source)s” join the %(size)s of “%(target)s”, "
                 "which keeps its name. Re-runs keep the merge.", theme.size,
                 source=source_label, target=target_label, size=target.size)
        + _answered_note(theme, gettext("The published answer to “%(source)s” stays on the "
                                        "public register, as merged into “%(target)s”.",
                                        source=source_label, target=target_label))
        + _answered_note(target, gettext("Check that the published answer to “%(target)s” "
                                         "still fits the comments it gains.",
                                         target=target_label)),
        url_for("synthesis.merge", theme_id=theme.id),
        {"merge-target": target.id, "merge-confirm": "1"},
        gettext("Yes, merge"))


def _not_understood(theme: Theme) -> ResponseReturnValue:
    """The theme's page again saying why nothing was done: a form sent without its token, or
    naming a theme that is no longer part of the run (a page left open while it changed). After
    a POST, by a redirect (going back then reloads a page, it does not send the form again);
    a confirmation page asked with a bad target answers 400 itself."""
    flash(gettext("Nothing was changed: the form was incomplete, or the theme you chose is no "
                  "longer part of this run. Choose again on this page."), "error")
    if request.method == "POST":
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))
    return _show(theme, status=400)


def _answered_note(theme: Theme, note: str) -> str:
    """`note` as a further sentence of a confirmation if the theme has a published answer."""
    response = theme.identity.response
    return f" {note}" if response is not None and response.published else ""


@bp.route("/chair/themes/<int:theme_id>/merge", methods=["POST"])
@require(can_use_workspace)
def merge(theme_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.MergeForm(prefix="merge")
    form.target.choices = [SelectChoice(t.id, t.label) for t in theme.run.themes
                           if t.id != theme.id]
    target = db.session.get(Theme, form.target.data) if form.validate_on_submit() else None
    if target is None or target.run_id != theme.run_id:
        return _not_understood(theme)
    if form.confirm.data != "1":
        return _to_confirm(theme, "merge", target=target.id)
    source_label, target_label = theme.display_label, target.display_label
    return _act(theme, lambda: workspace.merge_themes(theme, target, actor=current_user),
                lambda merged: gettext("Saved: “%(source)s” was merged into “%(target)s”, which "
                                       "now has %(size)s comments.", source=source_label,
                                       target=target_label, size=merged.size))


@bp.route("/chair/themes/<int:theme_id>/split", methods=["POST"])
@require(can_use_workspace)
def split(theme_id: int) -> ResponseReturnValue:
    from app.synthesis.tasks import queue_title

    theme = load_theme(theme_id)
    form = forms.SplitForm()
    if not form.validate_on_submit():
        abort(400)
    label = theme.display_label
    if form.size.data and form.size.data != str(theme.size):  # sent again, or from an old page
        flash(gettext("“%(theme)s” changed since the page was opened: it now has %(num)s "
                      "comments. Nothing was split; split it again if you still wish.",
                      theme=label, num=theme.size), "error")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))
    made: list[int] = []

    def split_off() -> Theme:
        new = workspace.split_theme(theme, actor=current_user)
        made.append(new.id)
        return new

    page = _act(theme, split_off,
                lambda new: ngettext("Saved: “%(theme)s” was split in two; this is the new theme, "
                                     "with %(num)s comment.",
                                     "Saved: “%(theme)s” was split in two; this is the new theme, "
                                     "with %(num)s comments.", new.size, theme=label))
    if made and db.session.get(Theme, made[0]) is not None:  # saved: title it as a run would
        queue_title(made[0], theme_id)
    return page


@bp.route("/chair/themes/<int:theme_id>/comments/<int:comment_id>/move", methods=["POST"])
@require(can_use_workspace)
def move(theme_id: int, comment_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.MoveForm()
    form.target.choices = [SelectChoice(t.id, t.label) for t in theme.run.themes]
    form.target.choices.append(SelectChoice(0, gettext("Unassigned")))
    if not form.validate_on_submit():
        return _not_understood(theme)
    target = db.session.get(Theme, form.target.data) if form.target.data else None
    where = (gettext("“%(theme)s”", theme=target.display_label) if target is not None
             else gettext("Unassigned"))
    ids = campaign_letter_ids(theme, comment_id) if form.campaign.data == "1" else [comment_id]
    held = db.session.scalar(select(func.count(ThemeMember.id)).where(
        ThemeMember.theme_id == theme.id, ThemeMember.comment_id.in_(ids)))
    if held != len(set(ids)):  # moved elsewhere since the page was opened
        flash(gettext("Nothing was changed: that comment is no longer in this theme."), "error")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))
    if target is not None and target.id == theme.id:
        flash(gettext("Nothing to move: that is already in %(where)s.", where=where), "info")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))
    return _act(theme, lambda: workspace.move_comments(theme.run, ids, target,
                                                       actor=current_user),
                lambda n: gettext("Saved: comment %(name)s was moved to %(where)s.",
                                  name=comment_name(comment_id), where=where) if n == 1
                else gettext("Saved: the campaign's %(count)s letters were moved to %(where)s.",
                             count=n, where=where))


@bp.route("/chair/themes/<int:theme_id>/respond", methods=["POST"])
@require(can_use_workspace)
def respond(theme_id: int) -> ResponseReturnValue:
    theme = load_theme(theme_id)
    form = forms.RespondForm(prefix="respond")
    form.provisions.choices = _provision_choices(theme)
    if not form.validate_on_submit():
        return _show(theme, 400, respond=form)
    published = bool(form.published.data)
    if workspace.same_response(theme, form.outcome.data or "", form.reason.data or "",
                               form.provisions.data or [], published):
        flash(gettext("Nothing to save: the response already reads as sent."), "info")
        return redirect(url_for("synthesis.theme_page", run_id=theme.run_id, theme_id=theme.id))
    return _act(theme, lambda: workspace.respond(
        theme, form.outcome.data or "", form.reason.data or "", form.provisions.data or [],
        published=published, actor=current_user),
        lambda response: _responded(theme, response, theme.display_label, published))


def _responded(theme: Theme, response: Any, label: str, published: bool) -> str:
    """What was saved, naming the linked provisions as chairs read them ("Measure 5.3 ..."),
    and how the public register names a theme whose title is not public."""
    message = _responded_text(theme, response, label, published)
    if published and theme.identity.title is None:
        message += " " + gettext(
            "The public register names it “Theme %(id)s”: its title uses words of comments "
            "that are not public. Rename the theme to give it a title of your own.",
            id=theme.identity_id)
    return message


def _responded_text(theme: Theme, response: Any, label: str, published: bool) -> str:
    headings = {p.key: p.heading for p in workspace.next_round_provisions(theme)}
    values = {"outcome": gettext(response.outcome_name), "theme": label,
              "keys": ", ".join(headings.get(p.provision_key, p.provision_key)
                                for p in response.provisions)}
    if published and settled(theme.run.round):  # the register is public already
        return (gettext("Saved: the response “%(outcome)s” to “%(theme)s”, linked to %(keys)s; "
                        "it is on the public register.", **values) if response.provisions else
                gettext("Saved: the response “%(outcome)s” to “%(theme)s”; it is on the public "
                        "register.", **values))
    if response.provisions and published:
        return gettext("Saved: the response “%(outcome)s” to “%(theme)s”, linked to %(keys)s; it "
                       "appears on the public register once the consultation has closed.",
                       **values)
    if response.provisions:
        return gettext("Saved: the response “%(outcome)s” to “%(theme)s”, linked to %(keys)s; it "
                       "is not published.", **values)
    if published:
        return gettext("Saved: the response “%(outcome)s” to “%(theme)s”; it appears on the "
                       "public register once the consultation has closed.", **values)
    return gettext("Saved: the response “%(outcome)s” to “%(theme)s”; it is not published.",
                   **values)

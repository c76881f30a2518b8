"""Pages of the feedback domain: the provision panel, commenting, my feedback, moderation,
exports and the secretariat's bulk import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from app.accounts.forms import ActionForm
from app.accounts.limits import account_key
from app.accounts.models import User, WorkingGroup
from app.core import audit
from app.core.access import check
from app.core.db import db
from app.core.errors import DomainError, NotAllowed, NotFound
from app.core.extensions import limiter
from app.core.i18n import N_, translated
from app.core.panels import comment_fates
from app.drafting.models import Provision
from app.drafting.permissions import can_view_round
from app.drafting.services import get_round, round_provisions
from app.feedback import bulk, services
from app.feedback.annotations import provision_path
from app.feedback.carry import comment_status, latest_carries
from app.feedback.export import COLUMNS, comments_csv, scope_comments
from app.feedback.forms import CommentForm, EditCommentForm, HideForm, ImportForm, ReplyForm
from app.feedback.models import POST_LIMIT, Comment
from app.feedback.names import outcome_name, script_messages, stance_name, status_name
from app.feedback.panel import render as _render
from app.feedback.panel import round_visible as _round_visible
from app.feedback.panel import window_message
from app.feedback.permissions import (
    can_edit_comment,
    can_export,
    can_moderate,
    can_view_comment,
    is_author,
)

bp = Blueprint("feedback", __name__)
for _helper in (stance_name, status_name, outcome_name, script_messages):
    bp.add_app_template_global(_helper)


def _provision(provision_id: int) -> Provision:
    """A provision of a round the current user may see, else 404."""
    provision = db.session.get(Provision, provision_id)
    check(provision is not None and can_view_round(current_user, provision.round))
    return provision  # type: ignore[return-value]


def _comment(comment_id: int) -> Comment:
    """A comment the current user may see, else 404 (so its existence is not revealed)."""
    comment = db.session.get(Comment, comment_id)
    check(comment is not None and can_view_comment(current_user, comment))
    return comment  # type: ignore[return-value]


def _authored(comment_id: int) -> Comment:
    """A comment the current user wrote, in a round they may still see; 403 for a visible
    comment of someone else, 404 once its round is no longer visible to them."""
    comment = _comment(comment_id)
    check(is_author(current_user, comment),
          NotAllowed(N_("Only its author may change a comment.")))
    check(can_view_round(current_user, comment.round))
    return comment


def _moderated(comment_id: int) -> Comment:
    comment = _comment(comment_id)
    check(can_moderate(current_user), NotAllowed(N_("Only the secretariat may hide or show "
                                                    "comments.")))
    return comment


def _back(comment: Comment) -> Any:
    return redirect(f"{provision_path(comment.provision)}#comment-{comment.id}")


def _refused(error: DomainError, round_: Any) -> int:
    """Undo a refused change and say why, once: a window that closed meanwhile is said by the
    page itself, which keeps the typed text for copying (feedback/_kept_text.html)."""
    db.session.rollback()
    if window_message(round_) is None:
        flash(translated(error.message), "error")
    return error.status


@bp.route("/feedback/provisions/<int:provision_id>/comments", methods=["GET", "POST"])
@login_required
@limiter.limit(POST_LIMIT, key_func=account_key, methods=["POST"])
def new_comment(provision_id: int) -> ResponseReturnValue:
    """The comment form on its own page (no JS needed), and where every new comment is posted."""
    provision = _provision(provision_id)
    form = CommentForm()
    status = 200
    if request.method == "POST" and not form.validate():
        status = 400
    elif request.method == "POST":
        try:
            comment = services.submit_comment(
                provision,
                current_user,
                stance=form.stance.data or "",
                body=form.body.data or "",
                quote=form.quote(),
                proposed_text=form.proposed_text.data,
                publish_consent=bool(form.publish_consent.data),
            )
        except DomainError as error:
            status = _refused(error, provision.round)
        else:
            db.session.commit()
            flash(gettext("Thank you: your comment is saved. You can change or withdraw it "
                          "until the consultation closes."), "info")
            return _back(comment)
    return _render(
        "feedback/new_comment.html",
        provision=provision,
        form=form,
        closed_message=window_message(provision.round),
    ), status


@bp.route("/feedback/comments/<int:comment_id>/reply", methods=["POST"])
@login_required
@limiter.limit(POST_LIMIT, key_func=account_key)
def reply(comment_id: int) -> ResponseReturnValue:
    """A reply; refused, it comes back on a page of its own with the text kept."""
    parent = _comment(comment_id)
    form = ReplyForm()
    status = 400
    if form.validate_on_submit():
        try:
            comment = services.submit_comment(
                parent.provision,
                current_user,
                stance="neutral",
                body=form.body.data or "",
                parent=parent,
                publish_consent=bool(form.publish_consent.data),
            )
        except DomainError as error:
            status = _refused(error, parent.round)
        else:
            db.session.commit()
            flash(gettext("Your reply is saved."), "info")
            return _back(comment)
    return _render(
        "feedback/reply.html",
        parent=parent,
        form=form,
        closed_message=window_message(parent.round),
    ), status


@bp.route("/feedback/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int) -> ResponseReturnValue:
    comment = _authored(comment_id)
    form = EditCommentForm(obj=comment)
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.edit_comment(
                comment,
                stance=form.stance.data,
                body=form.body.data,
                proposed_text=form.proposed_text.data or "",
                publish_consent=bool(form.publish_consent.data),
            )
        except DomainError as error:
            status = _refused(error, comment.round)
        else:
            db.session.commit()
            flash(gettext("Your changes are saved."), "info")
            return _back(comment)
    return _render(
        "feedback/edit.html",
        comment=comment,
        form=form,
        closed_message=window_message(comment.round),
    ), status


@bp.route("/feedback/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(comment_id: int) -> ResponseReturnValue:
    """Withdraw one's own comment: GET asks first (it cannot be undone), POST withdraws."""
    comment = _authored(comment_id)
    form = ActionForm()
    if request.method == "GET":
        return _render("feedback/withdraw.html", comment=comment, form=form,
                       closed_message=window_message(comment.round))
    if not form.validate_on_submit():
        abort(400)
    services.withdraw_comment(comment)
    db.session.commit()
    flash(gettext("Your comment is withdrawn. It is kept, marked as withdrawn, and no longer "
                  "counted."), "info")
    return _back(comment)


@bp.route("/feedback/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide(comment_id: int) -> ResponseReturnValue:
    comment = _moderated(comment_id)
    form = HideForm()
    if form.validate_on_submit():
        services.hide_comment(comment, form.reason.data or "", current_user)
        db.session.commit()
        flash(gettext("The comment is hidden; the reason is in the audit log."), "info")
        return _back(comment)
    # A refused reason (empty, blank, too long) comes back with its message: 400.
    return _render("feedback/hide.html", comment=comment, form=form), (
        400 if request.method == "POST" else 200)


@bp.route("/feedback/comments/<int:comment_id>/unhide", methods=["GET", "POST"])
@login_required
def unhide(comment_id: int) -> ResponseReturnValue:
    """Show a hidden comment again: a confirmation page for the secretariat."""
    comment = _moderated(comment_id)
    form = ActionForm()
    if comment.hidden and form.validate_on_submit():
        services.unhide_comment(comment, current_user)
        db.session.commit()
        flash(gettext("The comment is shown again; this is recorded in the audit log."), "info")
        return _back(comment)
    hidden_by = db.session.get(User, comment.hidden_by_id) if comment.hidden_by_id else None
    return _render("feedback/unhide.html", comment=comment, form=form, hidden_by=hidden_by)


@bp.route("/my/feedback")
@login_required
def my_feedback() -> ResponseReturnValue:
    """Everything the account wrote, each with what became of it: where it was carried, the
    chairs' decision on its proposal, its theme's published answer."""
    comments = services.comments_by(current_user)
    carries = latest_carries(comments, can_see=_round_visible(current_user))
    rows = [(c, comment_status(c, carries.get(c.id)), carries.get(c.id)) for c in comments]
    # A round made internal after the fact is not named, nor linked, nor open to changes.
    shown = {c.round_id for c in comments if can_view_round(current_user, c.round)}
    return _render("feedback/my_feedback.html", rows=rows, shown_rounds=shown,
                   fates=comment_fates(comments, current_user),
                   can_edit=lambda c: can_edit_comment(current_user, c))


def _export_scope(code: str, number: int) -> tuple[Any, WorkingGroup | None]:
    """The round and the working group (?group=slug) of a comments export, checked."""
    round_ = get_round(code, number, current_user)
    slug = request.args.get("group") or None
    group = db.session.query(WorkingGroup).filter_by(slug=slug).one_or_none() if slug else None
    if slug and group is None:
        raise NotFound(N_("There is no such working group."))
    check(can_export(current_user, group.id if group else None),
          NotAllowed(N_("Only the group's chairs and the secretariat may export its "
                        "comments.")))
    return round_, group


@bp.route("/codes/<code>/rounds/<int:number>/comments.csv", methods=["GET", "POST"])
@login_required
def export_csv(code: str, number: int) -> ResponseReturnValue:
    """A working group's comments (?group=slug) for its chairs; a whole round for the
    secretariat. GET explains the file and offers it; the download itself is a POST, because
    it is audit-logged and a GET never writes."""
    round_, group = _export_scope(code, number)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        slug = group.slug if group else None
        audit.record("comments.export", actor=current_user, target=round_, group=slug)
        data = comments_csv(scope_comments(round_, current_user, group.id if group else None))
        db.session.commit()
        name = f"{code}-round{number}{'-' + slug if slug else ''}-comments.csv"
        return Response(data, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return _render("feedback/export.html", round=round_, group=group, form=form,
                   columns=COLUMNS)


@bp.route("/codes/<code>/rounds/<int:number>/feedback/import", methods=["GET", "POST"])
@login_required
def import_page(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    check(can_moderate(current_user),
          NotAllowed(N_("Only the secretariat may import feedback.")))
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        rows = bulk.read_rows(upload.read(), upload.filename or "")
        report = bulk.import_feedback(
            round_, rows, actor=current_user, source_name=upload.filename or ""
        )
        db.session.commit()
    return _render("feedback/import.html", round=round_, form=form, report=report,
                   columns=bulk.COLUMNS)


@bp.route("/codes/<code>/rounds/<int:number>/feedback/template.<any(csv, jsonl):kind>")
@login_required
def import_template(code: str, number: int, kind: str) -> ResponseReturnValue:
    """An example file to fill in, naming a measure of this round."""
    round_ = get_round(code, number, current_user)
    check(can_moderate(current_user),
          NotAllowed(N_("Only the secretariat may import feedback.")))
    provisions = round_provisions(round_)
    measure = next((p for p in provisions if p.kind == "measure"), provisions[0] if provisions
                   else None)
    label = (measure.label or measure.key) if measure else "Measure 1.1"
    mimetype = "text/csv" if kind == "csv" else "application/x-ndjson"
    return Response(bulk.template(label, kind), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="feedback-template.{kind}"'})

"""The chairs decide on proposed wording: the scope's proposals, each with its redline against
the passage, the adoption suggestion and a compact decision form (docs/feedback.md)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.accounts.models import WorkingGroup
from app.accounts.permissions import is_secretariat
from app.core.access import check, require
from app.core.db import db
from app.core.errors import DomainError, NotAllowed
from app.core.i18n import N_, translated
from app.drafting.permissions import can_view_round
from app.drafting.services import get_round, neighbour_round
from app.feedback.carry import latest_carries
from app.feedback.decisions import decide_proposal, proposal_counts, proposals_query
from app.feedback.models import Comment
from app.feedback.permissions import can_decide, can_view_comment
from app.synthesis.blueprint import bp
from app.synthesis.forms import DecisionForm
from app.synthesis.models import OUTCOME_LABELS
from app.synthesis.permissions import can_use_workspace

PAGE_SIZE = 40


def _groups() -> list[WorkingGroup]:
    """The working groups whose proposals the user decides (every group for the secretariat)."""
    query = select(WorkingGroup).order_by(WorkingGroup.slug)
    if not is_secretariat(current_user):
        query = query.where(WorkingGroup.id.in_(current_user.chaired_group_ids))
    return list(db.session.scalars(query))


def _filters(source: Any) -> dict[str, Any]:
    """The list's filters from a query string or a form, reduced to known values."""
    groups = {g.slug for g in _groups()}
    group = source.get("group") or ""
    show = source.get("show") or ""
    try:
        page = max(1, int(source.get("page") or 1))
    except ValueError:
        page = 1
    return {k: v for k, v in {
        "group": group if group in groups else "", "provision": (source.get("provision")
                                                                  or "")[:100],
        "show": show if show == "all" else "", "page": page if page > 1 else "",
    }.items() if v}


@bp.route("/chair/codes/<code>/rounds/<int:number>/proposals")
@require(can_use_workspace)
def proposals(code: str, number: int) -> ResponseReturnValue:
    asked = request.args.get("group")
    if asked and asked not in {g.slug for g in _groups()}:
        abort(404)  # not a group of the chair's (nor a group at all): not silently another
    round_ = get_round(code, number, current_user)
    if round_.final:
        abort(404)  # the final code takes no comments, so no proposed wording either
    return _page(round_, _filters(request.args))


def _page(round_: Any, filters: dict[str, Any], draft: dict[str, Any] | None = None,
          status: int = 200) -> ResponseReturnValue:
    """The list; with `draft`, one proposal's refused decision shown in its card, with the
    choice and reason as typed and the message beside them."""
    groups = _groups()
    chosen = [g for g in groups if g.slug == filters.get("group")] or groups
    scope = [g.id for g in chosen] if filters.get("group") or not is_secretariat(
        current_user) else None
    every = proposals_query(round_, group_ids=scope, provision_key=filters.get("provision"))
    counts = proposal_counts(every)
    query = proposals_query(round_, group_ids=scope, provision_key=filters.get("provision"),
                            undecided=filters.get("show") != "all")
    page = int(filters.get("page") or 1)
    items = list(db.session.scalars(
        query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
        .options(contains_eager(Comment.provision), selectinload(Comment.author))))
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    carries = latest_carries(items, can_see=lambda r: can_view_round(current_user, r))
    return render_template(
        "synthesis/proposals.html", round=round_, groups=groups, filters=filters,
        items=items, carries=carries, counts=counts, page=page, more=more,
        base={k: v for k, v in filters.items() if k != "page"},
        form=DecisionForm(formdata=None), next_round=neighbour_round(round_, 1),
        can_decide=lambda c: can_decide(current_user, c), draft=draft), status


@bp.route("/chair/comments/<int:comment_id>/decision", methods=["POST"])
@require(can_use_workspace)
def decide(comment_id: int) -> ResponseReturnValue:
    """Save one decision and go back to the proposal in the list (refusals as a message)."""
    comment = db.session.get(Comment, comment_id)
    check(comment is not None and can_view_comment(current_user, comment))
    assert comment is not None
    check(can_decide(current_user, comment),
          NotAllowed(N_("Only the chairs of the provision's working group and the secretariat "
                        "decide on its proposals.")))
    form = DecisionForm()
    back = url_for("synthesis.proposals", code=comment.round.code.slug,
                   number=comment.round.number, **_filters(request.form))
    def refused(message: str) -> ResponseReturnValue:
        draft = {"id": comment.id, "decision": request.form.get("decision") or "",
                 "reason": request.form.get("reason") or "", "error": message}
        return _page(comment.round, _filters(request.form), draft, 400)

    if not form.validate_on_submit():
        return refused(" ".join(str(e) for errors in form.errors.values() for e in errors))
    try:
        decide_proposal(comment, form.decision.data or "", form.reason.data,
                        actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return refused(translated(error.message))
    flash(gettext("%(provision)s, proposal %(id)s: %(decision)s. Its author will be told.",
                  provision=comment.provision.label or comment.provision.title, id=comment.id,
                  decision=gettext(OUTCOME_LABELS[comment.decision or "undecided"]).lower()),
          "info")
    return redirect(f"{back}#proposal-{comment.id}")

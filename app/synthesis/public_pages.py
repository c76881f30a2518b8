"""The public record of what became of the feedback: the register of a round ("you said, we
did"), its feedback at a glance, the panel on each provision's page, and the notes beside each
change of the compare pages (a COMPARISON_NOTES provider)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import is_secretariat
from app.core.panels import COMPARISON_NOTES, PROVISION_PANELS
from app.drafting.lineage import visible_history
from app.drafting.models import Provision
from app.drafting.permissions import can_view_round
from app.drafting.services import get_round, round_provisions
from app.feedback.accountability import (
    comments_per_day,
    merge_small,
    received_in,
    sees_exact,
    sees_feedback,
    settled,
    small,
    total,
)
from app.synthesis.accountability import answered_themes
from app.synthesis.blueprint import bp
from app.synthesis.permissions import can_view_register
from app.synthesis.register import campaign_phrase, register_items
from app.synthesis.why import comparison_feedback, provision_feedback

COMPARISON_NOTES.append(comparison_feedback)
TOP_THEMES = 12


@bp.app_template_global()
def theme_campaigns(theme: Any) -> str:
    """A theme's comments and campaigns in the register's words (for the chairs: exact)."""
    individual = theme.independent_count - theme.campaign_count
    return campaign_phrase(theme.size, theme.campaign_count, theme.size - individual,
                           individual, exact=True)


@bp.route("/codes/<code>/rounds/<int:number>/register")
def register(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    if round_.final:  # never open for comments: the earlier rounds' registers say the rest
        earlier = [r for r in round_.code.rounds
                   if r.number < round_.number and not r.final and can_view_round(current_user, r)]
        return render_template("synthesis/register.html", round=round_, items=None,
                               earlier=sorted(earlier, key=lambda r: r.number))
    if not can_view_register(current_user, round_):
        return render_template("synthesis/register.html", round=round_, items=None)
    items = register_items(round_, current_user)
    counted = total(received_in(round_))
    exact = is_secretariat(current_user)
    proposals = ({k: small(v, exact) for k, v in counted.proposals.items()}
                 if counted.proposal_count else None)
    return render_template("synthesis/register.html", round=round_, items=items,
                           proposals=proposals, received=counted.comments,
                           next_rounds=sorted({p.round for i in items for p in i.provisions},
                                              key=lambda r: r.number))


@bp.route("/codes/<code>/rounds/<int:number>/at-a-glance")
def at_a_glance(code: str, number: int) -> ResponseReturnValue:
    """Stances per measure and for the round, answered themes by size with their stakeholder
    split and, for the secretariat, comments per day over the window."""
    round_ = get_round(code, number, current_user)
    received = received_in(round_)
    rows, hidden = [], 0
    for provision in round_provisions(round_):
        item = received.get(provision.id)
        if item is None or not item.comments:
            continue
        if not sees_feedback(current_user, round_, provision.group_id):
            hidden += 1
            continue
        exact = sees_exact(current_user, provision.group_id)
        rows.append((provision, item.shown(exact), item))
    whole = sees_feedback(current_user, round_, None)
    summed, exact_round = total(received), is_secretariat(current_user)
    themes = []
    if can_view_register(current_user, round_):
        answered = sorted(answered_themes(round_), key=lambda a: (-a.size, a.identity_id))
        for a in answered[:TOP_THEMES]:
            exact = sees_exact(current_user, a.group_id)
            themes.append((a.title, small(a.size, exact), merge_small(a.by_category, exact),
                           url_for("synthesis.register", code=code, number=number)
                           + f"#theme-{a.identity_id}"))
    return render_template(
        "synthesis/at_a_glance.html", round=round_, rows=rows, hidden=hidden,
        round_total=summed.shown(exact_round) if whole else None,
        round_proposals=small(summed.proposal_count, exact_round),
        themes=themes, settled=settled(round_),
        days=comments_per_day(round_) if is_secretariat(current_user) else None)


def accountability_panel(provision: Provision, user: Any) -> str:
    """On a provision's page: what its earlier version received and what became of it, and
    the stances of the comments on this version (a PROVISION_PANELS provider)."""
    round_ = provision.round
    if not can_view_round(user, round_):
        return ""
    steps = visible_history(provision, user)
    here = next((i for i, s in enumerate(steps) if s.round.id == round_.id), None)
    notes, previous = [], None
    if here:
        previous = steps[here - 1]
        changed = previous.kind not in (None, "unchanged")
        notes = provision_feedback(previous.round, list(previous.provisions), provision, user,
                                   changed)
    own, exact = None, sees_exact(user, provision.group_id)
    if sees_feedback(user, round_, provision.group_id):
        item = received_in(round_).get(provision.id)
        own = item.shown(exact) if item is not None and item.comments else None
    if not notes and own is None:
        return ""
    return Markup(render_template(  # noqa: S704  (a rendered, autoescaped template)
        "synthesis/_provision_panel.html", provision=provision, notes=notes,
        previous=previous.round if previous else None, own=own,
        register_open=can_view_register(user, round_)))


accountability_panel.panel_order = 55  # type: ignore[attr-defined]  (after the history)
PROVISION_PANELS.append(accountability_panel)

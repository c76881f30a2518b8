"""What the feedback domain adds to other pages: the comments panel on a provision's page
(with the passages its comments quote, for the page's highlights), the comment counts of a
round's contents and the "My feedback" link. Imported by routes.py, which registers them."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext, ngettext
from markupsafe import Markup

from app.accounts.permissions import account
from app.core.navigation import MAIN_NAV, NavItem
from app.core.panels import PROVISION_PANELS, ROUND_COUNTS
from app.diffing.render import render_proposal
from app.drafting.models import Provision
from app.drafting.permissions import can_view_round
from app.feedback import services
from app.feedback.accountability import counted_only
from app.feedback.annotations import provision_path
from app.feedback.carry import (
    Passage,
    carried_into,
    comment_status,
    latest_carries,
    passage_context,
)
from app.feedback.forms import CommentForm, ReplyForm
from app.feedback.models import Comment, CommentCarry
from app.feedback.permissions import (
    can_comment,
    can_decide,
    can_edit_comment,
    can_moderate,
    can_read_all,
    can_view_comment,
    is_author,
)
from app.feedback.threads import build_threads


def _passage(carry: CommentCarry) -> Passage:
    """Where a carried quote now sits in its new provision, with some context."""
    text = carry.to_provision.text if carry.to_provision is not None else ""
    return passage_context(text, carry.quote_start, carry.quote_end)


def render(template: str, **context: Any) -> str:
    """render_template with the helpers every feedback template uses."""
    return render_template(
        template,
        provision_path=provision_path,
        render_proposal=render_proposal,
        passage=_passage,
        **context,
    )


def window_message(round_: Any) -> str | None:
    """Why this round takes no feedback now, in the reader's language; None while it does."""
    problem = services.window_problem(round_)
    return gettext(problem) if problem else None


def round_visible(user: Any) -> Any:
    return lambda round_: can_view_round(user, round_)


def anchors(comments: list[Comment]) -> list[dict[str, Any]]:
    """The passages quoted by these comments (already filtered to those the reader may see),
    as the page's script highlights them: W3C selectors over the provision's text. Replies
    quote nothing; a withdrawn comment is no longer a remark on the text."""
    return [
        {
            "id": c.id,
            "exact": c.quote_exact,
            "prefix": c.quote_prefix or "",
            "suffix": c.quote_suffix or "",
            "start": c.quote_start,
            "end": c.quote_end,
        }
        for c in comments
        if c.anchored and c.parent_id is None and c.status != "withdrawn"
    ]


def provision_panel(provision: Provision, user: Any) -> str:
    """The comments panel on a provision page (a PROVISION_PANELS provider).

    It lists this round's comments (each with where it went in the next round, if it was
    carried there) and the comments of the previous round carried onto this provision.
    """
    comments = services.visible_comments(user, round_=provision.round, provision=provision)
    carries = latest_carries(comments, can_see=round_visible(user))
    carried = [
        carry
        for carry in carried_into(provision)
        if can_view_comment(user, carry.comment) and can_view_round(user, carry.comment.round)
    ]
    sources = sorted({carry.comment.round for carry in carried}, key=lambda r: r.number)
    form = CommentForm(formdata=None) if can_comment(user, provision.round) else None
    return Markup(  # noqa: S704  (a rendered, autoescaped template)
        render(
            "feedback/_panel.html",
            provision=provision,
            threads=build_threads(comments),
            anchors=anchors(comments),
            carried=carried,
            carried_from=[r.name for r in sources],
            received=0 if comments else counted_only(provision, user),
            form=form,
            reply_form=ReplyForm(formdata=None),
            user=user,
            closed_message=window_message(provision.round),
            can_edit=lambda c: can_edit_comment(user, c),
            can_moderate=can_moderate(user),
            shows_author=lambda c: c.publish_consent or can_read_all(user, c) or is_author(user, c),
            is_mine=lambda c: is_author(user, c),
            carry_of=lambda c: carries.get(c.id),
            suggests=lambda c: can_decide(user, c),
            status_of=lambda c: comment_status(c, carries.get(c.id)),
        )
    )


provision_panel.panel_order = 60  # type: ignore[attr-defined]  (after the record of changes)
PROVISION_PANELS.append(provision_panel)


def _comment_counts(round_: Any, user: Any) -> dict[int, tuple[str, int]]:
    """Comments the reader may see, per provision of a round's contents (a ROUND_COUNTS
    provider)."""
    counts = services.visible_counts(user, round_)
    return {pid: (ngettext("comment", "comments", n), n) for pid, n in counts.items()}


ROUND_COUNTS.append(_comment_counts)


def _my_nav(user: Any) -> list[NavItem]:
    return [NavItem(gettext("My feedback"), "/my/feedback")] if account(user) is not None else []


MAIN_NAV.append(_my_nav)

"""CSV export of a scope's comments for chairs, safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.core.i18n import N_
from app.drafting.models import Provision, Round
from app.feedback.annotations import iso
from app.feedback.carry import comment_status, latest_carries
from app.feedback.models import Comment
from app.feedback.services import visibility_clause

# The columns of the export, in order, with what each holds (shown on the export page).
COLUMNS = {
    "id": N_("The comment's number in Plenary."),
    "external_id": N_("Its id in the system it was imported from, if any."),
    "provision": N_("The key of the provision commented on (stable across rounds)."),
    "label": N_("The provision's number label in this round, e.g. Measure 2.3."),
    "group": N_("The working group of the provision."),
    "parent_id": N_("For a reply: the number of the comment it answers."),
    "stance": N_("support, oppose, amend, question or neutral."),
    "status": N_("open, closed, withdrawn, or where it went in the next round."),
    "hidden": N_("yes when the secretariat hid it."),
    "body": N_("The comment as written."),
    "quote": N_("The passage it comments on, if any."),
    "proposed_text": N_("The wording it proposes, if any."),
    "author_name": N_("The author's name."),
    "author_organisation": N_("The author's organisation."),
    "author_category": N_("The author's stakeholder category."),
    "published": N_("yes when the author agreed to publish it with their name."),
    "created_at": N_("When it was submitted (UTC)."),
    "updated_at": N_("When it was last changed (UTC)."),
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a quote.

    Also behind anything a spreadsheet may drop or not show before it: white space, control
    and format characters (NUL, zero-width space, byte-order mark, right-to-left override), and
    in full-width forms ("＝").
    """
    text = "" if value is None else str(value)
    probe = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(probe) and (
        probe[start].isspace() or unicodedata.category(probe[start]) in ("Cc", "Cf", "Zs")
    ):
        start += 1
    risky = text.startswith(FORMULA_STARTS) or probe[start:].startswith(FORMULA_STARTS)
    return "'" + text if risky else text


def scope_comments(round_: Round, user: Any, group_id: int | None = None) -> list[Comment]:
    """The comments of a round (or of one working group's provisions) that `user` may see
    (services.visibility_clause: a withdrawn one is its author's alone), oldest first."""
    query = (
        select(Comment)
        .join(Provision, Provision.id == Comment.provision_id)
        .where(Comment.round_id == round_.id, visibility_clause(user))
        .options(selectinload(Comment.author), selectinload(Comment.provision))
        .order_by(Comment.id)
    )
    if group_id is not None:
        query = query.where(Provision.group_id == group_id)
    return list(db.session.scalars(query))


def comments_csv(comments: Iterable[Comment]) -> str:
    """The comments as CSV text with a header row; every cell made formula-safe."""
    comments = list(comments)
    carries = latest_carries(comments)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for c in comments:
        provision = c.provision
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c.id,
                    c.external_id,
                    provision.key,
                    provision.label,
                    provision.group.slug if provision.group else "",
                    c.parent_id,
                    c.stance,
                    comment_status(c, carries.get(c.id)),
                    "yes" if c.hidden else "",
                    c.body,
                    c.quote_exact,
                    c.proposed_text,
                    c.author.display_name,
                    c.author.organisation,
                    c.author.category,
                    "yes" if c.publish_consent else "no",
                    iso(c.created_at),
                    iso(c.updated_at),
                )
            ]
        )
    return out.getvalue()

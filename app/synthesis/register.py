"""The register of a round ("you said, we did"): its published answers as readers see them.

Shared by the public page, the JSON API and the CSV download, so that the three never
disagree. A reader other than the secretariat and the chairs of the theme's working group sees
small counts as "<5" (app/feedback/accountability.py). Provisions of the next round that the
reader may not see are left out, and each linked provision carries the anchor of its redline on
the compare page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import get_translations, gettext, ngettext
from sqlalchemy import select

from app.core.db import db
from app.core.i18n import NP_
from app.drafting.models import LineageLink, LineageTarget, Provision, Round
from app.drafting.permissions import can_view_round
from app.feedback.accountability import merge_small, sees_exact, small
from app.feedback.annotations import iso
from app.feedback.export import safe_cell
from app.synthesis.accountability import Answered, answered_themes

CSV_COLUMNS = ("id", "scope", "title", "outcome", "answer", "comments", "campaigns",
               "campaign_letters", "individual_comments", "answered_at", "current",
               "merged_into", "provision_keys", "provision_labels", "next_round")


_COMMENTS = NP_("%(num)s comment", "%(num)s comments")
_LETTERS = NP_("%(num)s letter", "%(num)s letters")
_INDIVIDUAL = NP_("%(num)s individual comment", "%(num)s individual comments")
_VOICES = NP_("%(num)s voice", "%(num)s voices")


def _counted(forms: tuple[str, str], count: int | str) -> str:
    """`count` with its noun in the reader's language; a hidden small count ("<5") takes
    the plural form."""
    if isinstance(count, str):
        return str(get_translations().ungettext(*forms, 5) % {"num": count})
    return str(ngettext(*forms, count))


def campaign_phrase(
    size: int, campaigns: int, letters: int, individual: int, exact: bool
) -> str:
    """How many comments, and how many came as campaign letters, in one consistent wording:
    a campaign of 24 letters is one campaign and 24 letters, never "one independent voice"."""
    total = small(size, exact)
    comments = _counted(_COMMENTS, total)
    if isinstance(total, str) or size == 0:
        return gettext("%(comments)s.", comments=comments)
    if not campaigns:
        return gettext("%(comments)s, each sent individually.", comments=comments)
    sent_letters = _counted(_LETTERS, small(letters, exact))
    if campaigns == 1:
        sent = gettext("a campaign of %(letters)s", letters=sent_letters)
    else:
        sent = gettext("%(count)s campaigns with %(letters)s in all", count=campaigns,
                       letters=sent_letters)
    if not individual:
        return gettext("%(comments)s: %(sent)s.", comments=comments, sent=sent)
    voices = small(individual + campaigns, exact)
    return gettext("%(comments)s: %(sent)s, and %(individual)s (%(voices)s, each campaign "
                   "counted as one).", comments=comments, sent=sent,
                   individual=_counted(_INDIVIDUAL, small(individual, exact)),
                   voices=_counted(_VOICES, voices))


@dataclass(frozen=True)
class RegisterItem:
    """One published answer, as one reader sees it."""

    answer: Answered
    exact: bool
    provisions: tuple[Provision, ...]
    anchors: dict[int, str]

    @property
    def size(self) -> int | str:
        return small(self.answer.size, self.exact)

    @property
    def by_category(self) -> dict[str, int | str]:
        """Stakeholder categories; for most readers the small ones merged (merge_small)."""
        return merge_small(self.answer.by_category, self.exact)

    @property
    def proposals(self) -> dict[str, int | str]:
        """The theme's proposed wordings by the chairs' decision (small counts hidden)."""
        return {k: small(v, self.exact) for k, v in self.answer.proposals}

    @property
    def campaigns(self) -> str:
        a = self.answer
        return campaign_phrase(a.size, a.campaigns, a.letters, a.individual, self.exact)

    def json(self) -> dict[str, Any]:
        a = self.answer
        return {
            "id": a.identity_id, "scope": a.scope, "title": a.title, "outcome": a.outcome,
            "answer": a.answer, "comments": self.size, "campaigns": a.campaigns,
            "campaign_letters": small(a.letters, self.exact) if a.campaigns else 0,
            "individual_comments": small(a.individual, self.exact),
            "by_category": self.by_category, "proposals": self.proposals,
            "answered_at": iso(a.answered_at),
            "current": a.current, "merged_into": a.merged_into,
            "provisions": [{"key": p.key, "label": p.label or p.title,
                            "round": p.round.number, "compare_anchor": self.anchors.get(p.id)}
                           for p in self.provisions],
        }  # fmt: skip

    def row(self) -> list[str]:
        data = self.json()
        return [safe_cell(v) for v in (
            data["id"], data["scope"], data["title"], data["outcome"], data["answer"],
            data["comments"], data["campaigns"], data["campaign_letters"],
            data["individual_comments"], data["answered_at"], "yes" if data["current"] else "no",
            data["merged_into"] or "", " ".join(p["key"] for p in data["provisions"]),
            "; ".join(p["label"] for p in data["provisions"]),
            self.provisions[0].round.number if self.provisions else "",
        )]


def _linked(answers: Sequence[Answered]) -> dict[tuple[int, str], Provision]:
    """(round id, key) -> the provision, for every link of these answers (one query a round)."""
    wanted: dict[int, set[str]] = {}
    for answer in answers:
        for round_id, key in answer.links:
            wanted.setdefault(round_id, set()).add(key)
    found: dict[tuple[int, str], Provision] = {}
    for round_id, keys in wanted.items():
        for provision in db.session.scalars(select(Provision).where(
                Provision.round_id == round_id, Provision.key.in_(sorted(keys)))):
            found[(round_id, provision.key)] = provision
    return found


def _anchors(round_: Round, provisions: Sequence[Provision]) -> dict[int, str]:
    """Provision id -> the id of its entry on the compare page from `round_` (as
    app.diffing.services.DiffEntry.anchor names it)."""
    ids = [p.id for p in provisions]
    if not ids:
        return {}
    rows = db.session.execute(
        select(LineageTarget.to_provision_id, Provision.key)
        .join(LineageLink, LineageLink.id == LineageTarget.link_id)
        .join(Provision, Provision.id == LineageLink.from_provision_id)
        .where(LineageTarget.to_provision_id.in_(ids), LineageLink.from_round_id == round_.id)
        .order_by(Provision.position)
    )
    sources: dict[int, str] = {}
    for to_id, from_key in rows:
        sources.setdefault(to_id, from_key)
    return {p.id: f"c-{sources.get(p.id, 'new')}--{p.key}" for p in provisions}


def register_items(round_: Round, user: Any) -> list[RegisterItem]:
    """The round's published answers as `user` sees them (visibility of the register itself
    is the caller's check: app.synthesis.permissions.can_view_register)."""
    answers = answered_themes(round_)
    linked = _linked(answers)
    visible = {key: p for key, p in linked.items() if can_view_round(user, p.round)}
    anchors = _anchors(round_, list(visible.values()))
    return [
        RegisterItem(
            answer=a, exact=sees_exact(user, a.group_id),
            provisions=tuple(visible[link] for link in a.links if link in visible),
            anchors=anchors,
        )
        for a in answers
    ]


def register_csv(items: Sequence[RegisterItem]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(item.row())
    return buffer.getvalue()

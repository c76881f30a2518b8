"""Loading codes, rounds and provisions; the secretariat's round settings and lineage corrections.

The loaders are the one way every page, API endpoint and command finds a round: they raise
NotFound (a round the caller may not see does not exist for them). Services flush, never
commit, and raise app.core.errors for a user's mistake; who may call them is the route's check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import audit, hooks
from app.core.db import db
from app.core.errors import BadInput, NotFound
from app.core.i18n import N_
from app.drafting.lineage import lineage_between, locator
from app.drafting.links import realign
from app.drafting.models import (
    VISIBILITIES,
    Code,
    LineageCorrection,
    LineageLink,
    LineageTarget,
    Provision,
    Round,
)
from app.drafting.permissions import can_view_round

MAX_ROUND = 2**31 - 1  # round numbers are 32-bit integers

# -- loaders ---------------------------------------------------------------------------------


def get_code(slug: str) -> Code:
    """The Code with this slug; NotFound otherwise."""
    code = db.session.scalar(select(Code).where(Code.slug == slug))
    if code is None:
        raise NotFound(N_("There is no code %(slug)r."), slug=slug)
    return code


def visible_rounds(code: Code, user: Any) -> list[Round]:
    """The rounds of `code` the user may see, oldest first."""
    return [r for r in code.rounds if can_view_round(user, r)]


def visible_code(slug: str, user: Any) -> tuple[Code, list[Round]]:
    """The Code and the rounds of it the user may see; NotFound when there are none (a code
    none of whose rounds one may see does not exist for them)."""
    code = get_code(slug)
    rounds = visible_rounds(code, user)
    if not rounds:
        raise NotFound(N_("There is no such code."))
    return code, rounds


def get_round(code: Code | str, number: int, user: Any = None, *, check: bool = True) -> Round:
    """Round `number` of `code` (a Code or its slug). With `check` (the default) it must be
    visible to `user` (None: the public); NotFound, never NotAllowed, otherwise. Commands and
    tasks, which act for the platform, pass check=False."""
    code_row = get_code(code) if isinstance(code, str) else code
    round_ = None
    if 0 < number <= MAX_ROUND:  # past the column's range the database would fail, not miss
        round_ = db.session.scalar(
            select(Round).where(Round.code_id == code_row.id, Round.number == number)
        )
    if round_ is None or (check and not can_view_round(user, round_)):
        raise NotFound(N_("There is no round %(number)s of %(code)s."), number=number,
                       code=code_row.slug)
    return round_


def round_provisions(round_: Round) -> list[Provision]:
    """A round's provisions in document order, their working groups loaded."""
    return list(
        db.session.scalars(
            select(Provision)
            .where(Provision.round_id == round_.id)
            .options(selectinload(Provision.group))
            .order_by(Provision.position)
        )
    )


def get_provision(round_: Round, key: str) -> Provision:
    """The provision with this key in the round; NotFound otherwise."""
    provision = db.session.scalar(
        select(Provision).where(Provision.round_id == round_.id, Provision.key == key)
    )
    if provision is None:
        raise NotFound(N_("There is no provision %(key)r in round %(number)s."), key=key,
                       number=round_.number)
    return provision


def find_provision(round_: Round, locator_: str) -> Provision | None:
    """A provision of the round by key, else by number label ("Measure 1.1"), else None."""
    found = db.session.scalar(
        select(Provision).where(Provision.round_id == round_.id, Provision.key == locator_)
    )
    if found is not None:
        return found
    wanted = " ".join(locator_.split()).casefold()
    for provision in db.session.scalars(
        select(Provision).where(Provision.round_id == round_.id, Provision.label.is_not(None))
    ):
        if " ".join((provision.label or "").split()).casefold() == wanted:
            return provision
    return None


def neighbour_round(round_: Round, step: int) -> Round | None:
    """The round just before (step -1) or just after (step 1) this one, or None."""
    base = select(Round).where(Round.code_id == round_.code_id)
    if step < 0:
        query = base.where(Round.number < round_.number).order_by(Round.number.desc())
    else:
        query = base.where(Round.number > round_.number).order_by(Round.number)
    return db.session.scalar(query.limit(1))


def previous_visible_round(round_: Round, user: Any) -> Round | None:
    """The latest round before `round_` that the user may see, or None."""
    earlier = [r for r in visible_rounds(round_.code, user) if r.number < round_.number]
    return earlier[-1] if earlier else None


def lineage_document(code: Code, from_n: int, to_m: int) -> dict[str, Any]:
    """The lineage export of CONTRACT section 4: one link per provision of round `from_n`.

    Raises NotFound for a missing round, BadInput when `from_n` is not before `to_m`.
    """
    if from_n >= to_m:
        raise BadInput(N_("--from must be a round before --to."))
    entries, added = lineage_between(
        get_round(code, from_n, check=False), get_round(code, to_m, check=False)
    )
    return {
        "code": code.slug,
        "from": from_n,
        "to": to_m,
        "links": [
            {
                "from": entry.source.key,
                "to": [t.key for t in entry.targets],
                "kind": entry.kind,
                "similarity": round(entry.similarity, 2),
                "confidence": round(entry.confidence, 2),
                "from_label": locator(entry.source),
                "to_labels": [locator(t) for t in entry.targets],
            }
            for entry in entries
        ],
        "added": [p.key for p in added],
        "added_labels": [locator(p) for p in added],
    }


# -- the secretariat's settings --------------------------------------------------------------


def set_visibility(round_: Round, visibility: str, actor: Any) -> None:
    """Set who may see a round (internal, plenary, public). Raises BadInput for another value."""
    if visibility not in VISIBILITIES:
        raise BadInput(N_("Visibility must be one of %(choices)s."),
                       choices=", ".join(VISIBILITIES))
    if visibility == round_.visibility:
        return
    audit.record("round.visibility", actor=actor, target=round_,
                 old=round_.visibility, new=visibility)  # fmt: skip
    was_internal = round_.visibility == "internal"
    round_.visibility = visibility
    db.session.flush()
    if was_internal:
        hooks.round_published.send(round=round_, actor=actor)


def set_window(
    round_: Round, opens: dt.datetime | None, closes: dt.datetime | None, actor: Any
) -> None:
    """Set or clear (both None) the consultation window of a round.

    Raises BadInput when only one end is given, naive times, closes not after opens, or a
    window on a final round.
    """
    if (opens is None) != (closes is None):
        raise BadInput(N_("Give both the opening and the closing time, or neither."))
    if opens is not None and closes is not None:
        if opens.tzinfo is None or closes.tzinfo is None:
            raise BadInput(N_("Times must carry a time zone."))
        if closes <= opens:
            raise BadInput(N_("The consultation must close after it opens."))
        if round_.final:
            raise BadInput(N_("A final round takes no feedback: it has no consultation window."))
    audit.record("round.window", actor=actor, target=round_,
                 opens=opens.isoformat() if opens else None,
                 closes=closes.isoformat() if closes else None)  # fmt: skip
    round_.opens_at, round_.closes_at = opens, closes
    db.session.flush()


def correct_link(
    from_provision: Provision, to_provisions: Sequence[Provision], actor: Any
) -> LineageLink:
    """Correct what `from_provision` became in the next round (none = removed).

    Stores a LineageCorrection (re-applied on every re-import) and recomputes the round's
    links with it. Raises BadInput when a target is not in the round after the source's.
    """
    source_round = from_provision.round
    link = db.session.scalar(
        select(LineageLink).where(LineageLink.from_provision_id == from_provision.id)
    )
    if link is None:
        raise NotFound(N_("This provision has no lineage link to correct (no later round)."))
    target_round = db.session.get(Round, link.to_round_id)
    assert target_round is not None
    if any(p.round_id != target_round.id for p in to_provisions):
        raise BadInput(N_("Every target must be a provision of %(round)s."),
                       round=target_round.name)
    code = source_round.code
    correction = db.session.scalar(
        select(LineageCorrection).where(
            LineageCorrection.code_id == code.id,
            LineageCorrection.to_round == target_round.number,
            LineageCorrection.from_key == from_provision.key,
        )
    )
    if correction is None:
        correction = LineageCorrection(code_id=code.id, to_round=target_round.number,
                                       from_key=from_provision.key)  # fmt: skip
        db.session.add(correction)
    ordered = sorted(to_provisions, key=lambda p: p.position)
    correction.to_locators = [locator(p) for p in ordered]
    correction.created_by_id = getattr(actor, "id", None)
    db.session.flush()
    realign(source_round, target_round, actor=actor)
    audit.record("lineage.correct", actor=actor, target=from_provision, code=code.slug,
                 to_round=target_round.number, from_key=from_provision.key,
                 to=correction.to_locators)  # fmt: skip
    return db.session.scalars(
        select(LineageLink).where(LineageLink.from_provision_id == from_provision.id)
    ).one()


def shared_targets(link: LineageLink) -> list[tuple[Provision, list[Provision]]]:
    """The targets of `link` that other provisions of its round also became (a merge), each
    with all its sources in round order: what a correction onto them left linked."""
    shared = []
    for target in sorted((t.to_provision for t in link.targets), key=lambda p: p.position):
        sources = list(db.session.scalars(
            select(Provision).join(LineageLink, LineageLink.from_provision_id == Provision.id)
            .join(LineageTarget, LineageTarget.link_id == LineageLink.id)
            .where(LineageTarget.to_provision_id == target.id).order_by(Provision.position)
        ))  # fmt: skip
        if len(sources) > 1:
            shared.append((target, sources))
    return shared

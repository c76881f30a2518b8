"""Reading the stored lineage: how the provisions of one round became those of a later one.

Adjacent rounds answer from the stored `LineageLink` rows as they are (kind and similarity as
the importer or a secretariat correction set them). Across several rounds the links are
followed hop by hop and the kind is recomputed from the end points, with the same rules as the
alignment engine; the similarity is then the word-level similarity of the end-point texts
(`app.diffing.engine.similarity`), because a product of hop similarities says more about the
number of rounds in between than about how much of the text survived.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.core.errors import BadInput
from app.core.i18n import N_
from app.diffing.engine import similarity as text_similarity
from app.drafting.models import LineageLink, LineageTarget, Provision, Round
from app.drafting.permissions import can_view_round
from app.drafting.similarity import normalised


@dataclass(frozen=True)
class LineageEntry:
    """What one provision of the earlier round became in the later one."""

    source: Provision
    targets: tuple[Provision, ...]
    kind: str
    similarity: float
    confidence: float = 1.0  # the least certain stored link on the way (0..1)


@dataclass(frozen=True)
class HistoryStep:
    """One round in a provision's history: its version(s) there and how they changed next."""

    round: Round
    provisions: tuple[Provision, ...]
    kind: str | None  # the change into the next step; None on the last step
    similarity: float | None


def check_order(from_round: Round, to_round: Round) -> None:
    """BadInput unless both rounds belong to one code and `from_round` comes first."""
    if from_round.code_id != to_round.code_id:
        raise BadInput(N_("Lineage is only defined between rounds of the same code."))
    if from_round.number >= to_round.number:
        raise BadInput(N_("The first round must come before the second."))


def _rounds_between(from_round: Round, to_round: Round) -> list[int]:
    check_order(from_round, to_round)
    return list(
        db.session.scalars(
            select(Round.id)
            .where(
                Round.code_id == from_round.code_id,
                Round.number >= from_round.number,
                Round.number <= to_round.number,
            )
            .order_by(Round.number)
        )
    )


@dataclass(frozen=True)
class StoredLink:
    """A stored link as the pairing reads it: kind, similarity, confidence, target ids."""

    kind: str
    similarity: float
    confidence: float
    targets: tuple[int, ...]


def link_rows(round_ids: Sequence[int]) -> list[Any]:
    """The stored links leaving the given rounds as plain rows, one per target (a link
    without targets once, with None), by link id then target id: (id, from_provision_id,
    kind, similarity, to_provision_id, confidence)."""
    return list(
        db.session.execute(
            select(
                LineageLink.id,
                LineageLink.from_provision_id,
                LineageLink.kind,
                LineageLink.similarity,
                LineageTarget.to_provision_id,
                LineageLink.confidence,
            )
            .outerjoin(LineageTarget, LineageTarget.link_id == LineageLink.id)
            .where(LineageLink.from_round_id.in_(round_ids))
            .order_by(LineageLink.id, LineageTarget.id)
        )
    )


def links_by_source(rows: Iterable[Any]) -> dict[int, StoredLink]:
    """`link_rows` gathered per link, by source provision id."""
    found: dict[int, tuple[str, float, float, list[int]]] = {}
    for _, source, kind, similarity, target, confidence in rows:
        targets = found.setdefault(source, (kind, similarity, confidence, []))[3]
        if target is not None:
            targets.append(target)
    return {source: StoredLink(kind, similarity, confidence, tuple(targets))
            for source, (kind, similarity, confidence, targets) in found.items()}  # fmt: skip


def _provisions(round_: Round) -> list[Provision]:
    """The round's provisions in order. A parent is in the same round, so `provision.parent`
    is then found in the session, without a query of its own."""
    return list(
        db.session.scalars(
            select(Provision).where(Provision.round_id == round_.id).order_by(Provision.position)
        )
    )


def _parent_key(provision: Provision) -> str | None:
    return provision.parent.key if provision.parent is not None else None


def end_point_kind(source: Provision, targets: Sequence[Provision], merged: bool) -> str:
    """The kind of change from `source` to `targets`, as the alignment engine defines it."""
    if not targets:
        return "removed"
    if len(targets) > 1:
        return "split"
    if merged:
        return "merged"
    target = targets[0]
    if _parent_key(source) != _parent_key(target):
        return "moved"
    if normalised(source.title) == normalised(target.title) and normalised(
        source.text
    ) == normalised(target.text):
        return "unchanged"
    return "modified"


def lineage_between(
    from_round: Round, to_round: Round
) -> tuple[list[LineageEntry], list[Provision]]:
    """One entry per provision of `from_round` (position order), and the provisions of
    `to_round` with no predecessor there (added).

    Works for any two rounds of a code with from < to, following the stored links through
    the rounds in between. Raises BadInput for rounds of different codes or in the wrong order.
    """
    rounds = _rounds_between(from_round, to_round)
    links = links_by_source(link_rows(rounds[:-1]))
    return pair_rounds(len(rounds) - 1, links, _provisions(from_round), _provisions(to_round))


def pair_rounds(
    hops: int,
    links: dict[int, StoredLink],
    sources: Sequence[Provision],
    targets_in_order: Sequence[Provision],
) -> tuple[list[LineageEntry], list[Provision]]:
    """`lineage_between` from what it reads: the number of rounds from the first to the
    last, the links leaving every round but the last (`links_by_source`), and the two
    rounds' provisions in position order."""
    position = {p.id: p.position for p in targets_in_order}
    by_id = {p.id: p for p in targets_in_order}
    reached: dict[int, list[int]] = {}
    certainty: dict[int, float] = {}
    for source in sources:
        current, surest = {source.id}, 1.0
        for _ in range(hops):
            nxt: set[int] = set()
            for provision_id in current:
                link = links.get(provision_id)
                if link is not None:
                    nxt.update(link.targets)
                    surest = min(surest, link.confidence)
            current = nxt
        reached[source.id] = sorted((i for i in current if i in by_id), key=lambda i: position[i])
        certainty[source.id] = surest
    incoming: dict[int, int] = {}
    for ids in reached.values():
        for i in ids:
            incoming[i] = incoming.get(i, 0) + 1
    entries = []
    for source in sources:
        targets = tuple(by_id[i] for i in reached[source.id])
        link = links.get(source.id)
        if hops == 1 and link is not None:
            entries.append(LineageEntry(source, targets, link.kind, link.similarity,
                                        link.confidence))
            continue
        kind = end_point_kind(source, targets, any(incoming[t.id] > 1 for t in targets))
        value = 0.0
        if kind == "unchanged":
            value = 1.0
        elif targets:
            value = round(text_similarity(source.text, "\n".join(t.text for t in targets)), 2)
        entries.append(LineageEntry(source, targets, kind, value, certainty[source.id]))
    added = [p for p in targets_in_order if p.id not in incoming]
    return entries, added


def locator(provision: Provision) -> str:
    """How a provision is named beside its key: its number label, or its title if unnumbered."""
    return provision.label or provision.title


def _links_into(provision_ids: Iterable[int]) -> list[LineageLink]:
    ids = list(provision_ids)
    if not ids:
        return []
    # The links by id (not SELECT DISTINCT over the rows: PostgreSQL has no equality for the
    # JSON `alternatives` column, so DISTINCT over whole rows fails there).
    into = select(LineageTarget.link_id).where(LineageTarget.to_provision_id.in_(ids))
    return list(
        db.session.scalars(
            select(LineageLink)
            .where(LineageLink.id.in_(into))
            .options(selectinload(LineageLink.from_provision), selectinload(LineageLink.targets))
            .order_by(LineageLink.id)
        )
    )


def provision_history(provision: Provision) -> list[HistoryStep]:
    """The versions of a provision in every round, oldest first, following stored links.

    Backwards through the links that lead into it, forwards through the links leaving it;
    a split or merge widens a step to several provisions.
    """
    rounds = {
        r.id: r
        for r in db.session.scalars(select(Round).where(Round.code_id == provision.round.code_id))
    }
    before: list[tuple[list[Provision], LineageLink | None]] = []
    current = [provision]
    while True:
        links = _links_into(p.id for p in current)
        if not links:
            break
        previous = sorted((link.from_provision for link in links), key=lambda p: p.position)
        before.append((previous, _summary_link(links)))
        current = previous
    after: list[tuple[list[Provision], LineageLink | None]] = []
    current = [provision]
    while True:
        outgoing = _links_from_provisions(p.id for p in current)
        nxt = [t.to_provision for link in outgoing for t in link.targets]
        nxt = sorted({p.id: p for p in nxt}.values(), key=lambda p: p.position)
        after.append((current, _summary_link(outgoing)))
        if not nxt:
            break
        current = nxt
    steps = reversed(before)
    return [
        HistoryStep(rounds[ps[0].round_id], tuple(ps), *_kind(link))
        for ps, link in [*steps, *after]
    ]


def visible_history(provision: Provision, user: Any) -> list[HistoryStep]:
    """The provision's history in the rounds `user` may see, revealing nothing of the others.

    Steps of hidden rounds are dropped. A step's kind and similarity describe the change into
    the next step, so they are recomputed from the two visible end points when hidden rounds
    lie between, and cleared when the next round is hidden or none is visible after it.
    """
    steps = provision_history(provision)
    shown = [i for i, step in enumerate(steps) if can_view_round(user, step.round)]
    result = []
    for position, index in enumerate(shown):
        step = steps[index]
        following = shown[position + 1] if position + 1 < len(shown) else None
        if following is None:
            keep = index == len(steps) - 1 and _next_rounds_visible(step, user)
            result.append(step if keep else replace(step, kind=None, similarity=None))
        elif following == index + 1:
            result.append(step)
        else:
            result.append(replace(step, **_change_across(step, steps[following])))
    return result


def _next_rounds_visible(step: HistoryStep, user: Any) -> bool:
    """Whether every round the step's outgoing links lead into is visible to `user`."""
    if step.kind is None:
        return True
    links = _links_from_provisions(p.id for p in step.provisions)
    round_ids = {link.to_round_id for link in links}
    rounds = list(db.session.scalars(select(Round).where(Round.id.in_(round_ids))))
    return bool(rounds) and all(can_view_round(user, r) for r in rounds)


def _change_across(step: HistoryStep, later: HistoryStep) -> dict[str, Any]:
    """Kind and similarity from `step` to `later`, following the links through hidden rounds."""
    entries, _ = lineage_between(step.round, later.round)
    ids = {p.id for p in step.provisions}
    mine = [entry for entry in entries if entry.source.id in ids]
    if not mine:
        return {"kind": None, "similarity": None}
    best = min(mine, key=lambda entry: _KIND_ORDER.index(entry.kind))
    return {"kind": best.kind, "similarity": best.similarity}


_KIND_ORDER = ("split", "merged", "moved", "modified", "unchanged", "removed")


def _kind(link: LineageLink | None) -> tuple[str | None, float | None]:
    return (link.kind, link.similarity) if link is not None else (None, None)


def _summary_link(links: Sequence[LineageLink]) -> LineageLink | None:
    """The link that describes a step: the one with the most telling kind."""
    return min(links, key=lambda link: _KIND_ORDER.index(link.kind), default=None)


def _links_from_provisions(provision_ids: Iterable[int]) -> list[LineageLink]:
    ids = list(provision_ids)
    return list(
        db.session.scalars(
            select(LineageLink)
            .where(LineageLink.from_provision_id.in_(ids))
            .options(selectinload(LineageLink.targets))
        )
    )


def change_marks(previous: Round, current: Round) -> dict[int, str]:
    """How each provision of `current` came out of `previous`, by provision id: added,
    unchanged, modified, moved, split or merged (the kind of the link that leads into it)."""
    entries, added = lineage_between(previous, current)
    marks = {p.id: "added" for p in added}
    order = ("split", "merged", "moved", "modified", "unchanged")
    for entry in entries:
        for target in entry.targets:
            known = marks.get(target.id)
            if known is None or order.index(entry.kind) < order.index(known):
                marks[target.id] = entry.kind
    return marks

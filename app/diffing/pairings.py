"""The lineage pairing of two rounds, cached in process and stored at import.

Which provision became which (and the kind) is kept as provision ids under a signature read
in one query on every request: the rounds from the first to the last (id, source hash, import
time) and every stored link leaving them (id, source, kind, similarity, targets). A re-import
or a secretariat correction changes the signature, so a pairing is used only while it holds.

Two levels: an in-process LRU per worker, and the pairings stored when a round is imported
or its lineage changes (`lineage_pairings`, written by `listeners.py` beside the word diffs),
so that a worker's first comparison after an import reads the pairing instead of following
the links and comparing texts across the rounds in between. Either is checked against the
signature just read; on a miss the pairing is computed from the rows the signature was read
from (a GET never writes it).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, select

from app.accounts.models import WorkingGroup
from app.core.db import db, insert_rows, utcnow
from app.diffing.cache import remember
from app.diffing.models import StoredPairing
from app.drafting.lineage import (
    LineageEntry,
    check_order,
    link_rows,
    links_by_source,
    pair_rounds,
)
from app.drafting.models import Provision, Round

LINEAGE_CACHE_SIZE = 256
# Stored with each pairing; a stored pairing of another version is not used (raise it when
# `pair_rounds` comes to pair differently, so that pairings stored before are recomputed).
PLAN_VERSION = 1
# (from round id, to round id) -> (signature, plan); a plan is what `_plan` returns.
_LINEAGE: OrderedDict[tuple[int, int], tuple[str, Any]] = OrderedDict()
Plan = tuple[list[tuple[int, tuple[int, ...], str, float, float]], list[int]]


def _rows(from_round: Round, to_round: Round) -> tuple[list[Any], list[Any]]:
    """The rounds from the first to the last (id, source hash, import time) and the
    `link_rows` leaving every one but the last."""
    rounds = list(
        db.session.execute(
            select(Round.id, Round.source_hash, Round.imported_at)
            .where(
                Round.code_id == from_round.code_id,
                Round.number >= from_round.number,
                Round.number <= to_round.number,
            )
            .order_by(Round.number)
        )
    )
    return rounds, link_rows([r.id for r in rounds[:-1]])


def _signature(rounds: Sequence[Any], links: Sequence[Any]) -> str:
    plain = (
        [tuple(row) for row in rounds],
        [(link_id, source, kind, similarity, target)
         for link_id, source, kind, similarity, target, _confidence in links],
    )  # fmt: skip
    return hashlib.sha256(repr(plain).encode()).hexdigest()


def lineage_signature(from_round: Round, to_round: Round) -> str:
    """What the pairing of the two rounds depends on, as a sha256 (one query)."""
    return _signature(*_rows(from_round, to_round))


def _plan(entries: Sequence[LineageEntry], added: Sequence[Provision]) -> Plan:
    return (
        [(e.source.id, tuple(t.id for t in e.targets), e.kind, e.similarity, e.confidence)
         for e in entries],
        [p.id for p in added],
    )  # fmt: skip


def _stored_plan(from_round: Round, to_round: Round, signature: str) -> Plan | None:
    stored = db.session.scalar(
        select(StoredPairing.plan).where(
            StoredPairing.from_round_id == from_round.id,
            StoredPairing.to_round_id == to_round.id,
            StoredPairing.signature == signature,
        )
    )
    if stored is None or stored.get("version") != PLAN_VERSION:
        return None
    return (
        [(source, tuple(targets), kind, similarity, confidence)
         for source, targets, kind, similarity, confidence in stored["entries"]],
        list(stored["added"]),
    )  # fmt: skip


def _entries(plan: Plan, by_id: dict[int, Provision]) -> Any:
    """The plan's entries and added provisions; None if a provision is not there."""
    sources, added_ids = plan
    try:
        return (
            [LineageEntry(by_id[s], tuple(by_id[t] for t in ts), kind, similarity, confidence)
             for s, ts, kind, similarity, confidence in sources],
            [by_id[i] for i in added_ids],
        )  # fmt: skip
    except KeyError:
        return None


def _provisions(from_round: Round, to_round: Round) -> tuple[list[Provision], list[Provision]]:
    """Both rounds' provisions in position order, in one query (and the working groups, a
    handful, which saves a lazy load per group)."""
    list(db.session.scalars(select(WorkingGroup)))
    both = db.session.scalars(
        select(Provision).where(Provision.round_id.in_([from_round.id, to_round.id]))
    )  # sorted here: an ORDER BY across two rounds sorts whole rows in SQLite's temp B-tree
    earlier: list[Provision] = []
    later: list[Provision] = []
    for provision in sorted(both, key=attrgetter("position")):
        (earlier if provision.round_id == from_round.id else later).append(provision)
    return earlier, later


def cached_lineage(
    from_round: Round, to_round: Round
) -> tuple[list[LineageEntry], list[Provision], str]:
    """`lineage_between`, and the signature it was read under (what a rendered comparison
    may be cached by): from the process's cache or the stored pairing while the signature
    holds, else computed. Raises BadInput for rounds of different codes or in the wrong
    order."""
    check_order(from_round, to_round)
    rounds, links = _rows(from_round, to_round)
    signature = _signature(rounds, links)
    key = (from_round.id, to_round.id)
    found = _LINEAGE.get(key)
    plan = found[1] if found is not None and found[0] == signature else None
    if plan is None:
        plan = _stored_plan(from_round, to_round, signature)
    sources, targets = _provisions(from_round, to_round)
    by_id = {p.id: p for p in (*sources, *targets)}
    result = _entries(plan, by_id) if plan is not None else None
    if result is None:
        result = pair_rounds(len(rounds) - 1, links_by_source(links), sources, targets)
        plan = _plan(*result)
    remember(_LINEAGE, key, (signature, plan), LINEAGE_CACHE_SIZE)  # a hit moves to the end
    entries, added = result
    return entries, added, signature


def store_pairing(from_round: Round, to_round: Round) -> tuple[list[LineageEntry],
                                                             list[Provision]]:
    """Compute the pairing of the two rounds and store it under its signature, replacing the
    one stored before (an import's comparisons). Returns it, as `lineage_between`."""
    check_order(from_round, to_round)
    rounds, links = _rows(from_round, to_round)
    sources, targets = _provisions(from_round, to_round)
    entries, added = pair_rounds(len(rounds) - 1, links_by_source(links), sources, targets)
    sources_plan, added_ids = _plan(entries, added)
    db.session.execute(delete(StoredPairing).where(
        StoredPairing.from_round_id == from_round.id, StoredPairing.to_round_id == to_round.id))
    insert_rows(StoredPairing.__table__, [{
        "from_round_id": from_round.id, "to_round_id": to_round.id,
        "signature": _signature(rounds, links), "created_at": utcnow(),
        "plan": {"version": PLAN_VERSION,
                 "entries": [[s, list(ts), kind, similarity, confidence]
                             for s, ts, kind, similarity, confidence in sources_plan],
                 "added": added_ids}}])  # fmt: skip
    return entries, added

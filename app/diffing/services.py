"""Comparing two rounds of a Code: lineage pairings, word diffs and counts.

The diffs and pairings come from the caches of `app.diffing.cache`, so a page compares two
published rounds in milliseconds once it has been shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.errors import BadInput
from app.core.i18n import N_
from app.diffing.cache import cached_diffs
from app.diffing.engine import WordDiff
from app.diffing.pairings import cached_lineage
from app.drafting.models import Code, Provision, Round
from app.drafting.services import get_round

KINDS = ("unchanged", "modified", "moved", "split", "merged", "removed", "added")


@dataclass(frozen=True)
class DiffEntry:
    """One lineage pairing: `old` became (part of) `new`; None for added or removed."""

    kind: str
    old: Provision | None
    new: Provision | None
    diff: WordDiff
    similarity: float

    @property
    def provision(self) -> Provision:
        """The version the entry is filed under: the new one, or the old one if removed."""
        return self.new or self.old  # type: ignore[return-value]

    @property
    def from_key(self) -> str | None:
        return self.old.key if self.old else None

    @property
    def to_key(self) -> str | None:
        return self.new.key if self.new else None

    @property
    def from_label(self) -> str | None:
        return (self.old.label or self.old.title) if self.old else None

    @property
    def to_label(self) -> str | None:
        return (self.new.label or self.new.title) if self.new else None

    @property
    def size(self) -> int:
        """Words inserted plus words deleted: how big the change is."""
        return self.diff.words_inserted + self.diff.words_deleted

    @cached_property
    def anchor(self) -> str:
        """A stable HTML id for the entry."""
        return f"c-{self.from_key or 'new'}--{self.to_key or 'gone'}"


@dataclass(frozen=True)
class AreaCount:
    """Counts of one chapter or commitment (named as in the later round where it exists)."""

    key: str
    heading: str
    kinds: dict[str, int]
    words_inserted: int
    words_deleted: int

    @property
    def changed(self) -> int:
        return sum(n for kind, n in self.kinds.items() if kind != "unchanged")


@dataclass(frozen=True)
class Comparison:
    """Every pairing between two rounds, with counts; `entries` are in document order."""

    from_round: Round
    to_round: Round
    entries: tuple[DiffEntry, ...]
    summary: dict[str, int]
    words_inserted: int
    words_deleted: int
    by_chapter: tuple[AreaCount, ...] = field(default=())
    by_commitment: tuple[AreaCount, ...] = field(default=())
    # The lineage signature the comparison was read under (cache.py), with the filters:
    # equal versions, equal comparisons (rounds change only by re-import, which changes it).
    version: tuple[Any, ...] = ()

    def biggest_first(self) -> list[DiffEntry]:
        """Entries by size of change, biggest first (document order among equals)."""
        return sorted(self.entries, key=lambda e: -e.size)


# -- choosing the rounds ----------------------------------------------------------------


def parse_round_numbers(from_raw: str | None, to_raw: str | None) -> tuple[int, int]:
    """Two round numbers from query parameters; BadInput if missing, not whole or equal."""
    try:
        from_n, to_n = int(from_raw or ""), int(to_raw or "")
    except ValueError:
        raise BadInput(N_("Give two round numbers, as from=N and to=M.")) from None
    if from_n == to_n:
        raise BadInput(N_("Pick two different rounds to compare."))
    return from_n, to_n


def rounds_to_compare(code: Code, from_n: int, to_n: int, user: Any) -> tuple[Round, Round]:
    """Both rounds, checked for visibility before anything is compared.

    Raises BadInput for the same round twice, NotFound for an unknown or invisible round.
    The order is not checked here: the page swaps it, the API refuses it.
    """
    if from_n == to_n:
        raise BadInput(N_("Pick two different rounds to compare."))
    return get_round(code, from_n, user), get_round(code, to_n, user)


# -- comparing ------------------------------------------------------------------------------


def compare(
    from_round: Round,
    to_round: Round,
    *,
    provision_key: str | None = None,
    group: str | None = None,
    kinds: Iterable[str] | None = None,
) -> Comparison:
    """Compare two rounds of a code (from before to) through their lineage.

    One entry per pairing: a split gives one entry per new provision, a merge one per old
    provision; added entries have no old provision, removed ones no new one. Filters keep the
    entries touching `provision_key` (old or new key), of working group `group` (slug), or of
    the given kinds; the counts describe the kept entries. The summary counts lineage links
    (a split counts once) plus added provisions. Access is the caller's business (see
    `rounds_to_compare`). Raises BadInput for rounds out of order or of different codes, and
    for an unknown kind.
    """
    if from_round.id == to_round.id:
        raise BadInput(N_("Pick two different rounds to compare."))
    if from_round.number > to_round.number:
        raise BadInput(N_("Round %(later)s comes after round %(earlier)s: compare the earlier "
                          "round with the later one."),
                       later=from_round.number, earlier=to_round.number)
    wanted = set(kinds) if kinds else None
    if wanted and not wanted <= set(KINDS):
        raise BadInput(N_("kind must be one of %(kinds)s."), kinds=", ".join(KINDS))
    lineage, added, signature = cached_lineage(from_round, to_round)
    pairs: list[tuple[str, Provision | None, Provision | None, float]] = []
    for item in lineage:
        if not item.targets:
            pairs.append((item.kind, item.source, None, item.similarity))
        for target in item.targets:
            pairs.append((item.kind, item.source, target, item.similarity))
    pairs.extend(("added", None, provision, 0.0) for provision in added)

    order = _document_positions(lineage)
    entries = []
    links: Counter[str] = Counter()
    seen_sources: set[int] = set()
    kept = [pair for pair in pairs if _keep(pair[0], pair[1], pair[2], provision_key, group,
                                             wanted)]
    diffs = cached_diffs([(old.body if old else "", new.body if new else "")
                          for _, old, new, _ in kept])
    for (kind, old, new, similarity), diff in zip(kept, diffs, strict=True):
        entries.append(DiffEntry(kind, old, new, diff, similarity))
        if old is None or old.id not in seen_sources:
            links[kind] += 1
        if old is not None:
            seen_sources.add(old.id)
    entries.sort(key=order)
    by_chapter, by_commitment = _area_counts(entries)
    return Comparison(
        from_round=from_round,
        to_round=to_round,
        entries=tuple(entries),
        summary={kind: links.get(kind, 0) for kind in KINDS},
        words_inserted=sum(e.diff.words_inserted for e in entries),
        words_deleted=sum(e.diff.words_deleted for e in entries),
        by_chapter=by_chapter,
        by_commitment=by_commitment,
        version=(signature, from_round.id, to_round.id, provision_key, group,
                 tuple(sorted(wanted)) if wanted else None),
    )  # fmt: skip


def _keep(
    kind: str,
    old: Provision | None,
    new: Provision | None,
    provision_key: str | None,
    group: str | None,
    wanted: set[str] | None,
) -> bool:
    if wanted is not None and kind not in wanted:
        return False
    if provision_key is not None and provision_key not in {p.key for p in (old, new) if p}:
        return False
    if group is not None:
        slugs = {p.group.slug for p in (old, new) if p is not None and p.group is not None}
        if group not in slugs:
            return False
    return True


def _document_positions(lineage: list[Any]) -> Any:
    """A sort key in the new round's order; a removed provision follows what its old
    predecessor became, so the redline reads top to bottom."""
    after: dict[int, int] = {}
    last = -1
    for item in lineage:
        if item.targets:
            last = item.targets[0].position
        after[item.source.id] = last

    def key(entry: DiffEntry) -> tuple[int, int, int]:
        if entry.new is not None:
            return (entry.new.position, 0, entry.old.position if entry.old else -1)
        return (after.get(entry.old.id, -1), 1, entry.old.position)  # type: ignore[union-attr]

    return key


def _ancestry(entries: list[DiffEntry]) -> Any:
    """A function giving a provision's ancestors, itself first, memoised. A parent is in the
    same round, whose provisions the comparison holds (looked up by `parent_id`, without the
    ORM's lazy loader); one it does not hold is loaded."""
    held = {p.id: p for e in entries for p in (e.old, e.new) if p is not None}
    chains: dict[int, tuple[Provision, ...]] = {}

    def ancestors(provision: Provision) -> tuple[Provision, ...]:
        found = chains.get(provision.id)
        if found is None:
            parent_id = provision.parent_id
            if parent_id is None:
                found = (provision,)
            else:
                parent = held.get(parent_id) or provision.parent
                found = (provision, *ancestors(parent)) if parent is not None else (provision,)
            chains[provision.id] = found
        return found

    return ancestors


def _area_counts(entries: list[DiffEntry]) -> tuple[tuple[AreaCount, ...], ...]:
    """Counts by chapter (the outermost ancestor) and by commitment (the nearest ancestor
    of that kind)."""
    ancestors = _ancestry(entries)
    by_area: tuple[dict[str, tuple[str, Counter[str], list[int]]], ...] = ({}, {})
    for entry in entries:
        chain = ancestors(entry.provision)
        commitment = next((p for p in chain if p.kind == "commitment"), None)
        for areas, area in zip(by_area, (chain[-1], commitment), strict=True):
            if area is None:
                continue
            counts = areas.get(area.key)
            if counts is None:
                counts = areas[area.key] = (area.heading, Counter(), [0, 0])
            counts[1][entry.kind] += 1
            counts[2][0] += entry.diff.words_inserted
            counts[2][1] += entry.diff.words_deleted
    return tuple(
        tuple(AreaCount(key, heading, dict(kinds), words[0], words[1])
              for key, (heading, kinds, words) in areas.items())
        for areas in by_area
    )  # fmt: skip

"""Comparing two rounds of a Code: lineage pairings, word diffs, counts and caching.

Caching. A word diff depends only on the two texts it compares, so it is cached under the
sha256 of the pair: an entry can never go stale, whatever happens to the rounds, and a round
re-imported with the same text reuses it. Two levels:

- an in-process LRU (``CACHE_SIZE`` diffs, per worker), which alone serves a warm page in a
  few milliseconds;
- Redis, when ``REDIS_URL`` is configured, shared by all workers and kept for ``REDIS_TTL``;
  after a Redis error the LRU carries on alone for a minute (logged once).

The lineage pairing of two rounds (which provision became which, and the kind) is also kept
in process, as provision ids, under a signature read in one small query on every request: the
rounds in between (id, source hash, import time) and every stored link leaving them (id, kind,
similarity, targets). A re-import or a secretariat correction changes the signature, so the
pairing is recomputed then and only then. Rendered redlines are memoised per cached diff.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.accounts.models import WorkingGroup
from app.core.db import db
from app.core.errors import BadInput, NotFound
from app.diffing.engine import WordDiff, diff_words
from app.drafting.lineage import LineageEntry, lineage_between
from app.drafting.models import Code, LineageLink, LineageTarget, Provision, Round
from app.drafting.permissions import can_view_round

KINDS = ("unchanged", "modified", "moved", "split", "merged", "removed", "added")
CACHE_SIZE = 20_000
REDIS_TTL = 30 * 24 * 3600
log = logging.getLogger(__name__)


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

    @property
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

    def biggest_first(self) -> list[DiffEntry]:
        """Entries by size of change, biggest first (document order among equals)."""
        return sorted(self.entries, key=lambda e: -e.size)


# -- loading and access ---------------------------------------------------------------------


def get_code(slug: str) -> Code:
    """The Code with this slug; NotFound otherwise."""
    code = db.session.scalar(select(Code).where(Code.slug == slug))
    if code is None:
        raise NotFound("There is no such code.")
    return code


def visible_rounds(code: Code, user: Any) -> list[Round]:
    """The rounds of `code` the user may see, oldest first."""
    return [r for r in code.rounds if can_view_round(user, r)]


def visible_round(code: Code, number: int, user: Any) -> Round:
    """Round `number` of `code` if the user may see it; NotFound (never NotAllowed) otherwise."""
    for round_ in code.rounds:
        if round_.number == number and can_view_round(user, round_):
            return round_
    raise NotFound(f"Round {number} of this code does not exist or is not visible to you.")


def parse_round_numbers(from_raw: str | None, to_raw: str | None) -> tuple[int, int]:
    """Two round numbers from query parameters; BadInput if missing, not whole or equal."""
    try:
        from_n, to_n = int(from_raw or ""), int(to_raw or "")
    except ValueError:
        raise BadInput("Give two round numbers, as from=N and to=M.") from None
    if from_n == to_n:
        raise BadInput("Pick two different rounds to compare.")
    return from_n, to_n


def rounds_to_compare(code: Code, from_n: int, to_n: int, user: Any) -> tuple[Round, Round]:
    """Both rounds, checked for visibility before anything is compared.

    Raises BadInput for the same round twice, NotFound for an unknown or invisible round.
    The order is not checked here: the page swaps it, the API refuses it.
    """
    if from_n == to_n:
        raise BadInput("Pick two different rounds to compare.")
    return visible_round(code, from_n, user), visible_round(code, to_n, user)


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
        raise BadInput("Pick two different rounds to compare.")
    if from_round.number > to_round.number:
        raise BadInput(
            f"Round {from_round.number} comes after round {to_round.number}: "
            "compare the earlier round with the later one."
        )
    wanted = set(kinds) if kinds else None
    if wanted and not wanted <= set(KINDS):
        raise BadInput(f"kind must be one of {', '.join(KINDS)}.")
    lineage, added = cached_lineage(from_round, to_round)
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
    for kind, old, new, similarity in pairs:
        if not _keep(kind, old, new, provision_key, group, wanted):
            continue
        diff = cached_diff(old.body if old else "", new.body if new else "")
        entries.append(DiffEntry(kind, old, new, diff, similarity))
        if old is None or old.id not in seen_sources:
            links[kind] += 1
        if old is not None:
            seen_sources.add(old.id)
    entries.sort(key=order)
    return Comparison(
        from_round=from_round,
        to_round=to_round,
        entries=tuple(entries),
        summary={kind: links.get(kind, 0) for kind in KINDS},
        words_inserted=sum(e.diff.words_inserted for e in entries),
        words_deleted=sum(e.diff.words_deleted for e in entries),
        by_chapter=_area_counts(entries, _chapter),
        by_commitment=_area_counts(entries, _commitment),
    )


def previous_visible_round(round_: Round, user: Any) -> Round | None:
    """The latest round before `round_` that the user may see, or None."""
    earlier = [r for r in visible_rounds(round_.code, user) if r.number < round_.number]
    return earlier[-1] if earlier else None


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


def _ancestors(provision: Provision) -> list[Provision]:
    chain = []
    node: Provision | None = provision
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _chapter(provision: Provision) -> Provision | None:
    return _ancestors(provision)[-1]


def _commitment(provision: Provision) -> Provision | None:
    return next((p for p in _ancestors(provision) if p.kind == "commitment"), None)


def _area_counts(entries: list[DiffEntry], area_of: Any) -> tuple[AreaCount, ...]:
    areas: dict[str, tuple[str, Counter[str], list[int]]] = {}
    for entry in entries:
        area = area_of(entry.provision)
        if area is None:
            continue
        heading, kinds, words = areas.setdefault(area.key, (area.heading, Counter(), [0, 0]))
        kinds[entry.kind] += 1
        words[0] += entry.diff.words_inserted
        words[1] += entry.diff.words_deleted
    return tuple(
        AreaCount(key, heading, dict(kinds), words[0], words[1])
        for key, (heading, kinds, words) in areas.items()
    )


# -- the lineage cache ----------------------------------------------------------------------

LINEAGE_CACHE_SIZE = 256
_LINEAGE: OrderedDict[tuple[int, int], tuple[str, Any]] = OrderedDict()
_MEMO_LOCK = Lock()  # the LRUs below are shared by a threaded server's requests


def _lineage_signature(from_round: Round, to_round: Round) -> str:
    rounds = db.session.execute(
        select(Round.id, Round.source_hash, Round.imported_at)
        .where(
            Round.code_id == from_round.code_id,
            Round.number >= from_round.number,
            Round.number <= to_round.number,
        )
        .order_by(Round.number)
    ).all()
    links = db.session.execute(
        select(
            LineageLink.id,
            LineageLink.from_provision_id,
            LineageLink.kind,
            LineageLink.similarity,
            LineageTarget.to_provision_id,
        )
        .outerjoin(LineageTarget, LineageTarget.link_id == LineageLink.id)
        .where(LineageLink.from_round_id.in_([r.id for r in rounds[:-1]]))
        .order_by(LineageLink.id, LineageTarget.id)
    ).all()
    plain = [tuple(row) for row in rounds], [tuple(row) for row in links]
    return hashlib.sha256(repr(plain).encode()).hexdigest()


def cached_lineage(from_round: Round, to_round: Round) -> tuple[list[Any], list[Provision]]:
    """`lineage_between`, recomputed only when the rounds or their links changed."""
    signature = _lineage_signature(from_round, to_round)
    found = _LINEAGE.get((from_round.id, to_round.id))
    if found is None or found[0] != signature:
        entries, added = lineage_between(from_round, to_round)
        plan = (
            [(e.source.id, tuple(t.id for t in e.targets), e.kind, e.similarity) for e in entries],
            [p.id for p in added],
        )
        _remember(_LINEAGE, (from_round.id, to_round.id), (signature, plan), LINEAGE_CACHE_SIZE)
        return entries, added
    sources, added_ids = found[1]
    list(db.session.scalars(select(WorkingGroup)))  # a handful; saves a lazy load per group
    by_id = {
        p.id: p
        for p in db.session.scalars(
            select(Provision).where(Provision.round_id.in_([from_round.id, to_round.id]))
        )
    }
    return (
        [
            LineageEntry(by_id[s], tuple(by_id[t] for t in ts), kind, similarity)
            for s, ts, kind, similarity in sources
        ],
        [by_id[i] for i in added_ids],
    )


def clear_caches() -> None:
    """Forget every cached diff, pairing and rendering (tests and benchmarks)."""
    DIFF_CACHE.clear()
    _LINEAGE.clear()
    _RENDERED.clear()


_RENDERED: OrderedDict[tuple[Any, ...], tuple[WordDiff, Any]] = OrderedDict()


def rendered(diff: WordDiff, key: tuple[Any, ...], render: Any) -> Any:
    """`render()` for a diff the cache handed out, memoised under `key` (what else it shows)."""
    full_key = (id(diff), *key)
    found = _RENDERED.get(full_key)
    if found is not None and found[0] is diff:
        return found[1]
    html = render()
    _remember(_RENDERED, full_key, (diff, html), CACHE_SIZE)
    return html


def _remember(memo: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    with _MEMO_LOCK:
        memo[key] = value
        memo.move_to_end(key)
        while len(memo) > size:
            memo.popitem(last=False)


# -- the diff cache -------------------------------------------------------------------------


class DiffCache:
    """Word diffs by sha256 of the two texts: an in-process LRU, backed by Redis if configured."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, WordDiff] = OrderedDict()
        self._lock = Lock()
        self._redis: Any = None
        self._redis_url: str | None = None
        self._redis_retry_at = 0.0
        self.hits = self.misses = 0

    @staticmethod
    def key(old: str, new: str) -> str:
        digest = hashlib.sha256()
        for text in (old, new):
            data = text.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()

    def get(self, old: str, new: str) -> WordDiff:
        """The diff of the two texts, computed at most once per cache."""
        key = self.key(old, new)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        self.misses += 1
        diff = self._from_redis(key)
        if diff is None:
            diff = diff_words(old, new)
            self._to_redis(key, diff)
        with self._lock:
            self._items[key] = diff
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return diff

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def _client(self) -> Any:
        url = current_app.config.get("REDIS_URL") if current_app else None
        if not url or time.monotonic() < self._redis_retry_at:
            return None
        if self._redis is None or self._redis_url != url:
            import redis

            self._redis, self._redis_url = redis.Redis.from_url(url), url
        return self._redis

    def _from_redis(self, key: str) -> WordDiff | None:
        try:
            client = self._client()
            raw = client.get(f"plenary:diff:{key}") if client else None
        except Exception as error:  # noqa: BLE001 - the cache must never break a page
            self._redis_failed(error)
            return None
        if not raw:
            return None
        data = json.loads(raw)
        return WordDiff(
            ops=tuple((kind, text) for kind, text in data["ops"]),
            words_inserted=data["ins"],
            words_deleted=data["del"],
            words_unchanged=data["eq"],
        )

    def _to_redis(self, key: str, diff: WordDiff) -> None:
        try:
            client = self._client()
            if client:
                data = {
                    "ops": diff.ops,
                    "ins": diff.words_inserted,
                    "del": diff.words_deleted,
                    "eq": diff.words_unchanged,
                }
                client.set(f"plenary:diff:{key}", json.dumps(data), ex=REDIS_TTL)
        except Exception as error:  # noqa: BLE001
            self._redis_failed(error)

    def _redis_failed(self, error: Exception) -> None:
        log.warning("diff cache: Redis unavailable for a minute, LRU only: %s", error)
        self._redis, self._redis_retry_at = None, time.monotonic() + 60


DIFF_CACHE = DiffCache()


def cached_diff(old: str, new: str) -> WordDiff:
    """The word diff of two texts, from the cache when it was computed before."""
    return DIFF_CACHE.get(old, new)

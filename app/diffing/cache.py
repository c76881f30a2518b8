"""Caches of the comparisons: word diffs, lineage pairings and rendered redlines.

A word diff depends only on the two texts it compares, so it is cached under the sha256 of
the pair: an entry can never go stale, whatever happens to the rounds, and a round re-imported
with the same text reuses it. Two levels:

- an in-process LRU (``CACHE_SIZE`` diffs, per worker), which alone serves a warm page in a
  few milliseconds;
- Redis, when ``REDIS_URL`` is configured, shared by all workers and kept for ``REDIS_TTL``;
  after a Redis error the LRU carries on alone for a minute (logged once).

Diffs are also stored when a round is imported (`store_diffs`, `word_diffs`), so that the
first comparison a worker serves reads them in one query. Rendered redlines are memoised per
cached diff. The lineage pairings the comparisons follow are cached in `pairings.py`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.core.db import db, insert_rows, one_of, utcnow
from app.diffing.engine import WordDiff, diff_words
from app.diffing.models import StoredDiff

CACHE_SIZE = 20_000
REDIS_TTL = 30 * 24 * 3600
log = logging.getLogger(__name__)


# -- memoised renderings ---------------------------------------------------------------------

_MEMO_LOCK = Lock()  # the LRUs below (and pairings.py's) are shared by a threaded server's requests
_RENDERED: OrderedDict[tuple[Any, ...], tuple[WordDiff, Any]] = OrderedDict()


def rendered(diff: WordDiff, key: tuple[Any, ...], render: Any) -> Any:
    """`render()` for a diff the cache handed out, memoised under `key` (what else it shows)."""
    full_key = (id(diff), *key)
    found = _RENDERED.get(full_key)
    if found is not None and found[0] is diff:
        return found[1]
    html = render()
    remember(_RENDERED, full_key, (diff, html), CACHE_SIZE)
    return html


_FRAGMENTS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
FRAGMENT_CACHE_SIZE = 512


def fragment(key: tuple[Any, ...], render: Any) -> Any:
    """`render()` memoised under `key`, which must name everything the fragment shows (for a
    comparison: its lineage signature, filters, locale and what depends on the reader)."""
    found = _FRAGMENTS.get(key)
    if found is not None:
        return found
    html = render()
    remember(_FRAGMENTS, key, html, FRAGMENT_CACHE_SIZE)
    return html


def remember(memo: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Put `value` in the LRU `memo` under `key`, dropping the oldest past `size`."""
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

    def get_many(self, pairs: list[tuple[str, str]]) -> list[WordDiff]:
        """The diffs of many pairs of texts, in order: from the LRU, then the diffs stored at
        import (one query for all the rest), then Redis or computed, each at most once."""
        keys = [self.key(old, new) for old, new in pairs]
        with self._lock:
            found = {k: self._items[k] for k in keys if k in self._items}
            for key in found:  # least recently used goes first, not first stored
                self._items.move_to_end(key)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        stored = stored_diffs(missing) if missing else {}
        with self._lock:
            self.hits += sum(1 for k in keys if k in found)
            for key, diff in stored.items():
                self._items[key] = diff
        result = []
        for key, (old, new) in zip(keys, pairs, strict=True):
            diff = found.get(key) or stored.get(key)
            result.append(diff if diff is not None else self.get(old, new))
        with self._lock:
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return result

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


def cached_diffs(pairs: list[tuple[str, str]]) -> list[WordDiff]:
    """The word diffs of many pairs of texts, in order (see DiffCache.get_many)."""
    return DIFF_CACHE.get_many(pairs)


# -- diffs stored at import -----------------------------------------------------------------


# Keys per query: one query for any round (SQLite takes 32,766 parameters since 3.32;
# PostgreSQL gets them as one array, `one_of`).
STORED_BATCH = 5000


def stored_diffs(keys: list[str]) -> dict[str, WordDiff]:
    """The diffs stored under these keys (one query per STORED_BATCH keys, plain rows)."""
    found: dict[str, WordDiff] = {}
    columns = (StoredDiff.key, StoredDiff.ops, StoredDiff.words_inserted,
               StoredDiff.words_deleted, StoredDiff.words_unchanged)  # fmt: skip
    for start in range(0, len(keys), STORED_BATCH):
        batch = keys[start : start + STORED_BATCH]
        rows = db.session.execute(select(*columns).where(one_of(StoredDiff.key, batch)))
        for key, ops, inserted, deleted, unchanged in rows:
            found[key] = WordDiff(tuple(map(tuple, ops)), inserted, deleted, unchanged)
    return found


def store_diffs(pairs: list[tuple[str, str]]) -> int:
    """Compute and store the diffs of these pairs that are not stored yet (an import's
    comparisons, so that no web worker computes them on a request); flushes. Returns how
    many were added."""
    wanted = {DiffCache.key(old, new): (old, new) for old, new in pairs}
    keys = list(wanted)
    known = {key for start in range(0, len(keys), STORED_BATCH) for key in db.session.scalars(
        select(StoredDiff.key).where(one_of(StoredDiff.key, keys[start : start + STORED_BATCH])))}
    rows = []
    now = utcnow()
    for key, (old, new) in wanted.items():
        if key in known:
            continue
        diff = DIFF_CACHE.get(old, new)
        rows.append({"key": key, "ops": [list(op) for op in diff.ops], "created_at": now,
                     "words_inserted": diff.words_inserted, "words_deleted": diff.words_deleted,
                     "words_unchanged": diff.words_unchanged})  # fmt: skip
    insert_rows(StoredDiff.__table__, rows)
    return len(rows)

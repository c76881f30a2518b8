"""Appending to the transparency log and reading it back: heads, entries, proofs.

`append` runs inside the caller's transaction (a hook listener's, usually): it takes the log's
lock, writes the entry, the perfect subtrees it completes and a signed head for the new size,
and flushes. Rolled back, none of it happened; committed, all of it did, with the event.
Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the
write lock every write transaction takes at BEGIN IMMEDIATE (app.core.db); the leaf index is a
primary key, so a lost race could only ever fail a transaction, never fork the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import func, select, text, tuple_, update

from app.core.db import db, utcnow
from app.core.errors import BadInput
from app.record import merkle
from app.record.canonical import canonical_json, head_message, rfc3339
from app.record.models import LogEntry, LogHead, LogKey, LogNode
from app.record.signing import ALGORITHM, SigningKey, current_key

LOCK_KEY = 0x706C656E61727931  # "plenary1": the advisory lock that serialises appends
PAGE_LIMIT = 1000  # entries per page of /log/entries


class LogCorrupt(RuntimeError):
    """A stored subtree hash the log needs is missing (the tables were tampered with)."""


def lock_log() -> None:
    """Serialise appends until the current transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def tree_size() -> int:
    last = db.session.scalar(select(func.max(LogEntry.leaf_index)))
    return 0 if last is None else int(last) + 1


def stored_nodes(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of these perfect subtrees, in one query; LogCorrupt if one is missing."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(LogNode.level, LogNode.index, LogNode.hash).where(
            tuple_(LogNode.level, LogNode.index).in_(wanted)
        )
    )
    found = {(level, index): bytes.fromhex(value) for level, index, value in rows}
    missing = [key for key in wanted if key not in found]
    if missing:
        level, index = missing[0]
        raise LogCorrupt(f"stored subtree hash missing: level {level}, index {index}")
    return found


def _computed(compute: Callable[[merkle.NodeGetter], Any]) -> Any:
    """Run a proof or root computation over the stored nodes it reads, fetched at once."""
    nodes = stored_nodes(merkle.nodes_needed(compute))
    return compute(lambda level, index: nodes[(level, index)])


def root_at(size: int) -> bytes:
    return _computed(lambda get: merkle.root(get, size))  # type: ignore[no-any-return]


def append(
    kind: str,
    event: Mapping[str, Any],
    *,
    salt: str | None = None,
    comment_id: int | None = None,
    round_id: int | None = None,
    now: dt.datetime | None = None,
) -> LogEntry:
    """Append the leaf {"type": kind, **event, "logged_at": now} and sign the new head.

    Flushes, never commits. Raises LogKeyMissing (production without a key) or LogCorrupt; the
    caller's transaction, event included, then fails as a whole.
    """
    key = current_key()
    now = now or utcnow()
    lock_log()
    size = tree_size()
    leaf = canonical_json({**event, "type": kind, "logged_at": rfc3339(now)})
    hashed = merkle.leaf_hash(leaf)
    edge_keys = merkle.compact_range(size)
    nodes = stored_nodes(edge_keys)
    edge, completed = merkle.append(size, [nodes[k] for k in edge_keys], hashed)
    entry = LogEntry(
        leaf_index=size, kind=kind, leaf=leaf.decode("utf-8"), leaf_hash=hashed.hex(),
        salt=salt, comment_id=comment_id, round_id=round_id, logged_at=now,
    )  # fmt: skip
    db.session.add(entry)
    db.session.add_all(LogNode(level=lv, index=ix, hash=h.hex()) for lv, ix, h in completed)
    db.session.add(_signed_head(key, size + 1, merkle.fold(edge), now))
    db.session.flush()
    return entry


def _register(key: SigningKey, now: dt.datetime) -> None:
    """Publish the signing key (once); a new key retires the ones before it."""
    row = db.session.get(LogKey, key.key_id)
    if row is not None and row.retired_at is None:
        return
    db.session.execute(
        update(LogKey)
        .where(LogKey.retired_at.is_(None), LogKey.key_id != key.key_id)
        .values(retired_at=now)
        .execution_options(synchronize_session=False)
    )
    if row is None:
        db.session.add(LogKey(key_id=key.key_id, public_key=key.public_key,
                              algorithm=ALGORITHM, first_used_at=now))  # fmt: skip
    else:
        row.retired_at = None
    db.session.flush()


def _signed_head(key: SigningKey, size: int, root: bytes, now: dt.datetime) -> LogHead:
    _register(key, now)
    head = {"tree_size": size, "root_hash": root.hex(), "timestamp": rfc3339(now),
            "key_id": key.key_id}  # fmt: skip
    return LogHead(**head, signature=key.sign(head_message(head)))


# -- reading ------------------------------------------------------------------------------


def latest_head() -> LogHead | None:
    return db.session.scalar(select(LogHead).order_by(LogHead.tree_size.desc()).limit(1))


def head_at(size: int) -> LogHead | None:
    return db.session.get(LogHead, size)


def signed_head() -> dict[str, Any]:
    """The latest signed tree head; for an empty log, a head of size 0 signed now."""
    head = latest_head()
    if head is not None:
        return head.as_json()
    key = current_key()
    empty = {"tree_size": 0, "root_hash": merkle.EMPTY_ROOT.hex(),
             "timestamp": rfc3339(utcnow()), "key_id": key.key_id}  # fmt: skip
    return {**empty, "signature": key.sign(head_message(empty))}


def keys() -> dict[str, Any]:
    """The current signing key and every key used before it (CONTRACT §8)."""
    key = current_key()
    earlier = db.session.scalars(
        select(LogKey).where(LogKey.key_id != key.key_id).order_by(LogKey.first_used_at)
    )
    return {
        "key_id": key.key_id, "public_key": key.public_key, "algorithm": ALGORITHM,
        "previous": [
            {"key_id": k.key_id, "public_key": k.public_key, "algorithm": k.algorithm,
             "first_used_at": rfc3339(k.first_used_at),
             "retired_at": rfc3339(k.retired_at) if k.retired_at else None}
            for k in earlier
        ],
    }  # fmt: skip


def entries(start: int, end: int | None = None) -> list[LogEntry]:
    """Entries start <= index < end (at most PAGE_LIMIT). BadInput past the tree's end."""
    size = tree_size()
    if start < 0 or start > size:
        raise BadInput(f"start must be between 0 and the tree size ({size}).")
    end = min(size, start + PAGE_LIMIT) if end is None else end
    if end < start:
        raise BadInput("end must not be smaller than start.")
    if end > size:
        raise BadInput(f"end must not be larger than the tree size ({size}).")
    end = min(end, start + PAGE_LIMIT)
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(LogEntry.leaf_index >= start, LogEntry.leaf_index < end)
            .order_by(LogEntry.leaf_index)
        )
    )


def inclusion_proof(leaf_index: int, size: int) -> list[str]:
    """The audit path of a leaf in the tree of `size` (RFC 9162 §2.1.3), as hex."""
    current = tree_size()
    if size < 1 or size > current:
        raise BadInput(f"tree_size must be between 1 and the log's size ({current}).")
    if not 0 <= leaf_index < size:
        raise BadInput(f"leaf_index must be between 0 and tree_size - 1 ({size - 1}).")
    path = _computed(lambda get: merkle.inclusion_path(get, leaf_index, size))
    return [h.hex() for h in path]


def consistency_proof(first: int, second: int) -> list[str]:
    """The consistency path from tree size `first` to `second` (RFC 9162 §2.1.4), as hex."""
    current = tree_size()
    if first < 1:
        raise BadInput("first must be at least 1 (every tree extends the empty one).")
    if second > current:
        raise BadInput(f"second must not be larger than the log's size ({current}).")
    if first > second:
        raise BadInput("first must not be larger than second.")
    path = _computed(lambda get: merkle.consistency_path(get, first, second))
    return [h.hex() for h in path]

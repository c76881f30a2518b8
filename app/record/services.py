"""Appending to the transparency log and reading it back: heads, entries, proofs.

`append` runs inside the caller's transaction (a hook listener's, usually): it takes the log's
lock, writes the entry, the perfect subtrees it completes and a signed head for the new size,
and flushes. Rolled back, none of it happened; committed, all of it did, with the event.
Appends are serialised: on PostgreSQL by a row lock on the log's state row (`lock_log`), on
SQLite by the write lock every write transaction takes at BEGIN IMMEDIATE (app.core.db); the
leaf index is a primary key, so a lost race could only ever fail a transaction, never fork the
log.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.db import db, insert_rows, utcnow
from app.core.errors import BadInput
from app.record import merkle
from app.record.canonical import canonical_json, head_message, rfc3339
from app.record.models import LogEntry, LogHead, LogKey, LogNode, LogState
from app.record.signing import ALGORITHM, SigningKey, current_key

PAGE_LIMIT = 1000  # entries per page of /log/entries


class LogCorrupt(RuntimeError):
    """A stored subtree hash the log needs is missing (the tables were tampered with)."""


def tree_size() -> int:
    last = db.session.scalar(select(func.max(LogEntry.leaf_index)))
    return 0 if last is None else int(last) + 1


def stored_nodes(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of these perfect subtrees, in one query; LogCorrupt if one is missing."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, index in wanted:
        by_level.setdefault(level, []).append(index)
    # One primary-key lookup per level (SQLite scans the table for a row-value IN).
    rows = db.session.execute(
        select(LogNode.level, LogNode.index, LogNode.hash).where(
            or_(*(and_(LogNode.level == lv, LogNode.index.in_(ix)) for lv, ix in by_level.items()))
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


@dataclass(frozen=True)
class Appended:
    """One appended entry and the signed head of the tree it completed."""

    leaf_index: int
    kind: str
    leaf: str
    leaf_hash: str
    salt: str | None
    comment_id: int | None
    round_id: int | None
    head: dict[str, Any]


ENTRY_COLUMNS = ("leaf_index", "kind", "leaf", "leaf_hash", "salt", "comment_id", "round_id",
                 "logged_at")  # fmt: skip
_STATE_FOR_UPDATE = (
    select(LogState.tree_size, LogState.edge, LogState.key_id)
    .where(LogState.id == 1)
    .with_for_update()
)


def _state_row() -> Any:
    return db.session.connection().execute(_STATE_FOR_UPDATE).first()


def lock_log() -> tuple[int, list[bytes], str | None]:
    """Lock the log until the transaction ends; its size, compact range and last key id.

    PostgreSQL: SELECT ... FOR UPDATE on the state row, which waits for a concurrent append to
    commit and then reads what it wrote. SQLite: the transaction already holds the database's
    write lock (BEGIN IMMEDIATE). The row is created, from the log's tables, when absent.
    """
    row = _state_row()
    if row is None:
        size = tree_size()
        keys = merkle.compact_range(size)
        nodes = stored_nodes(keys)
        head = latest_head()
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(
            dialect.insert(LogState)
            .values(
                id=1,
                tree_size=size,
                edge="".join(nodes[k].hex() for k in keys),
                key_id=head.key_id if head is not None else None,
            )  # fmt: skip
            .on_conflict_do_nothing()
        )
        row = _state_row()
    edge = row.edge or ""
    hashes = [bytes.fromhex(edge[i : i + 64]) for i in range(0, len(edge), 64)]
    return int(row.tree_size), hashes, row.key_id


def append(
    kind: str,
    event: Mapping[str, Any],
    *,
    salt: str | None = None,
    comment_id: int | None = None,
    round_id: int | None = None,
    now: dt.datetime | None = None,
) -> Appended:
    """Append the leaf {"type": kind, **event, "logged_at": now} and sign the new head.

    Flushes (the caller's pending rows first), never commits. Raises LogKeyMissing
    (production without a key) or LogCorrupt; the caller's transaction, event included, then
    fails as a whole. Two round trips on PostgreSQL (lock, write), and a third to publish a
    new key after a rotation.
    """
    key = current_key()
    now = now or utcnow()
    size, edge, last_key = lock_log()
    leaf = canonical_json({**event, "type": kind, "logged_at": rfc3339(now)})
    hashed = merkle.leaf_hash(leaf)
    edge, completed = merkle.append(size, edge, hashed)
    if last_key != key.key_id:
        _register(key, now)
    head = {"tree_size": size + 1, "root_hash": merkle.fold(edge).hex(),
            "timestamp": rfc3339(now), "key_id": key.key_id}  # fmt: skip
    head["signature"] = key.sign(head_message(head))
    entry = Appended(size, kind, leaf.decode("utf-8"), hashed.hex(), salt, comment_id, round_id,
                     head)  # fmt: skip
    _write(entry, completed, edge, now)
    return entry


def append_many(
    kind: str, items: Sequence[tuple[Mapping[str, Any], str | None, int | None, int | None]],
    *, now: dt.datetime | None = None,
) -> None:
    """Append one leaf per (event, salt, comment_id, round_id), under one lock, and sign one
    head for the size they reach: a bulk import's batch in a few statements (executemany).
    Flushes, never commits; raises as `append` does."""
    if not items:
        return
    key = current_key()
    now = now or utcnow()
    size, edge, last_key = lock_log()
    if last_key != key.key_id:
        _register(key, now)
    stamp = rfc3339(now)
    entries: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    for event, salt, comment_id, round_id in items:
        leaf = canonical_json({**event, "type": kind, "logged_at": stamp})
        hashed = merkle.leaf_hash(leaf)
        edge, completed = merkle.append(size, edge, hashed)
        entries.append({"leaf_index": size, "kind": kind, "leaf": leaf.decode("utf-8"),
                        "leaf_hash": hashed.hex(), "salt": salt, "comment_id": comment_id,
                        "round_id": round_id, "logged_at": now})  # fmt: skip
        nodes += [{"level": lv, "node_index": ix, "hash": h.hex()} for lv, ix, h in completed]
        size += 1
    head = {"tree_size": size, "root_hash": merkle.fold(edge).hex(), "timestamp": stamp,
            "key_id": key.key_id}  # fmt: skip
    head["signature"] = key.sign(head_message(head))
    insert_rows(LogEntry.__table__, entries)
    insert_rows(LogNode.__table__, nodes)
    connection = db.session.connection()
    _, _, head_insert, state_update = _write_statements()
    connection.execute(head_insert, {f"h_{name}": value for name, value in head.items()})
    connection.execute(state_update, {"s_tree_size": size, "s_key_id": key.key_id,
                                      "s_edge": "".join(h.hex() for h in edge)})


def _write(entry: Appended, completed: list[tuple[int, int, bytes]], edge: list[bytes],
           now: dt.datetime) -> None:  # fmt: skip
    """The entry, its completed subtrees, the head and the new state: one statement on
    PostgreSQL (data-modifying CTEs), four elsewhere; prepared statements, no ORM."""
    params: dict[str, Any] = {f"e_{name}": getattr(entry, name, None) for name in ENTRY_COLUMNS}
    params["e_logged_at"] = now
    params |= {f"h_{name}": value for name, value in entry.head.items()}
    params |= {"s_tree_size": entry.leaf_index + 1, "s_edge": "".join(h.hex() for h in edge),
               "s_key_id": entry.head["key_id"]}  # fmt: skip
    nodes = [{"level": lv, "node_index": ix, "hash": h.hex()} for lv, ix, h in completed]
    db.session.flush()  # the event's own rows first (the entry refers to them)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        for n, node in enumerate(nodes):
            params |= {f"n{n}_{name}": value for name, value in node.items()}
        connection.exec_driver_sql(_write_in_one(len(nodes), connection.dialect), params)
        return
    entry_insert, node_insert, head_insert, state_update = _write_statements()
    connection.execute(entry_insert, params)
    connection.execute(node_insert, nodes)
    connection.execute(head_insert, params)
    connection.execute(state_update, params)


@functools.cache
def _write_statements() -> tuple[Any, Any, Any, Any]:
    entry, node, head, state = (m.__table__ for m in (LogEntry, LogNode, LogHead, LogState))
    return (
        insert(entry).values({name: bindparam(f"e_{name}") for name in ENTRY_COLUMNS}),
        insert(node),
        insert(head).values({c.name: bindparam(f"h_{c.name}") for c in head.columns}),
        update(state).where(state.c.id == literal_column("1")).values(
            {name: bindparam(f"s_{name}") for name in ("tree_size", "edge", "key_id")}),
    )  # fmt: skip


@functools.cache
def _write_in_one(node_count: int, dialect: Any) -> str:
    """The four writes as one PostgreSQL statement, compiled once per node count (SQLAlchemy
    does not cache statements whose CTEs modify data)."""
    entry_insert, node_insert, head_insert, state_update = _write_statements()
    rows: list[dict[str, Any]] = [
        {name: bindparam(f"n{n}_{name}") for name in ("level", "node_index", "hash")}
        for n in range(node_count)
    ]
    ctes = [entry_insert.cte("log_write_entry"), node_insert.values(rows).cte("log_write_nodes"),
            head_insert.cte("log_write_head"), state_update.cte("log_write_state")]  # fmt: skip
    return str(select(literal_column("1")).add_cte(*ctes).compile(dialect=dialect))


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


# -- reading ------------------------------------------------------------------------------


def latest_head() -> LogHead | None:
    return db.session.scalar(select(LogHead).order_by(LogHead.tree_size.desc()).limit(1))


def first_head_including(leaf_index: int) -> LogHead | None:
    """The first signed head whose tree holds this leaf (a batch shares one head)."""
    return db.session.scalar(select(LogHead).where(LogHead.tree_size > leaf_index)
                             .order_by(LogHead.tree_size).limit(1))


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
    return inclusion(leaf_index, size)[1]


def inclusion(leaf_index: int, size: int) -> tuple[str, list[str]]:
    """The leaf's hash and its audit path in the tree of `size`, as hex, in one query.
    BadInput for an index or size outside the log."""
    current = tree_size()
    if size < 1 or size > current:
        raise BadInput(f"tree_size must be between 1 and the log's size ({current}).")
    if not 0 <= leaf_index < size:
        raise BadInput(f"leaf_index must be between 0 and tree_size - 1 ({size - 1}).")

    def compute(get: merkle.NodeGetter) -> tuple[bytes, list[bytes]]:
        return get(0, leaf_index), merkle.inclusion_path(get, leaf_index, size)

    leaf_hash, path = _computed(compute)
    return leaf_hash.hex(), [h.hex() for h in path]


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

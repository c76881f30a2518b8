"""The transparency log's tables: entries (leaves), stored subtree hashes, signed heads, keys.

Rows are only ever inserted (a key's `retired_at` is the one update): an edit, a withdrawal or
a closing window is a new entry, never a changed one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, db, utcnow


class LogKey(db.Model):  # type: ignore[name-defined]
    """A public key that has signed tree heads; earlier keys stay published after a rotation."""

    __tablename__ = "log_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32 bytes
    algorithm: Mapped[str] = mapped_column(String(16), default="ed25519")
    first_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<LogKey {self.key_id}{' retired' if self.retired_at else ''}>"


class LogEntry(db.Model):  # type: ignore[name-defined]
    """One leaf: the exact canonical JSON that was hashed, and links back to what it records.

    `salt` is the secret half of a comment commitment: it goes to the comment's author (in
    receipts) and to local verification, never to the public API.
    """

    __tablename__ = "log_entries"
    __table_args__ = (Index("ix_log_entries_kind_round", "kind", "round_id"),)

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    leaf: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str | None] = mapped_column(String(64))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<LogEntry {self.leaf_index} {self.kind}>"


class LogNode(db.Model):  # type: ignore[name-defined]
    """The hash of a perfect subtree: 2**level leaves from leaf index * 2**level (level 0 is a
    leaf hash). Written once, when the subtree's last leaf is appended."""

    __tablename__ = "log_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(
        "node_index", BigInteger, primary_key=True, autoincrement=False
    )
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<LogNode {self.level}/{self.index}>"


class LogHead(db.Model):  # type: ignore[name-defined]
    """A signed tree head, one per tree size, written with the entry that made that size.

    `timestamp` keeps the exact RFC 3339 text that was signed."""

    __tablename__ = "log_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(ForeignKey("log_keys.key_id", ondelete="RESTRICT"))
    signature: Mapped[str] = mapped_column(String(128))

    def __repr__(self) -> str:
        return f"<LogHead {self.tree_size} {self.root_hash[:12]}>"

    def as_json(self) -> dict[str, object]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "key_id": self.key_id,
            "signature": self.signature,
        }


class LogState(db.Model):  # type: ignore[name-defined]
    """The log's one sequencer row: its size, the compact range of its tree and the key of its
    last head. Every append locks it (SELECT ... FOR UPDATE), so appends are serialised and
    each reads the state the previous one committed; it is derived data, checked by
    `plenary verify log` and rebuilt from the tables when absent."""

    __tablename__ = "log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)
    edge: Mapped[str] = mapped_column(Text, default="")  # concatenated hex, largest subtree first
    key_id: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"<LogState {self.tree_size}>"

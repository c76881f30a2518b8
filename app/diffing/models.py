"""Word diffs and lineage pairings stored when a round is imported, so that a web worker's
first comparison after an import reads them instead of computing them (see cache.py and
pairings.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, db, utcnow


class StoredDiff(db.Model):  # type: ignore[name-defined]
    """The word diff of two texts, under the sha256 of the pair (it can never go stale)."""

    __tablename__ = "word_diffs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    ops: Mapped[list[Any]] = mapped_column(JSON)  # [[kind, text], ...]
    words_inserted: Mapped[int] = mapped_column(Integer)
    words_deleted: Mapped[int] = mapped_column(Integer)
    words_unchanged: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredDiff {self.key[:12]} +{self.words_inserted} -{self.words_deleted}>"


class StoredPairing(db.Model):  # type: ignore[name-defined]
    """The lineage pairing of two rounds as provision ids, under the signature of the rounds
    and links it was computed from (pairings.py): used only while that signature holds."""

    __tablename__ = "lineage_pairings"

    from_round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    to_round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    signature: Mapped[str] = mapped_column(String(64))
    # {"version": PLAN_VERSION, "added": [provision ids],
    #  "entries": [[source id, [target ids], kind, similarity, confidence], ...]}
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredPairing {self.from_round_id}->{self.to_round_id} {self.signature[:12]}>"

"""Word diffs stored when a round is imported, so that a web worker's first comparison
after an import reads them instead of computing them (see cache.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String
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

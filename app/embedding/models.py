"""The vector cache: one text's vector under one model, keyed by the hash of the text."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, db, utcnow


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def bytes_vector(data: bytes | None) -> np.ndarray | None:
    return None if not data else np.frombuffer(data, dtype=np.float32)


class EmbeddingCache(db.Model):  # type: ignore[name-defined]
    """One text's vector under one model, keyed by the hash of the normalised text."""

    __tablename__ = "embedding_caches"
    __table_args__ = (UniqueConstraint("model", "text_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<EmbeddingCache {self.model} {self.text_hash[:12]}>"

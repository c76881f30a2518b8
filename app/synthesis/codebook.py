"""Assign comments to a chair's codebook: themes named in advance ("title: description").

The caller embeds each entry as "title: description" with the same model as the comments,
assigns what fits here, and clusters the rest to discover themes the codebook lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.embedding.engine import unit_rows


@dataclass(frozen=True)
class CodebookEntry:
    """A theme a chair expects to see, before any comment is read."""

    title: str
    description: str

    def text(self) -> str:
        """The text to embed for this entry."""
        return f"{self.title}: {self.description}" if self.description else self.title


def assign_to_codebook(
    vectors: np.ndarray, entry_vectors: np.ndarray, *, threshold: float = 0.35
) -> tuple[int, ...]:
    """Index of the most similar codebook entry (cosine) for each row of `vectors`, or -1 when
    no entry reaches `threshold`; ties go to the earlier entry.

    Raises ValueError if the two arrays are not 2-D with the same number of columns.
    """
    rows = np.asarray(vectors, dtype=np.float32)
    entries = np.asarray(entry_vectors, dtype=np.float32)
    if rows.ndim != 2 or entries.ndim != 2:
        raise ValueError("vectors and entry_vectors must be 2-D arrays")
    if len(rows) == 0:
        return ()
    if len(entries) == 0:
        return (-1,) * len(rows)
    if rows.shape[1] != entries.shape[1]:
        raise ValueError(f"dimension mismatch: {rows.shape[1]} vs {entries.shape[1]}")
    sims = unit_rows(rows) @ unit_rows(entries).T
    best = np.argmax(sims, axis=1)
    fits = sims[np.arange(len(rows)), best] >= threshold
    return tuple(np.where(fits, best, -1).tolist())



"""Carrying comments of one round into the next (re-anchoring on lineage successors)."""

from __future__ import annotations

from app.drafting.models import Round


def carry_forward(previous: Round, current: Round) -> None:
    """Re-anchor every anchored comment of `previous` on its lineage successor in `current`.

    Called by the draft importer after it has stored the lineage of `current`. Flushes only.
    """

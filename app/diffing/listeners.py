"""What diffing does when drafting announces something (see app/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core import hooks
from app.core.db import db
from app.diffing.cache import store_diffs
from app.diffing.pairings import store_pairing
from app.drafting.models import Round


def store_comparisons(round_: Round) -> int:
    """Store the lineage pairing of every earlier round with `round_` and the word diffs of
    each of its pairs, so that web workers read them instead of computing them on a request.
    Diffs already stored (the same two texts) are kept. Returns how many diffs were added."""
    earlier = db.session.scalars(select(Round).where(
        Round.code_id == round_.code_id, Round.number < round_.number))
    added = 0
    for before in earlier:
        entries, new = store_pairing(before, round_)
        pairs = [(e.source.body, t.body) for e in entries for t in e.targets]
        pairs += [(e.source.body, "") for e in entries if not e.targets]
        pairs += [("", p.body) for p in new]
        added += store_diffs(pairs)
    return added


def _lineage_stored(current: Round, **_: Any) -> None:
    store_comparisons(current)


def connect() -> None:
    hooks.round_imported.connect(_lineage_stored)
    hooks.lineage_changed.connect(_lineage_stored)

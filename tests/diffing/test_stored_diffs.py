"""Comparisons stored at import: a web worker's first diff after an import computes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from app.core.db import db
from app.diffing import cache, pairings
from app.diffing.models import StoredDiff

URL = "/api/v1/codes/gpai-code/diff?from={}&to={}"


def forget() -> None:
    """What a worker that did not run the import holds in process: nothing."""
    cache.DIFF_CACHE.clear()
    pairings._LINEAGE.clear()
    cache._RENDERED.clear()


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredDiff)) or 0


def test_every_comparison_with_an_earlier_round_is_stored_at_import(demo: Any) -> None:
    assert stored() > 0
    for first, last in ((1, 2), (1, 4), (3, 4)):
        pairs = [(e.old.body if e.old else "", e.new.body if e.new else "")
                 for e in _entries(demo[first], demo[last])]
        keys = [cache.DiffCache.key(old, new) for old, new in pairs]
        assert set(cache.stored_diffs(keys)) == set(keys), (first, last)


def _entries(old: Any, new: Any) -> Any:
    from app.diffing.services import compare

    return compare(old, new).entries


def test_the_first_request_after_import_reads_stored_diffs_and_writes_nothing(
        client: Any, demo: Any) -> None:
    forget()
    before = stored()
    first = client.get(URL.format(1, 4))
    assert first.status_code == 200
    assert cache.DIFF_CACHE.misses == 0  # every diff came from the stored ones
    assert stored() == before
    db.session.execute(delete(StoredDiff))
    forget()
    computed = client.get(URL.format(1, 4))
    assert cache.DIFF_CACHE.misses > 0
    assert computed.get_json() == first.get_json()


def test_storing_the_comparisons_again_adds_no_diffs(demo: Any) -> None:
    from app.diffing.listeners import store_comparisons

    before = stored()
    assert store_comparisons(demo[4]) == 0
    assert stored() == before

"""Lineage pairings stored at import: a worker's first comparison reads them, and only while
the rounds and links they were computed from are the same (the lineage signature)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from app.core.db import db, utcnow
from app.diffing import cache, pairings
from app.diffing.models import StoredDiff, StoredPairing
from app.drafting.lineage import lineage_between
from app.drafting.models import LineageLink, Provision, Round

URL = "/api/v1/codes/gpai-code/diff?from={}&to={}"
PAIRS = ((1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4))


def forget() -> None:
    """What a worker that did not run the import holds in process: nothing."""
    cache.DIFF_CACHE.clear()
    pairings._LINEAGE.clear()
    cache._RENDERED.clear()


def plain(entries: Any, added: Any) -> Any:
    return ([(e.source.id, [t.id for t in e.targets], e.kind, e.similarity, e.confidence)
             for e in entries], [p.id for p in added])  # fmt: skip


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pairings computed (rather than read) from now on."""
    calls: list[int] = []
    compute = pairings.pair_rounds

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(pairings, "pair_rounds", counted)
    return calls


def test_every_pairing_with_an_earlier_round_is_stored_under_its_signature(demo: Any) -> None:
    for first, last in PAIRS:
        row = db.session.get(StoredPairing, (demo[first].id, demo[last].id))
        assert row is not None, (first, last)
        assert row.signature == pairings.lineage_signature(demo[first], demo[last])


def test_a_cold_worker_reads_the_stored_pairing_and_computes_nothing(
        demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {pair: plain(*lineage_between(demo[pair[0]], demo[pair[1]])) for pair in PAIRS}
    forget()
    computed = counting(monkeypatch)
    for first, last in PAIRS:
        entries, added, _ = pairings.cached_lineage(demo[first], demo[last])
        assert plain(entries, added) == expected[first, last], (first, last)
    assert computed == []


def _change_a_link(demo: Any) -> None:
    db.session.execute(update(LineageLink).where(LineageLink.from_round_id == demo[2].id)
                       .values(similarity=LineageLink.similarity / 2))  # fmt: skip


def _reimport_time(demo: Any) -> None:
    db.session.execute(update(Round).where(Round.id == demo[2].id).values(imported_at=utcnow()))


@pytest.mark.parametrize("change", [_change_a_link, _reimport_time])
def test_a_pairing_is_computed_again_once_what_it_was_computed_from_changed(
        demo: Any, monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    forget()
    pairings.cached_lineage(demo[1], demo[4])  # now in the process's cache as well
    computed = counting(monkeypatch)
    change(demo)
    db.session.flush()
    entries, added, _ = pairings.cached_lineage(demo[1], demo[4])
    assert computed == [1]
    assert plain(entries, added) == plain(*lineage_between(demo[1], demo[4]))
    pairings.cached_lineage(demo[1], demo[4])
    assert computed == [1]  # and kept in process under the new signature


def test_a_pairing_stored_by_another_version_of_the_pairing_is_computed_again(
        demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for row in db.session.scalars(select(StoredPairing)):
        row.plan = {**row.plan, "version": pairings.PLAN_VERSION - 1}
    db.session.flush()
    forget()
    computed = counting(monkeypatch)
    entries, added, _ = pairings.cached_lineage(demo[1], demo[4])
    assert computed == [1]
    assert plain(entries, added) == plain(*lineage_between(demo[1], demo[4]))


def test_a_correction_stores_the_corrected_pairing_for_the_next_cold_worker(
        demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.drafting.services import correct_link

    link = db.session.scalars(select(LineageLink).where(
        LineageLink.from_round_id == demo[3].id, LineageLink.kind != "removed")).first()
    assert link is not None
    source = db.session.get(Provision, link.from_provision_id)
    forget()
    pairings.cached_lineage(demo[3], demo[4])  # the old pairing, in this process too
    correct_link(source, [], None)
    db.session.flush()
    forget()
    computed = counting(monkeypatch)
    for first in (1, 2, 3):
        entries, _, _ = pairings.cached_lineage(demo[first], demo[4])
        kinds = {e.source.id: e.kind for e in entries}
        if first == 3:
            assert kinds[source.id] == "removed"
    assert computed == []


def _stored_rows() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(StoredPairing)) or 0,
            db.session.scalar(select(func.count()).select_from(StoredDiff)) or 0)


def test_a_cold_request_answers_as_a_warm_one_and_as_one_that_computes_everything(
        client: Any, demo: Any) -> None:
    answers = {}
    for first, last in ((1, 2), (1, 4)):
        forget()
        before = _stored_rows()
        cold = client.get(URL.format(first, last))
        assert cold.status_code == 200
        assert _stored_rows() == before  # a GET stores nothing
        assert client.get(URL.format(first, last)).get_json() == cold.get_json()
        answers[first, last] = cold.get_json()
    db.session.execute(delete(StoredPairing))
    db.session.execute(delete(StoredDiff))
    for (first, last), answer in answers.items():
        forget()
        assert client.get(URL.format(first, last)).get_json() == answer
    assert _stored_rows() == (0, 0)

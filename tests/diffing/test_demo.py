"""The demo Code (drafts/gpai-code, four rounds): the first draft against the final Code.

The split and merge tests first pin the intended link of round 1 -> 2 the way the secretariat
would (drafting.services.correct_link), so they test the comparison, not the accuracy of the
lineage engine, then follow the link to round 4.
"""

from __future__ import annotations

from typing import Any

from app.core.db import db
from app.diffing import services
from app.drafting.models import Provision, Round
from app.drafting.services import correct_link


def labelled(round_: Round, label: str) -> Provision:
    return next(p for p in round_.provisions if p.label == label)


def test_first_draft_against_final_code_pairs_every_provision(demo: Any) -> None:
    result = services.compare(demo[1], demo[4])
    assert {e.from_key for e in result.entries if e.old} == {p.key for p in demo[1].provisions}
    assert {e.to_key for e in result.entries if e.new} == {p.key for p in demo[4].provisions}
    links = sum(n for kind, n in result.summary.items() if kind != "added")
    assert links == len(demo[1].provisions) and result.summary["moved"] > 0


def test_first_draft_against_final_code_reassembles_every_body(client: Any, demo: Any) -> None:
    data = client.get("/api/v1/codes/gpai-code/diff?from=1&to=4").get_json()
    old = {p.key: p.body for p in demo[1].provisions}
    new = {p.key: p.body for p in demo[4].provisions}
    for entry in data["provisions"]:
        assert "".join(t for k, t in entry["ops"] if k != "insert") == old.get(entry["from"], "")
        assert "".join(t for k, t in entry["ops"] if k != "delete") == new.get(entry["to"], "")
    assert data["summary"]["added"] >= 10


def test_a_split_measure_is_followed_to_the_final_code(
    client: Any, demo: Any, secretariat: Any
) -> None:
    source = labelled(demo[1], "Measure 1.1")
    correct_link(
        source, [labelled(demo[2], "Measure 1.1"), labelled(demo[2], "Measure 1.2")], secretariat
    )
    db.session.commit()
    parts = [e for e in services.compare(demo[1], demo[4]).entries if e.from_key == source.key]
    assert [e.kind for e in parts] == ["split", "split"]
    assert len({e.to_key for e in parts}) == 2 and all(e.diff.changed for e in parts)
    html = client.get("/codes/gpai-code/compare?from=1&to=4&kind=split").get_data(as_text=True)
    for part in parts:
        assert f'class="card diff-entry kind-split" id="{part.anchor}"' in html


def test_a_merged_measure_is_followed_to_the_final_code(demo: Any, secretariat: Any) -> None:
    target = labelled(demo[2], "Measure 1.4")
    for label in ("Measure 1.3", "Measure 1.4"):
        correct_link(labelled(demo[1], label), [target], secretariat)
    db.session.commit()
    merged = [
        e
        for e in services.compare(demo[1], demo[4]).entries
        if e.from_label in ("Measure 1.3", "Measure 1.4") and e.old.round_id == demo[1].id
    ]
    assert [e.kind for e in merged] == ["merged", "merged"]
    assert len({e.to_key for e in merged}) == 1


def test_history_of_a_final_measure_reaches_the_first_draft(client: Any, demo: Any) -> None:
    key = labelled(demo[4], "Measure 1.1").key
    html = client.get(f"/codes/gpai-code/provisions/{key}/history?from=1&to=4").get_data(
        as_text=True
    )
    assert "Round 1 (First draft)" in html and "Changes from round 1 to round 4" in html

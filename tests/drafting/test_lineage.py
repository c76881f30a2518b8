"""Reading stored lineage between adjacent and distant rounds, and the CONTRACT §4 export."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import BadInput, NotFound
from app.drafting.lineage import lineage_between, provision_history
from app.drafting.services import lineage_document


@pytest.fixture
def three_rounds(create_round: Any, create_provision: Any, create_link: Any) -> dict[str, Any]:
    """Round 1 -> 2 -> 3 with a split, a merge, a removal, a move and an addition."""
    r1, r2, r3 = (create_round(n, window=None) for n in (1, 2, 3))
    p = {}
    p["c1"] = create_provision(r1, "ch-a", title="Chapter A", body="Intro.", kind="chapter")
    p["a1"] = create_provision(
        r1,
        "m-a",
        label="Measure 1.1",
        title="Alpha",
        body="Keep documentation up to date.",
        parent=p["c1"],
    )
    p["b1"] = create_provision(
        r1,
        "m-b",
        label="Measure 1.2",
        title="Beta",
        body="Publish a summary of training data.",
        parent=p["c1"],
    )
    p["x1"] = create_provision(
        r1, "m-x", label="Measure 1.3", title="Gone", body="Obsolete.", parent=p["c1"]
    )
    p["c2"] = create_provision(r2, "ch-a", title="Chapter A", body="Intro.", kind="chapter")
    p["a2"] = create_provision(
        r2,
        "m-a",
        label="Measure 1.1",
        title="Alpha",
        body="Keep documentation up to date.",
        parent=p["c2"],
    )
    p["b2"] = create_provision(
        r2,
        "m-b",
        label="Measure 1.2",
        title="Beta",
        body="Publish a detailed summary of training data.",
        parent=p["c2"],
    )
    p["c3"] = create_provision(r3, "ch-a", title="Chapter A", body="Intro.", kind="chapter")
    p["d3"] = create_provision(r3, "ch-d", title="Chapter D", body="New.", kind="chapter")
    p["a3"] = create_provision(
        r3,
        "m-a",
        label="Measure 1.1",
        title="Alpha",
        body="Keep documentation up to date.",
        parent=p["c3"],
    )
    p["a3b"] = create_provision(
        r3,
        "m-a-2",
        label="Measure 1.2",
        title="Alpha two",
        body="Keep documentation.",
        parent=p["c3"],
    )
    p["b3"] = create_provision(
        r3,
        "m-b",
        label="Measure 4.1",
        title="Beta",
        body="Publish a detailed summary of training data.",
        parent=p["d3"],
    )
    create_link(p["c1"], [p["c2"]], "unchanged", 1.0)
    create_link(p["a1"], [p["a2"]], "unchanged", 1.0)
    create_link(p["b1"], [p["b2"]], "modified", 0.8)
    create_link(p["x1"], [], "removed", 0.0, to_round=r2)
    create_link(p["c2"], [p["c3"]], "unchanged", 1.0)
    create_link(p["a2"], [p["a3"], p["a3b"]], "split", 0.7)
    create_link(p["b2"], [p["b3"]], "moved", 1.0)
    return {"rounds": (r1, r2, r3), **p}


def test_adjacent_rounds_report_the_stored_kind_and_similarity(three_rounds: Any) -> None:
    r1, r2, _ = three_rounds["rounds"]
    entries, added = lineage_between(r1, r2)
    assert [(e.source.key, [t.key for t in e.targets], e.kind, e.similarity) for e in entries] == [
        ("ch-a", ["ch-a"], "unchanged", 1.0),
        ("m-a", ["m-a"], "unchanged", 1.0),
        ("m-b", ["m-b"], "modified", 0.8),
        ("m-x", [], "removed", 0.0),
    ]
    assert added == []


def test_distant_rounds_follow_links_and_recompute_kinds(three_rounds: Any) -> None:
    r1, _, r3 = three_rounds["rounds"]
    entries, added = lineage_between(r1, r3)
    kinds = {e.source.key: (e.kind, [t.key for t in e.targets]) for e in entries}
    assert kinds == {
        "ch-a": ("unchanged", ["ch-a"]),
        "m-a": ("split", ["m-a", "m-a-2"]),
        "m-b": ("moved", ["m-b"]),
        "m-x": ("removed", []),
    }
    assert [p.key for p in added] == ["ch-d"]


def test_distant_similarity_compares_end_point_texts(three_rounds: Any) -> None:
    r1, _, r3 = three_rounds["rounds"]
    entries, _ = lineage_between(r1, r3)
    moved = next(e for e in entries if e.source.key == "m-b")
    assert 0.5 < moved.similarity < 1.0


def test_a_provision_reached_from_two_sources_is_merged(
    create_round: Any, create_provision: Any, create_link: Any
) -> None:
    r1, r2, r3 = (create_round(n, code="merge-code", window=None) for n in (1, 2, 3))
    a1 = create_provision(r1, "a", title="A", body="First text here.")
    b1 = create_provision(r1, "b", title="B", body="Second text here.")
    a2 = create_provision(r2, "a", title="A", body="First text here.")
    b2 = create_provision(r2, "b", title="B", body="Second text here.")
    ab3 = create_provision(r3, "a", title="A", body="First and second text here.")
    create_link(a1, [a2], "unchanged", 1.0)
    create_link(b1, [b2], "unchanged", 1.0)
    create_link(a2, [ab3], "merged", 0.7)
    create_link(b2, [ab3], "merged", 0.6)
    entries, _ = lineage_between(r1, r3)
    assert [(e.kind, [t.key for t in e.targets]) for e in entries] == [
        ("merged", ["a"]),
        ("merged", ["a"]),
    ]


def test_rounds_in_the_wrong_order_are_refused(three_rounds: Any) -> None:
    r1, r2, _ = three_rounds["rounds"]
    with pytest.raises(BadInput):
        lineage_between(r2, r1)


def test_lineage_document_has_the_contract_shape(three_rounds: Any) -> None:
    code = three_rounds["rounds"][0].code
    document = lineage_document(code, 2, 3)
    assert document["code"] == "demo-code" and document["from"] == 2 and document["to"] == 3
    split = next(link for link in document["links"] if link["from"] == "m-a")
    assert split == {
        "from": "m-a",
        "to": ["m-a", "m-a-2"],
        "kind": "split",
        "similarity": 0.7,
        "confidence": 1.0,
        "from_label": "Measure 1.1",
        "to_labels": ["Measure 1.1", "Measure 1.2"],
    }
    assert document["added"] == ["ch-d"] and document["added_labels"] == ["Chapter D"]
    assert len(document["links"]) == 3


def test_lineage_document_of_a_missing_round_is_not_found(three_rounds: Any) -> None:
    with pytest.raises(NotFound):
        lineage_document(three_rounds["rounds"][0].code, 1, 9)


def test_history_lists_every_version_oldest_first(three_rounds: Any) -> None:
    steps = provision_history(three_rounds["b2"])
    assert [(s.round.number, [p.label for p in s.provisions], s.kind) for s in steps] == [
        (1, ["Measure 1.2"], "modified"),
        (2, ["Measure 1.2"], "moved"),
        (3, ["Measure 4.1"], None),
    ]


def test_history_ends_with_removed_when_the_provision_was_dropped(three_rounds: Any) -> None:
    steps = provision_history(three_rounds["x1"])
    assert [(s.round.number, s.kind) for s in steps] == [(1, "removed")]

"""The lineage engine on the labelled cases, on its invariants, and on key minting."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.drafting.alignment import Node, align, mint_key
from tests.engines.lineage_cases import BASE, CASES, Case, nodes


def run(case: Case, **kwargs):
    old, old_index = nodes(case.old, keyed=True)
    new, new_index = nodes(case.new, keyed=False)
    pinned = {old_index[k]: tuple(new_index[r] for r in v) for k, v in case.pinned.items()}
    return align(old, new, pinned=pinned, **kwargs), old, new, new_index


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_labelled_case_targets_and_kinds(case):
    result, old, _, _ = run(case)
    refs = [spec[0] for spec in case.new]
    got = {
        old[link.old].key: (tuple(refs[j] for j in link.new), link.kind) for link in result.links
    }
    assert got == case.expected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_labelled_case_additions_and_keys(case):
    result, _, _, new_index = run(case)
    refs = [spec[0] for spec in case.new]
    assert {refs[j] for j in result.added} == case.added
    assert {ref: result.keys[new_index[ref]] for ref in case.keys} == case.keys


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_carried_over_provisions_keep_their_keys(case):
    result, _, _, new_index = run(case)
    for ref, (targets, kind) in case.expected.items():
        if kind in ("unchanged", "modified", "moved") and ref not in case.pinned:
            assert result.keys[new_index[targets[0]]] == ref


def test_similarity_is_one_for_unchanged_zero_for_removed_and_rounded():
    case = next(case for case in CASES if case.name == "removed")
    result, *_ = run(case)
    by_kind = {link.kind: link.similarity for link in result.links}
    assert by_kind == {"unchanged": 1.0, "removed": 0.0}
    modified, *_ = run(next(case for case in CASES if case.name == "modified"))
    value = next(link.similarity for link in modified.links if link.kind == "modified")
    assert 0.5 < value < 1.0 and round(value, 2) == value


def test_reserved_keys_are_never_minted():
    case = next(case for case in CASES if case.name == "added")
    result, _, _, new_index = run(case, reserved={"m-2-5", "m-2-5-2"})
    assert result.keys[new_index["new"]] == "m-2-5-3"


def test_pinned_split_overrides_the_text_evidence():
    old, _ = nodes(BASE, keyed=True)
    new, _ = nodes(BASE, keyed=False)
    result = align(old, new, pinned={7: (7, 8)})
    assert (result.links[7].new, result.links[7].kind) == ((7, 8), "split")
    # The correction takes nothing from m-2-2: it keeps its link, now shared (a merge).
    assert (result.links[8].new, result.links[8].kind) == ((8,), "merged")


def test_only_same_kind_nodes_match():
    old = [Node(0, "m-1", "measure", "Measure 1", "1", "Audit", "Providers audit models.", None)]
    new = [Node(0, None, "kpi", "KPI 1", "1", "Audit", "Providers audit models.", None)]
    result = align(old, new)
    assert (result.links[0].kind, result.added) == ("removed", (0,))


def test_empty_rounds():
    old, _ = nodes(BASE, keyed=True)
    assert [link.kind for link in align(old, []).links] == ["removed"] * len(old)
    assert align([], old).added == tuple(range(len(old)))


@pytest.mark.parametrize(
    ("old", "new", "pinned"),
    [
        ([Node(0, None, "measure", None, None, "A", "", None)], [], None),
        ([Node(1, "a", "measure", None, None, "A", "", None)], [], None),
        ([Node(0, "a", "measure", None, None, "A", "", None)], [], {0: (3,)}),
        ([Node(0, "a", "measure", None, None, "A", "", None)], [], {2: ()}),
        (
            [],
            [
                Node(0, "a", "measure", None, None, "A", "", None),
                Node(1, "a", "measure", None, None, "B", "", None),
            ],
            None,
        ),
    ],
)
def test_invalid_input_is_refused(old, new, pinned):
    with pytest.raises(ValueError):
        align(old, new, pinned=pinned)


@pytest.mark.parametrize(
    ("kind", "number", "title", "taken", "key"),
    [
        ("measure", "4.2", "Anything", (), "m-4-2"),
        ("commitment", "2", "Anything", (), "c-2"),
        ("kpi", "1.1.1", "Anything", (), "k-1-1-1"),
        ("commitment", "II.3", "Anything", (), "c-ii-3"),
        ("measure", "2.3a", "Anything", (), "m-2-3a"),
        ("chapter", None, "Transparency", (), "transparency"),
        ("chapter", None, "Safety & Security: Über-Risks", (), "safety-security-uber-risks"),
        ("chapter", None, "!!!", (), "chapter"),
        ("measure", "4.2", "Anything", ("m-4-2",), "m-4-2-2"),
        ("measure", "4.2", "Anything", ("m-4-2", "m-4-2-2"), "m-4-2-3"),
    ],
)
def test_mint_key(kind, number, title, taken, key):
    node = Node(0, None, kind, None, number, title, "", None)
    assert mint_key(node, set(taken)) == key


_EDITS = st.lists(
    st.tuples(st.sampled_from(["drop", "retitle", "append", "swap"]), st.integers(1, 10)),
    max_size=6,
)


def _mutate(edits: list[tuple[str, int]]) -> tuple[list[Node], list[Node]]:
    old, _ = nodes(BASE, keyed=True)
    new = [dataclasses.replace(node, key=None) for node in old]
    for action, position in edits:
        if not new or position >= len(new):
            continue
        node = new[position]
        if action == "retitle":
            new[position] = dataclasses.replace(node, title=node.title + " revised")
        elif action == "append":
            new[position] = dataclasses.replace(node, text=node.text + " Also yearly.")
        elif action == "swap" and position + 1 < len(new):
            following = new[position + 1]
            new[position] = dataclasses.replace(node, text=following.text)
            new[position + 1] = dataclasses.replace(following, text=node.text)
        elif action == "drop" and not any(n.parent == node.index for n in new):
            new = [n for n in new if n is not node]
    index = {id(node): position for position, node in enumerate(new)}
    by_old = {node.index: node for node in new}
    rebuilt = []
    for position, node in enumerate(new):
        parent = None if node.parent is None else index.get(id(by_old.get(node.parent)))
        rebuilt.append(dataclasses.replace(node, index=position, parent=parent))
    return old, rebuilt


@settings(max_examples=60, deadline=None)
@given(_EDITS)
def test_invariants_hold_for_any_edit(edits):
    old, new = _mutate(edits)
    result = align(old, new)
    assert [link.old for link in result.links] == list(range(len(old)))
    assert len(result.keys) == len(new) == len(set(result.keys))
    linked = {j for link in result.links for j in link.new}
    assert linked.isdisjoint(result.added)
    assert linked | set(result.added) == set(range(len(new)))
    for link in result.links:
        assert 0.0 <= link.similarity <= 1.0
        assert (link.kind == "removed") == (link.new == ())
        assert (link.kind == "split") == (len(link.new) > 1)
    assert align(old, new) == result

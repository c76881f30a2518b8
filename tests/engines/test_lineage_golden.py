"""Without `embed` the lineage engine is exactly what it was; with it, its invariants hold.

GOLDEN holds fingerprints (sha256 of links, additions and keys) that the text-only engine
produced on every existing case before meaning and structure were added (commit b18e01c):
the labelled cases, the demo Code's transitions and the generated 1,026-provision round.
The property test uses the FAKE `concept_embed` (tests/engines/fake_meaning.py).
"""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from hypothesis import given, settings

from app.drafting.alignment import Alignment, align
from app.drafting.parser import parse_draft
from tests.engines import test_demo_lineage
from tests.engines.fake_meaning import concept_embed
from tests.engines.lineage_cases import CASES, nodes
from tests.engines.test_alignment import _EDITS, _mutate

GOLDEN = {
    "unchanged_but_renumbered": "993d54e335e9296c",
    "modified": "ef2854adbd812c16",
    "retitled": "53748e3f42f7e128",
    "moved": "2df9f2bbb937e907",
    "split": "315c88328a535b5f",
    "merged": "16f0414cf7bd3a4f",
    "reworded_split": "b18f3ddb1e61d88b",
    "reworded_part_away_from_the_whole": "064d6977f5ce43a5",
    "condensed_merge": "dc45cf405af46102",
    "added_beside_modified": "5b290d7332970b47",
    "removed": "d584cf24a758018f",
    "added": "9346bd1d9d89da32",
    "reused_label": "d48a4483d5941069",
    "heavy_rewrite": "d909ba0a8960b4b5",
    "explicit_key_wins_over_text": "f4afb62a6336730d",
    "explicit_new_key_added": "c8772e429ae6e567",
    # Changed on purpose (branch linkfix): a correction no longer drops the link of another
    # provision that reaches the corrected target; it was "be6e8e180aa19653".
    "pinned_corrections": "c6029fb01864f688",
    "demo-1-2": "6c016a4ed450793d",
    "demo-2-3": "a056c87d7e622653",
    "demo-3-4": "dbb336c41b650535",
    "generated-7": "eceb658139bbbcd0",
}


def fingerprint(result: Alignment) -> str:
    data: list = [[lk.old, list(lk.new), lk.kind, lk.similarity] for lk in result.links]
    data += [list(result.added), list(result.keys)]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_without_embed_labelled_cases_are_as_before(case):
    old, old_index = nodes(case.old, keyed=True)
    new, new_index = nodes(case.new, keyed=False)
    pinned = {old_index[k]: tuple(new_index[r] for r in v) for k, v in case.pinned.items()}
    assert fingerprint(align(old, new, pinned=pinned)) == GOLDEN[case.name]


def test_without_embed_the_demo_code_is_as_before(monkeypatch):
    found = []

    def spy(old, new, **kwargs):
        result = align(old, new, **kwargs)
        found.append(fingerprint(result))
        return result

    monkeypatch.setattr(test_demo_lineage, "align", spy)
    test_demo_lineage.demo_links.cache_clear()
    try:
        test_demo_lineage.demo_links()
    finally:
        test_demo_lineage.demo_links.cache_clear()
    assert found == [GOLDEN[f"demo-{n}-{n + 1}"] for n in (1, 2, 3)]


def test_without_embed_the_generated_round_is_as_before():
    from tests.engines.generated_round import generate_rounds, render, to_nodes

    old_items, new_items, _ = generate_rounds(random.Random(7))
    old = to_nodes(parse_draft(render(old_items, 1, True), "gen/1.md"))
    new = to_nodes(parse_draft(render(new_items, 2, False), "gen/2.md"))
    assert fingerprint(align(old, new)) == GOLDEN["generated-7"]


@settings(max_examples=40, deadline=None)
@given(_EDITS)
def test_invariants_hold_with_meaning_for_any_edit(edits):
    old, new = _mutate(edits)
    result = align(old, new, embed=concept_embed)
    assert [link.old for link in result.links] == list(range(len(old)))
    assert len(result.keys) == len(new) == len(set(result.keys))
    linked = {j for link in result.links for j in link.new}
    assert linked.isdisjoint(result.added)
    assert linked | set(result.added) == set(range(len(new)))
    for link in result.links:
        assert 0.0 <= link.similarity <= 1.0 and 0.0 <= link.confidence <= 1.0
        assert (link.kind == "removed") == (link.new == ())
        assert (link.kind == "split") == (len(link.new) > 1)
    assert align(old, new, embed=concept_embed) == result

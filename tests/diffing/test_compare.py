"""compare(): lineage pairings, kinds, counts, filters, ordering and the diff cache."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import BadInput, NotFound
from app.diffing import cache, services


def pairs(comparison: services.Comparison) -> set[tuple[str | None, str | None, str]]:
    return {(e.from_key, e.to_key, e.kind) for e in comparison.entries}


def test_neighbours_give_one_entry_per_pairing(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[2])
    assert pairs(result) == {
        ("ch-a", "ch-a", "unchanged"),
        ("m-keep", "m-keep", "unchanged"),
        ("m-edit", "m-edit", "modified"),
        ("m-split", "m-split", "split"),
        ("m-split", "m-split-2", "split"),
        ("m-merge-a", "m-merge-a", "merged"),
        ("m-merge-b", "m-merge-a", "merged"),
        ("m-move", "m-move", "moved"),
        ("m-gone", None, "removed"),
        (None, "ch-b", "added"),
        (None, "m-new", "added"),
    }


def test_summary_counts_links_so_a_split_counts_once(story: Any) -> None:
    summary = services.compare(story.rounds[1], story.rounds[2]).summary
    assert summary == {
        "unchanged": 2,
        "modified": 1,
        "moved": 1,
        "split": 1,
        "merged": 2,
        "removed": 1,
        "added": 2,
    }


def test_split_parts_are_each_diffed_against_the_old_text(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[2], kinds=["split"])
    second = next(e for e in result.entries if e.to_key == "m-split-2")
    assert "".join(t for k, t in second.diff.ops if k != "insert") == story.p[1, "m-split"].body
    assert (
        "".join(t for k, t in second.diff.ops if k != "delete")
        == "Providers shall report incidents."
    )
    assert second.diff.words_deleted == 4


def test_modified_entry_counts_words(story: Any) -> None:
    entry = services.compare(story.rounds[1], story.rounds[2], provision_key="m-edit").entries[0]
    assert (entry.diff.words_inserted, entry.diff.words_deleted) == (1, 1)
    assert ("delete", "keep") in entry.diff.ops or any(
        k == "delete" and "keep" in t for k, t in entry.diff.ops
    )


def test_moved_entry_keeps_labels_of_both_rounds(story: Any) -> None:
    entry = services.compare(story.rounds[1], story.rounds[2], kinds=["moved"]).entries[0]
    assert (entry.from_label, entry.to_label) == ("Measure 1.6", "Measure 2.1")
    assert not entry.diff.changed


def test_added_and_removed_entries_diff_against_nothing(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[2], kinds=["added", "removed"])
    gone = next(e for e in result.entries if e.kind == "removed")
    new = next(e for e in result.entries if e.to_key == "m-new")
    assert gone.new is None and gone.diff.ops == (("delete", "Providers shall send a fax."),)
    assert new.old is None and new.diff.words_inserted == 5


def test_across_several_rounds_follows_links_through_the_middle(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[3])
    edit = next(e for e in result.entries if e.from_key == "m-edit")
    assert edit.kind == "modified"
    assert "".join(t for k, t in edit.diff.ops if k != "delete") == (
        "Signatories shall maintain complete documentation."
    )
    assert edit.diff.words_inserted == 2


def test_renumbered_provision_with_the_same_text_is_unchanged(story: Any) -> None:
    entry = services.compare(story.rounds[2], story.rounds[3], provision_key="m-keep").entries[0]
    assert entry.kind == "unchanged"
    assert (entry.from_label, entry.to_label) == ("Measure 1.1", "Measure 1.0")


def test_several_rounds_recompute_split_and_merge(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[3])
    assert {(e.from_key, e.to_key) for e in result.entries if e.kind == "split"} == {
        ("m-split", "m-split"),
        ("m-split", "m-split-2"),
    }
    assert {e.from_key for e in result.entries if e.kind == "merged"} == {"m-merge-a", "m-merge-b"}
    assert result.summary["removed"] == 1 and result.summary["added"] == 2


def test_removed_entry_is_placed_after_its_predecessor(story: Any) -> None:
    keys = [
        (e.from_key, e.to_key) for e in services.compare(story.rounds[1], story.rounds[2]).entries
    ]
    assert keys.index(("m-gone", None)) == keys.index(("m-move", "m-move")) + 1


def test_group_filter_keeps_entries_of_that_working_group(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[2], group="wg2")
    assert {e.to_key for e in result.entries} == {"ch-b", "m-move", "m-new"}


def test_kind_filter_rejects_an_unknown_kind(story: Any) -> None:
    with pytest.raises(BadInput):
        services.compare(story.rounds[1], story.rounds[2], kinds=["rewritten"])


def test_later_round_first_is_bad_input(story: Any) -> None:
    with pytest.raises(BadInput, match="comes after"):
        services.compare(story.rounds[3], story.rounds[1])


def test_same_round_twice_is_bad_input(story: Any) -> None:
    with pytest.raises(BadInput):
        services.compare(story.rounds[2], story.rounds[2])


def test_invisible_round_is_not_found_for_the_public(story: Any) -> None:
    code = story.rounds[1].code
    with pytest.raises(NotFound) as caught:
        services.rounds_to_compare(code, 1, 4, None)
    assert "Zeta" not in caught.value.message


def test_biggest_first_orders_by_words_changed(story: Any) -> None:
    sizes = [e.size for e in services.compare(story.rounds[1], story.rounds[2]).biggest_first()]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0


def test_counts_per_chapter_name_chapters_of_the_later_round(story: Any) -> None:
    result = services.compare(story.rounds[1], story.rounds[2])
    chapters = {a.heading: a for a in result.by_chapter}
    assert set(chapters) == {"Chapter A", "Chapter B"}
    assert chapters["Chapter B"].kinds == {"added": 2, "moved": 1}
    assert result.words_inserted == sum(a.words_inserted for a in result.by_chapter)


def test_identical_texts_are_diffed_once(story: Any) -> None:
    cache.DIFF_CACHE.clear()
    services.compare(story.rounds[1], story.rounds[3])
    misses = cache.DIFF_CACHE.misses
    services.compare(story.rounds[1], story.rounds[3])
    assert cache.DIFF_CACHE.misses == misses and cache.DIFF_CACHE.hits >= misses


def test_cache_key_separates_the_two_texts() -> None:
    assert cache.DiffCache.key("ab", "c") != cache.DiffCache.key("a", "bc")

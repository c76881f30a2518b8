"""Campaign detection: near-identical letters grouped, with each sender's additions."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.synthesis.duplicates import (
    MIN_WORDS,
    NUM_HASHES,
    SHINGLE,
    DuplicateGroup,
    _minhash,
    _shingle_sets,
    _words,
    find_duplicate_groups,
    independent_voices,
)

LETTER = (
    "As an independent creator I cannot control the websites where my work is shared, so a "
    "website-level opt-out does not protect me. Please create a simple and free way for "
    "individual creators to reserve their rights once for all AI training."
)
OTHERS = [
    "The reporting deadline of two days is far too short for a serious incident.",
    "Providers should publish the names of their web crawlers and user agents.",
    "Documentation should state the energy used to train the model.",
]


def test_a_campaign_of_near_identical_letters_is_one_group():
    texts = [OTHERS[0], LETTER, LETTER + " I am a translator.", OTHERS[1], LETTER, OTHERS[2]]
    (group,) = find_duplicate_groups(texts)
    assert sorted(group.members) == [1, 2, 4]


def test_the_canonical_member_is_the_most_repeated_text_and_comes_first():
    texts = [LETTER + " I am a translator.", LETTER, LETTER]
    (group,) = find_duplicate_groups(texts)
    assert group.canonical == 1
    assert group.members[0] == 1
    assert group.template == LETTER


def test_additions_show_what_each_sender_wrote_beyond_the_template():
    texts = [LETTER, LETTER + " I am a translator.", "Dear drafters, " + LETTER]
    (group,) = find_duplicate_groups(texts)
    assert group.additions == {0: "", 1: "I am a translator.", 2: "Dear drafters,"}


def test_a_letter_with_a_personal_paragraph_still_joins_the_campaign():
    personal = (
        " I draw comics for a living and last year found forty of my pages in a public"
        " training set, without any notice."
    )
    (group,) = find_duplicate_groups([LETTER, LETTER + personal])
    assert group.additions[1] == personal.strip()


def test_a_short_sentence_quoted_in_a_long_letter_is_not_a_duplicate():
    quoted = "a simple and free way for individual creators to reserve their rights"
    assert find_duplicate_groups([LETTER, quoted]) == []


def test_texts_below_the_threshold_are_not_grouped():
    assert find_duplicate_groups(OTHERS) == []


def test_short_content_free_repeats_are_not_a_campaign():
    assert find_duplicate_groups(["+1", "+1", "I agree", "I agree"]) == []


def test_min_size_drops_small_groups():
    texts = [LETTER, LETTER, OTHERS[0]]
    assert find_duplicate_groups(texts, min_size=3) == []


def test_a_lower_threshold_groups_looser_rewrites():
    rewrite = LETTER.replace("simple and free", "quick and cheap").replace(
        "independent", "freelance"
    )
    assert find_duplicate_groups([LETTER, rewrite], threshold=0.9) == []
    assert len(find_duplicate_groups([LETTER, rewrite], threshold=0.5)) == 1


def test_groups_are_ordered_largest_first():
    second = OTHERS[0] + " " + OTHERS[1]
    texts = [second, LETTER, second, LETTER, LETTER]
    groups = find_duplicate_groups(texts)
    assert [len(g.members) for g in groups] == [3, 2]


def test_detection_is_deterministic():
    texts = [LETTER, LETTER + " Thanks.", *OTHERS, LETTER.upper()]
    assert find_duplicate_groups(texts) == find_duplicate_groups(texts)


def test_invalid_parameters_are_refused():
    with pytest.raises(ValueError):
        find_duplicate_groups([LETTER], threshold=0)
    with pytest.raises(ValueError):
        find_duplicate_groups([LETTER], min_size=1)


def test_independent_voices_count_each_campaign_once():
    group = DuplicateGroup(members=(1, 2, 4), canonical=1, template=LETTER, additions={})
    assert independent_voices(10, [group]) == 8
    assert independent_voices(10, []) == 10


def test_independent_voices_refuse_more_members_than_comments():
    group = DuplicateGroup(members=(0, 1, 2), canonical=0, template=LETTER, additions={})
    with pytest.raises(ValueError):
        independent_voices(2, [group])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([LETTER, LETTER + " Thanks.", *OTHERS]), max_size=12))
def test_each_text_is_in_at_most_one_group_and_copies_are_always_grouped(texts):
    groups = find_duplicate_groups(texts)
    members = [m for g in groups for m in g.members]
    assert len(members) == len(set(members))
    letters = [i for i, t in enumerate(texts) if t.startswith(LETTER)]
    if len(letters) >= 2:
        assert any(set(letters) <= set(g.members) for g in groups)


def test_the_mutual_similarity_of_a_group_is_each_member_s_jaccard_to_the_others_summed():
    from app.synthesis.duplicates import _jaccard, _mutual_jaccard

    texts = [LETTER, LETTER + " I am a translator.", "Dear drafters, " + LETTER,
             LETTER.replace("simple", "quick"), LETTER]
    sets = list(_shingle_sets(texts).values())
    expected = [sum(_jaccard(a, b) for j, b in enumerate(sets) if j != i)
                for i, a in enumerate(sets)]
    assert _mutual_jaccard(sets) == expected  # the same floats, added in the same order


def _one_text_shingles(text: str) -> np.ndarray | None:
    """The shingle set of one text, worked out alone (what `_shingle_sets` gives it)."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    ids = np.array([zlib.crc32(w.encode("utf-8")) + 1 for w in words], np.uint64)
    mixed = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            mixed = mixed * np.uint64(0x100000001B3) + ids[offset : len(ids) - SHINGLE + 1 + offset]
    return np.unique(mixed)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([LETTER, LETTER + " Thanks.", "+1", "", *OTHERS]),
                          st.text(alphabet="ab cé.", max_size=40)), max_size=10))
def test_the_shingle_sets_of_many_texts_are_those_of_each_text_alone(texts):
    found = _shingle_sets(texts)
    alone = {i: s for i, t in enumerate(texts) if (s := _one_text_shingles(t)) is not None}
    assert sorted(found) == sorted(alone)
    for i, shingles in alone.items():
        np.testing.assert_array_equal(found[i], shingles)


def test_minhash_signatures_are_the_least_hash_of_each_set_under_each_function():
    sets = [np.array([3, 7, 2**63 + 5], np.uint64), np.array([11], np.uint64)]
    rng = np.random.default_rng(20240601)
    mult = rng.integers(1, 2**63, NUM_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    add = rng.integers(0, 2**63, NUM_HASHES, dtype=np.uint64)
    with np.errstate(over="ignore"):
        expected = np.stack([(s[:, None] * mult + add).min(axis=0) for s in sets])
    np.testing.assert_array_equal(_minhash(sets), expected)

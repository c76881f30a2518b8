"""The word-level diff engine: tokens, ops, counts, both backends, long texts."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.diffing import engine
from app.diffing.engine import WordDiff, diff_words, is_word, similarity, tokenize

BACKENDS = ("fast", "python")

FRAGMENTS = [
    "Signatories", "shall", "keep", "maintain", "the", "model", "documentation", "risk",
    "données", "Maßnahme", "e\u0301", "😀", "𝔸", "1.1", "AI-generated", "provider's",
    " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", " \n ", "- ", "* ", "1. ", "## ", "> ",
    "| ", " | ", "|---|", "**", "_", "~~", ".", ",", ";", ":", "(", ")", "—", "...", "\u00a0",
]  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map(
    "".join
)


def old_text(diff: WordDiff) -> str:
    return "".join(text for kind, text in diff.ops if kind != "insert")


def new_text(diff: WordDiff) -> str:
    return "".join(text for kind, text in diff.ops if kind != "delete")


@st.composite
def text_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """An old text and a successor sharing much of it (edits, moves) or an unrelated one."""
    old = draw(texts)
    pieces = engine.tokenize(old)
    edited = [p for p in pieces if draw(st.integers(0, 9)) > 1]
    for _ in range(draw(st.integers(0, 4))):
        edited.insert(draw(st.integers(0, len(edited))), draw(st.sampled_from(FRAGMENTS)))
    new = draw(st.one_of(st.just("".join(edited)), texts))
    return old, new


def test_tokenize_splits_list_markers_table_pipes_emphasis_and_punctuation():
    tokens = tokenize("## Scope\n- **keep** records, | a | b |\n  1. next")
    assert tokens == [
        "## ", "Scope", "\n", "- ", "**", "keep", "**", " ", "records", ",", " ",
        "|", " ", "a", " ", "|", " ", "b", " ", "|", "\n", "  1. ", "next",
    ]  # fmt: skip


def test_tokenize_keeps_numbers_hyphenated_words_and_apostrophes_whole():
    assert tokenize("Measure 1.1 AI-generated provider's") == [
        "Measure", " ", "1.1", " ", "AI-generated", " ", "provider's",
    ]  # fmt: skip


@given(texts)
def test_tokens_concatenate_to_the_text(text):
    assert "".join(tokenize(text)) == text


def test_is_word_is_false_for_markup_punctuation_and_whitespace():
    assert [is_word(t) for t in ["keep", "1.1", "- ", "1. ", "**", ",", " ", "\n"]] == [
        True, True, False, False, False, False, False, False,
    ]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_replaced_word_gives_one_delete_and_one_insert(backend):
    diff = diff_words(
        "Signatories shall keep documentation.",
        "Signatories shall maintain documentation.",
        backend=backend,
    )
    assert diff.ops == (
        ("equal", "Signatories shall "),
        ("delete", "keep"),
        ("insert", "maintain"),
        ("equal", " documentation."),
    )
    assert (diff.words_inserted, diff.words_deleted, diff.words_unchanged) == (1, 1, 3)


def test_added_comma_does_not_mark_the_word_before_it_as_changed():
    diff = diff_words("keep documentation up to date", "keep documentation, up to date")
    assert diff.ops == (
        ("equal", "keep documentation"),
        ("insert", ","),
        ("equal", " up to date"),
    )
    assert (diff.words_inserted, diff.words_deleted) == (0, 0)


def test_changed_list_item_diffs_as_words_not_markup():
    old = "- keep records\n- publish a summary\n"
    new = "- keep records\n- publish a short summary\n"
    diff = diff_words(old, new)
    assert [op for op in diff.ops if op[0] != "equal"] == [("insert", "short ")]


def test_changed_table_cell_diffs_as_words_not_markup():
    diff = diff_words("| risk | low |\n", "| risk | high |\n")
    assert [op for op in diff.ops if op[0] != "equal"] == [("delete", "low"), ("insert", "high")]


def test_markup_change_counts_no_words():
    diff = diff_words("keep records", "**keep records**")
    assert diff.changed
    assert (diff.words_inserted, diff.words_deleted, diff.words_unchanged) == (0, 0, 2)


def test_identical_texts_are_unchanged():
    diff = diff_words("Same text.\n", "Same text.\n")
    assert not diff.changed
    assert diff.ops == (("equal", "Same text.\n"),)


def test_empty_texts_give_no_ops():
    assert diff_words("", "") == WordDiff(ops=(), words_inserted=0, words_deleted=0,
                                          words_unchanged=0)  # fmt: skip


def test_unknown_backend_raises_value_error():
    with pytest.raises(ValueError, match="backend"):
        diff_words("a", "b", backend="nope")  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=150, deadline=None)
@given(pair=text_pairs())
def test_ops_concatenate_to_old_and_new_texts(backend, pair):
    old, new = pair
    diff = diff_words(old, new, backend=backend)
    assert old_text(diff) == old
    assert new_text(diff) == new
    assert all(text for _, text in diff.ops)
    assert all(a[0] != b[0] for a, b in zip(diff.ops, diff.ops[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(pair=text_pairs())
def test_backends_agree_on_word_counts(pair):
    fast, python = (diff_words(*pair, backend=b) for b in BACKENDS)
    counts = [(d.words_inserted, d.words_deleted, d.words_unchanged) for d in (fast, python)]
    assert counts[0] == counts[1]


@settings(max_examples=60, deadline=None)
@given(pair=text_pairs())
def test_anchored_chunking_still_round_trips(pair):
    old, new = pair
    original = engine.CHUNKED_MIN_TOKENS
    engine.CHUNKED_MIN_TOKENS = 1
    try:
        diff = diff_words(old, new)
    finally:
        engine.CHUNKED_MIN_TOKENS = original
    assert (old_text(diff), new_text(diff)) == (old, new)


def _long_text(rng: random.Random, sentences: int) -> str:
    words = "signatories shall keep the model documentation risk data office report".split()
    out = []
    for n in range(sentences):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 14)))
        out.append(f"Item {n}: {body}." + ("\n" if n % 4 == 3 else " "))
    return "".join(out)


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_texts_diff_exactly_and_backends_agree(backend):
    rng = random.Random(7)
    old = _long_text(rng, 400)
    words = old.split(" ")
    replaced = {i for i in rng.sample(range(len(words)), 60) if words[i].isalpha()}
    new = " ".join("changed" if i in replaced else w for i, w in enumerate(words))
    diff = diff_words(old, new, backend=backend)
    assert (old_text(diff), new_text(diff)) == (old, new)
    assert diff == diff_words(old, new, backend="fast")
    assert diff.words_deleted == diff.words_inserted >= len(replaced)
    assert diff.words_deleted + diff.words_unchanged == sum(map(is_word, tokenize(old)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_more_distinct_tokens_than_the_bmp_private_area_still_diff(backend):
    old = " ".join(f"w{n}" for n in range(7000))
    new = old.replace("w6999", "changed").replace("w10 ", "")
    diff = diff_words(old, new, backend=backend)
    assert (old_text(diff), new_text(diff)) == (old, new)
    assert (diff.words_inserted, diff.words_deleted) == (1, 2)


def test_similarity_is_one_for_identical_and_zero_for_disjoint_texts():
    assert similarity("keep records", "keep records") == 1.0
    assert similarity("keep records", "publish summaries") == 0.0


def test_similarity_is_the_share_of_shared_words():
    assert similarity("a b c d", "a b c e") == pytest.approx(6 / 8)


def test_similarity_of_texts_without_words_compares_them_whole():
    assert similarity("", "") == 1.0
    assert similarity("-", "*") == 0.0

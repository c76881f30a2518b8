"""Locating quotes, re-anchoring comments in a new text, and detecting adopted proposals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.feedback.anchoring import (
    ADOPTED_THRESHOLD,
    Anchor,
    adoption,
    locate,
    reanchor,
)

TEXT = (
    "Signatories shall keep the model documentation up to date and share it with the "
    "Office on request. Providers shall keep the model documentation for ten years after "
    "the model is placed on the market."
)
QUOTE = "keep the model documentation"


def test_locate_finds_the_quote_and_records_its_surroundings():
    anchor = locate(TEXT, "share it with the Office")
    assert anchor is not None
    assert TEXT[anchor.start : anchor.end] == "share it with the Office"
    assert anchor.prefix == TEXT[anchor.start - 32 : anchor.start]
    assert anchor.suffix == TEXT[anchor.end : anchor.end + 32]


def test_locate_returns_none_for_a_missing_or_empty_quote():
    assert locate(TEXT, "not in the text") is None
    assert locate(TEXT, "") is None


def test_locate_picks_the_occurrence_whose_prefix_matches():
    anchor = locate(TEXT, QUOTE, prefix="request. Providers shall ")
    assert anchor is not None and anchor.start == TEXT.rindex(QUOTE)


def test_locate_picks_the_occurrence_whose_suffix_matches():
    anchor = locate(TEXT, QUOTE, suffix=" for ten years")
    assert anchor is not None and anchor.start == TEXT.rindex(QUOTE)


def test_locate_without_context_picks_the_occurrence_nearest_the_hint():
    assert locate(TEXT, QUOTE, hint=150).start == TEXT.rindex(QUOTE)  # type: ignore[union-attr]
    assert locate(TEXT, QUOTE, hint=0).start == TEXT.index(QUOTE)  # type: ignore[union-attr]


def test_locate_handles_astral_characters_by_code_point():
    text = "😀 first 😀 quote"
    anchor = locate(text, "quote")
    assert anchor is not None and text[anchor.start : anchor.end] == "quote"


@given(st.text(min_size=1), st.text(), st.text())
def test_located_anchor_always_slices_to_its_quote(exact, before, after):
    text = before + exact + after
    anchor = locate(text, exact)
    assert anchor is not None and text[anchor.start : anchor.end] == exact


def test_reanchor_follows_a_quote_moved_by_text_inserted_before_it():
    anchor = locate(TEXT, "share it with the Office")
    new = "A new opening sentence was added. " + TEXT
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.status == "anchored" and result.score == 1.0
    assert result.anchor is not None and result.anchor.start == anchor.start + 34  # type: ignore[union-attr]


def test_reanchor_keeps_the_right_one_of_two_identical_quotes():
    anchor = locate(TEXT, QUOTE, prefix="Providers shall ")
    new = "Preamble. " + TEXT
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.anchor is not None and result.anchor.start == new.rindex(QUOTE)


def test_reanchor_uses_the_old_text_to_choose_among_repeated_quotes():
    old = "keep it. keep it. keep it."
    anchor = Anchor(exact="keep it", prefix="", suffix="", start=18, end=25)
    new = "Intro. keep it. keep it. keep it."
    result = reanchor(anchor, new, old_text=old)
    assert result.anchor is not None and result.anchor.start == 25


def test_reanchor_finds_a_slightly_edited_quote_as_fuzzy():
    anchor = locate(TEXT, "share it with the Office on request")
    new = TEXT.replace(
        "share it with the Office on request", "share it with the Office upon request"
    )
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.status == "fuzzy"
    assert (
        result.anchor is not None and result.anchor.exact == "share it with the Office upon request"
    )
    assert 0.7 <= result.score < 1.0


def test_reanchor_finds_an_edited_long_quote_by_its_head_and_tail():
    quote = "keep the model documentation up to date and share it with the Office on request"
    anchor = locate(TEXT, quote)
    new = "Intro text. " + TEXT.replace("up to date and share", "current and share")
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.status == "fuzzy"
    assert result.anchor is not None
    assert (
        result.anchor.exact
        == "keep the model documentation current and share it with the Office on request"
    )


def test_reanchor_follows_the_old_text_diff_to_an_edited_quote_that_moved_far():
    anchor = locate(TEXT, "share it with the Office on request")
    old = TEXT
    new = "A long new preamble. " * 60 + TEXT.replace("on request", "upon request")
    result = reanchor(anchor, new, old_text=old)  # type: ignore[arg-type]
    assert result.status == "fuzzy"
    assert result.anchor is not None
    assert result.anchor.exact == "share it with the Office upon request"


def test_reanchor_orphans_a_deleted_quote():
    anchor = locate(TEXT, "share it with the Office on request")
    new = "Signatories shall keep the model documentation. Providers shall keep it for ten years."
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.status == "orphaned" and result.anchor is None


def test_reanchor_orphans_a_quote_rewritten_beyond_recognition():
    anchor = locate(TEXT, "share it with the Office on request")
    new = TEXT.replace("share it with the Office on request", "publish a summary every quarter")
    assert reanchor(anchor, new).status == "orphaned"  # type: ignore[arg-type]


def test_reanchor_orphans_a_whitespace_only_quote():
    anchor = Anchor(exact="  ", prefix="", suffix="", start=0, end=2)
    assert reanchor(anchor, "  text").status == "orphaned"


def test_reanchor_into_an_empty_text_orphans():
    anchor = locate(TEXT, QUOTE)
    assert reanchor(anchor, "").status == "orphaned"  # type: ignore[arg-type]


def test_reanchor_handles_unicode_quotes():
    text = "Les fournisseurs tiennent à jour la documentation du modèle 📄 chaque année."
    anchor = locate(text, "la documentation du modèle")
    new = text.replace("la documentation du modèle", "la documentation des modèles")
    result = reanchor(anchor, new)  # type: ignore[arg-type]
    assert result.status == "fuzzy"
    assert result.anchor is not None and "documentation des mod" in result.anchor.exact


def test_adoption_is_one_for_a_verbatim_proposal_with_other_whitespace():
    assert adoption("shall  maintain\nthe documentation", TEXT.replace("keep", "maintain")) == 1.0


def test_adoption_does_not_count_a_proposal_found_inside_longer_words():
    assert adoption("model doc", TEXT) < 1.0


def test_adoption_is_high_for_a_largely_adopted_proposal():
    proposed = "share it with the Office within ten working days of a request"
    new = TEXT.replace("on request", "within ten days of a request")
    assert ADOPTED_THRESHOLD <= adoption(proposed, new) < 1.0


def test_adoption_is_low_when_the_proposal_was_not_taken_up():
    assert adoption("publish a public summary of the training data every quarter", TEXT) < 0.5


def test_adoption_ignores_proposal_words_scattered_far_apart():
    scattered = "publish " + "filler " * 50 + "a summary " + "filler " * 50 + "yearly"
    assert adoption("publish a summary yearly", scattered) == pytest.approx(0.5)


def test_adoption_of_an_empty_proposal_is_zero():
    assert adoption("  ", TEXT) == 0.0

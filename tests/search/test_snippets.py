"""Search snippets: cut on word boundaries, matches marked, everything escaped (no database:
the marks the database puts around its matches are simulated)."""

from __future__ import annotations

import html
import re

from app.search.snippets import CLOSE, OPEN, marked_line, read_marks, snippet

SHORT_WORDS = [f"word{i:03d}" for i in range(120)]
LONG_WORDS = [f"{chr(97 + i % 26) * 20}{i:03d}" for i in range(40)]


def make_snippet(text: str, query: str) -> str:
    """The snippet of `text` with every occurrence of `query` marked, as the database would."""
    return str(snippet(text.replace(query, f"{OPEN}{query}{CLOSE}")))


def passage_words(result: str) -> list[str]:
    """The words of the snippet without marks and ellipses."""
    plain = html.unescape(re.sub(r"</?mark>", "", result))
    return [w for w in plain.split() if w != "…"]


def test_snippet_in_the_middle_starts_and_ends_on_whole_words() -> None:
    result = make_snippet(" ".join(SHORT_WORDS), "word060")
    assert result.startswith("… ") and result.endswith(" …")
    assert "<mark>word060</mark>" in result
    assert set(passage_words(result)) <= set(SHORT_WORDS)


def test_snippet_drops_a_partial_long_word_at_either_edge() -> None:
    result = make_snippet(" ".join(LONG_WORDS), LONG_WORDS[20])
    assert result.startswith("… ") and result.endswith(" …")
    assert f"<mark>{LONG_WORDS[20]}</mark>" in result
    assert set(passage_words(result)) <= set(LONG_WORDS)


def test_snippet_of_a_match_at_the_very_beginning_has_no_leading_ellipsis() -> None:
    result = make_snippet(" ".join(SHORT_WORDS), "word000")
    assert result.startswith("<mark>word000</mark> word001")
    assert result.endswith(" …")
    assert set(passage_words(result)) <= set(SHORT_WORDS)


def test_snippet_of_a_match_at_the_very_end_has_no_trailing_ellipsis() -> None:
    result = make_snippet(" ".join(SHORT_WORDS), "word119")
    assert result.endswith("word118 <mark>word119</mark>")
    assert result.startswith("… ")
    assert set(passage_words(result)) <= set(SHORT_WORDS)


def test_snippet_of_a_short_text_is_the_whole_text_without_ellipses() -> None:
    assert make_snippet("Members shall report  yearly.", "report") == (
        "Members shall <mark>report</mark> yearly."
    )


def test_snippet_escapes_html_special_characters_in_text_and_match() -> None:
    text = " ".join(SHORT_WORDS[:30]) + " a <b> & \"c\" 'd' " + " ".join(SHORT_WORDS[30:])
    result = make_snippet(text, "<b>")
    assert "<mark>&lt;b&gt;</mark> &amp; &#34;c&#34; &#39;d&#39;" in result
    assert "<b>" not in result


def test_snippet_keeps_a_match_inside_a_long_word_cut_mid_word() -> None:
    text = "intro " + "x" * 150 + "needle" + "y" * 150 + " outro"
    result = make_snippet(text, "needle")
    assert "x<mark>needle</mark>y" in result
    assert result.startswith("… x") and result.endswith("y …")


def test_snippet_grows_to_the_start_of_the_text_when_it_is_a_few_characters_away() -> None:
    text = "Introductoryremarks " + " ".join(SHORT_WORDS[:4]) + " target " + " ".join(SHORT_WORDS)
    result = make_snippet(text, "target")
    assert result.startswith("Introductoryremarks word000")


def test_snippet_shows_the_stretch_with_the_most_matches() -> None:
    words = list(SHORT_WORDS)
    words[5] = words[80] = words[84] = words[88] = "hit"
    result = make_snippet(" ".join(words), "hit")
    assert result.count("<mark>hit</mark>") == 3
    assert "word005" not in result


def test_snippet_without_a_match_in_the_text_is_its_beginning() -> None:
    result = str(snippet(" ".join(SHORT_WORDS)))
    assert result.startswith("word000 word001") and result.endswith(" …")
    assert "<mark>" not in result


def test_marks_separated_by_punctuation_alone_make_one_mark() -> None:
    marked = f"Respect {OPEN}robots{CLOSE}.{OPEN}txt{CLOSE} and {OPEN}opt{CLOSE}-{OPEN}out{CLOSE}"
    assert str(snippet(marked)) == "Respect <mark>robots.txt</mark> and <mark>opt-out</mark>"
    assert read_marks(f"{OPEN}a{CLOSE} {OPEN}b{CLOSE}")[1] == [(0, 1), (2, 3)]


def test_a_heading_is_shown_whole_with_its_matches_marked_and_escaped() -> None:
    assert str(marked_line(f"Measure 1.1: <i>{OPEN}Copyright{CLOSE}</i>")) == (
        "Measure 1.1: &lt;i&gt;<mark>Copyright</mark>&lt;/i&gt;"
    )


def test_stray_or_unbalanced_marks_never_break_the_markup() -> None:
    for marked in (f"a {CLOSE}b{OPEN} c", f"{OPEN}{OPEN}x{CLOSE}{CLOSE}", f"{OPEN}{CLOSE}y"):
        result = str(snippet(marked))
        assert result.count("<mark>") == result.count("</mark>")
        assert OPEN not in result and CLOSE not in result


def test_a_snippet_keeps_no_direction_controls_that_would_turn_text_not_their_own() -> None:
    # A body with a right-to-left override, then its proposed wording: the excerpt joins them.
    body = "RTLTEST start \u202edesrever si siht end\n\nProposed \u2066reversed wording"
    result = make_snippet(body, "RTLTEST")
    assert "<mark>RTLTEST</mark>" in result and "desrever si siht" in result
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", result)

"""HTML rendering of word diffs."""

from __future__ import annotations

from markupsafe import Markup

from app.diffing.engine import WordDiff, diff_words
from app.diffing.render import render_inline, render_proposal, render_side_by_side

INS = '<ins><span class="sr-only">[inserted: </span>{}<span class="sr-only">]</span></ins>'
DEL = '<del><span class="sr-only">[deleted: </span>{}<span class="sr-only">]</span></del>'


def make_diff(*ops: tuple[str, str]) -> WordDiff:
    return WordDiff(ops=ops, words_inserted=0, words_deleted=0, words_unchanged=0)


def test_inline_marks_deletions_and_insertions_with_hidden_labels():
    diff = diff_words("shall keep records", "shall maintain records")
    assert (
        render_inline(diff) == "shall " + DEL.format("keep") + INS.format("maintain") + " records"
    )


def test_inline_escapes_text_in_every_kind_of_op():
    diff = make_diff(("equal", "<b>"), ("delete", "a & b"), ("insert", '"x" <script>'))
    html = render_inline(diff)
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;" in html
    assert DEL.format("a &amp; b") in html
    assert INS.format("&#34;x&#34; &lt;script&gt;") in html


def test_inline_keeps_newlines():
    diff = diff_words("one\n\ntwo", "one\n\ntwo\nthree")
    assert render_inline(diff).startswith("one\n\ntwo")
    assert "\nthree" in render_inline(diff)


def test_rendered_html_is_markup_so_templates_do_not_escape_it_again():
    assert isinstance(render_inline(make_diff(("equal", "x"))), Markup)


def test_side_by_side_shows_deletions_left_and_insertions_right():
    diff = diff_words("keep the records", "keep all records")
    old, new = render_side_by_side(diff)
    assert old == "keep " + DEL.format("the") + " records"
    assert new == "keep " + INS.format("all") + " records"


def test_side_by_side_columns_contain_only_their_own_changes():
    diff = make_diff(("equal", "a "), ("delete", "b"), ("insert", "c"))
    old, new = render_side_by_side(diff)
    assert (old, new) == ("a " + DEL.format("b"), "a " + INS.format("c"))


def test_proposal_redline_compares_proposed_wording_with_the_passage():
    html = render_proposal("providers should publish", "providers shall publish")
    assert html == "providers " + DEL.format("should") + INS.format("shall") + " publish"


def test_proposal_identical_to_passage_renders_plain_text():
    assert render_proposal("same <words>", "same <words>") == "same &lt;words&gt;"

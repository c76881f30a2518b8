"""The draft file format of CONTRACT.md section 1, rule by rule and error by error."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.drafting.parser import DraftError, parse_draft

HEAD = "---\ntitle: A Code\nround: 1\nlevels: [chapter, commitment, measure, submeasure]\n---\n"


def parse(body: str, head: str = HEAD, **kwargs: str):
    kwargs.setdefault("default_code", "a-code")
    return parse_draft(head + body, "drafts/a-code/1.md", **kwargs)


def error(text: str, **kwargs: str) -> DraftError:
    kwargs.setdefault("default_code", "a-code")
    with pytest.raises(DraftError) as caught:
        parse_draft(text, "f.md", **kwargs)
    return caught.value


def body_error(body: str) -> DraftError:
    return error(HEAD + body)


def front(*lines: str) -> str:
    return "---\n" + "\n".join(lines) + "\n---\n# Chapter\n"


FULL = """---
code: gpai-code
title: General-Purpose AI Code of Practice
round: 2
name: Second draft
date: 2024-12-19
final: false
visibility: public
consultation:
  opens: 2024-12-19T12:00:00+01:00
  closes: 2025-01-15T23:59:00+01:00
levels: [chapter, commitment, measure, submeasure]
---

Opening words.

# Transparency {#transparency wg=wg1}

Preamble of the chapter.

## Commitment 1: Documentation {#documentation}

### Measure 1.1: Keeping model documentation up to date

Body of the measure.

#### KPI 1.1.1 Completeness of documentation
## Commitment II.3 - Other matters {wg=wg-2}
"""


def test_full_example_front_matter():
    parsed = parse_draft(FULL, "drafts/gpai-code/2.md")
    cet = datetime.timezone(datetime.timedelta(hours=1))
    assert (parsed.code, parsed.title, parsed.round, parsed.name) == (
        "gpai-code",
        "General-Purpose AI Code of Practice",
        2,
        "Second draft",
    )
    assert parsed.date == datetime.date(2024, 12, 19)
    assert (parsed.final, parsed.visibility) == (False, "public")
    assert parsed.opens == datetime.datetime(2024, 12, 19, 12, 0, tzinfo=cet)
    assert parsed.closes == datetime.datetime(2025, 1, 15, 23, 59, tzinfo=cet)
    assert parsed.levels == ("chapter", "commitment", "measure", "submeasure")
    assert parsed.preamble == "Opening words."


def test_full_example_provisions():
    provisions = parse_draft(FULL, "drafts/gpai-code/2.md").provisions
    summary = [(p.index, p.kind, p.depth, p.label, p.number, p.title, p.key) for p in provisions]
    assert summary == [
        (0, "chapter", 1, None, None, "Transparency", "transparency"),
        (1, "commitment", 2, "Commitment 1", "1", "Documentation", "documentation"),
        (2, "measure", 3, "Measure 1.1", "1.1", "Keeping model documentation up to date", None),
        (3, "submeasure", 4, "KPI 1.1.1", "1.1.1", "Completeness of documentation", None),
        (4, "commitment", 2, "Commitment II.3", "II.3", "Other matters", None),
    ]
    assert [p.parent for p in provisions] == [None, 0, 1, 2, 0]
    assert [p.group for p in provisions] == ["wg1", "wg1", "wg1", "wg1", "wg-2"]
    assert [p.line for p in provisions] == [17, 21, 23, 27, 28]
    assert [p.body for p in provisions] == [
        "Preamble of the chapter.",
        "",
        "Body of the measure.",
        "",
        "",
    ]


def test_defaults_when_optional_keys_are_absent():
    parsed = parse("# Chapter\n")
    assert parsed.code == "a-code"
    assert (parsed.final, parsed.visibility, parsed.name) == (False, "internal", "Round 1")
    assert (parsed.date, parsed.opens, parsed.closes) == (None, None, None)


def test_consultation_without_offset_is_utc():
    parsed = parse_draft(
        front(
            "title: T",
            "round: 1",
            "levels: [chapter]",
            "consultation:",
            "  opens: 2025-01-01T09:00:00",
            "  closes: '2025-01-31T17:00:00'",
        ),
        "f.md",
        default_code="c",
    )
    assert parsed.opens == datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.UTC)
    assert parsed.closes == datetime.datetime(2025, 1, 31, 17, tzinfo=datetime.UTC)


def test_code_in_front_matter_wins_over_folder_name():
    assert parse("# C\n", head=HEAD.replace("round: 1", "round: 1\ncode: other")).code == "other"


@pytest.mark.parametrize(
    ("heading", "label", "number", "title"),
    [
        ("Measure 1.1: Keeping records", "Measure 1.1", "1.1", "Keeping records"),
        ("Commitment II.3 - Safety", "Commitment II.3", "II.3", "Safety"),
        ("Commitment II.3 – Safety", "Commitment II.3", "II.3", "Safety"),
        ("KPI 1.1.1 Completeness", "KPI 1.1.1", "1.1.1", "Completeness"),
        ("Measure 4", "Measure 4", "4", ""),
        ("Measure 2.3a: Variant", "Measure 2.3a", "2.3a", "Variant"),
        ("Sub-measure 1.2.1: Detail", "Sub-measure 1.2.1", "1.2.1", "Detail"),
        ("Chapter 3 Risk", "Chapter 3", "3", "Risk"),
        ("Annex II: Forms", "Annex II", "II", "Forms"),
        ("Transparency", None, None, "Transparency"),
        ("Vision 2030", None, None, "Vision 2030"),
        ("What I want", None, None, "What I want"),
        ("Measure 1.1: Title ##", "Measure 1.1", "1.1", "Title"),
        ("C# and friends", None, None, "C# and friends"),
    ],
)
def test_heading_label_forms(heading, label, number, title):
    provision = parse(f"# {heading}\n").provisions[0]
    assert (provision.label, provision.number, provision.title) == (label, number, title)


def test_own_working_group_overrides_the_inherited_one():
    provisions = parse("# A {wg=one}\n## B\n## C {wg=two}\n### D\n# E\n").provisions
    assert [p.group for p in provisions] == ["one", "one", "two", "two", None]


def test_parent_is_the_nearest_shallower_heading():
    provisions = parse("# A\n## B\n### C\n## D\n# E\n## F\n").provisions
    assert [p.parent for p in provisions] == [None, 0, 1, 0, None, 4]


def test_body_keeps_inner_blank_lines_and_drops_outer_ones():
    provision = parse("# A\n\n\nOne.\n\n- two\n- three\n\n\n").provisions[0]
    assert provision.body == "One.\n\n- two\n- three"


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_heading_inside_fenced_code_is_body(fence):
    provisions = parse(f"# A\n{fence}\n# not a heading\n<div>\n{fence}\n## B\n").provisions
    assert [p.title for p in provisions] == ["A", "B"]
    assert "# not a heading" in provisions[0].body


def test_crlf_line_endings_give_the_same_lines():
    text = (HEAD + "# A\n\nText.\n## B\n").replace("\n", "\r\n")
    provisions = parse_draft(text, "f.md", default_code="c").provisions
    assert [(p.line, p.body) for p in provisions] == [(6, "Text."), (9, "")]


@pytest.mark.parametrize(
    "prose",
    ["a < b and c > d", "costs <= 5 units", "use `<div>` here", "<https://example.org>", "\\<div>"],
)
def test_angle_brackets_that_are_not_html_are_accepted(prose):
    assert parse(f"# A\n{prose}\n").provisions[0].body == prose


# --- errors, each with its line ---------------------------------------------------------


def test_no_front_matter():
    assert (error("# A\n").line, "no front matter" in error("# A\n").problem) == (1, True)


def test_unterminated_front_matter():
    caught = error("---\ntitle: x\n# A\n")
    assert (caught.line, "unterminated" in caught.problem) == (1, True)


def test_bad_yaml_names_its_line():
    caught = error("---\ntitle: x\nround: [1\nlevels: [a]\n---\n")
    assert caught.line in (3, 4, 5)
    assert "invalid YAML" in caught.problem


def test_yaml_that_is_not_a_mapping():
    assert "mapping" in error("---\n- a\n- b\n---\n").problem


def test_error_message_format():
    caught = error("# A\n")
    assert str(caught) == f"f.md:1: {caught.problem}"
    assert caught.filename == "f.md"


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        (("round: 1", "levels: [chapter]"), 1, "'title'"),
        (("title: T", "levels: [chapter]"), 1, "'round'"),
        (("title: T", "round: 1"), 1, "'levels'"),
        (("title: T", "round: 0", "levels: [chapter]"), 3, "positive"),
        (("title: T", "round: two", "levels: [chapter]"), 3, "positive"),
        (("title: T", "round: true", "levels: [chapter]"), 3, "positive"),
        (("title: T", "round: 1", "levels: []"), 4, "non-empty"),
        (("title: T", "round: 1", "levels: chapter"), 4, "non-empty"),
        (("title: T", "round: 1", "levels: [a, b, a]"), 4, "distinct"),
        (("title: T", "round: 1", "levels: [chapter]", "visibility: secret"), 5, "visibility"),
        (("title: T", "round: 1", "levels: [chapter]", "date: 2024-13-45"), 5, "date"),
        (("title: T", "round: 1", "levels: [chapter]", "code: Bad Code"), 5, "slug"),
        (("title: T", "round: 1", "levels: [chapter]", "final: maybe"), 5, "true or false"),
        (("title: T", "round: 1", "levels: [chapter]", "titel: x", "rond: 2"), 5, "titel, rond"),
        (
            ("title: T", "round: 1", "levels: [chapter]", "consultation:", "  open: 2025-01-01"),
            5,
            "open",
        ),
        (
            (
                "title: T",
                "round: 1",
                "final: true",
                "levels: [chapter]",
                "consultation:",
                "  opens: 2025-01-01T00:00:00Z",
                "  closes: 2025-02-01T00:00:00Z",
            ),
            6,
            "final",
        ),
        (
            (
                "title: T",
                "round: 1",
                "levels: [chapter]",
                "consultation:",
                "  opens: 2025-02-01T00:00:00Z",
                "  closes: 2025-01-01T00:00:00Z",
            ),
            5,
            "close after",
        ),
        (
            ("title: T", "round: 1", "levels: [chapter]", "consultation:", "  opens: soon"),
            5,
            "date and time",
        ),
    ],
)
def test_front_matter_errors(lines, line, words):
    caught = error(front(*lines))
    assert caught.line == line
    assert words in caught.problem


def test_code_is_required_without_a_folder_name():
    caught = error(front("title: T", "round: 1", "levels: [chapter]"), default_code=None)  # type: ignore[arg-type]
    assert (caught.line, "code" in caught.problem) == (1, True)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("# A\n## B\n### C\n#### D\n##### E\n", 10, "only 4 levels"),
        ("# A\n### C\n", 7, "skips a level"),
        ("## A\n", 6, "skips a level"),
        ("# A {#k}\n# B {#k}\n", 7, "duplicate key 'k' (first on line 6)"),
        ("# Measure 1: A\n# Measure 1: B\n", 7, "duplicate label"),
        ("# A\n## {#k}\n", 7, "empty title"),
        ("# A\n#\n", 7, "empty title"),
        ("# A {wg=Bad_Group}\n", 6, "working group"),
        ("# A {#Bad}\n", 6, "key 'Bad'"),
        ("# A {#k colour=red}\n", 6, "colour=red"),
        ("# A {#k #j}\n", 6, "#j"),
        ("# A\n\n<script>alert(1)</script>\n", 8, "raw HTML"),
        ("# A\n\n<div class='x'>\n", 8, "raw HTML"),
        ("# A\n\n<div\n", 8, "raw HTML"),
        ("# A\n\ntext <!-- hidden --> text\n", 8, "raw HTML"),
        ('# A\n\nsome <span style="x">styled</span>\n', 8, "raw HTML"),
        ("# A\n\nend of </em> emphasis\n", 8, "raw HTML"),
        ("# A <b>bold</b>\n", 6, "raw HTML"),
        ("Preamble <iframe src=x>\n# A\n", 6, "raw HTML"),
        ("# A\n\nnul\x00here\n", 8, "NUL"),
    ],
)
def test_body_errors(body, line, words):
    caught = body_error(body)
    assert caught.line == line
    assert words in caught.problem


_PROSE = st.text(alphabet=st.characters(blacklist_characters="<#`~{}\\\x00\r\n"), max_size=60)


@given(st.lists(_PROSE, min_size=1, max_size=6))
def test_plain_prose_is_kept_as_the_body(lines):
    kept = list(lines)
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    provision = parse("# A\n" + "\n".join(lines) + "\n").provisions[0]
    assert provision.body == "\n".join(kept)

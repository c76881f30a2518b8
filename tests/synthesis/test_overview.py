"""The run page's overview rows, their order and filters; a campaign's differing sentences.
Plain values: no app, no database."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from app.synthesis.duplicates import BeyondTemplate, beyond_template
from app.synthesis.overview import View, overview, read_view, row_of


def _theme(label: str, size: int, *, stances: dict[str, int] | None = None,
           categories: dict[str, int] | None = None, over: tuple[str, ...] = (),
           campaigns: int = 0, letters: int = 0, outcome: str | None = None) -> Any:
    response = SimpleNamespace(outcome_name=outcome) if outcome else None
    individual = size - letters
    return SimpleNamespace(
        display_label=label, size=size, by_stance=stances or {"amend": size},
        by_category=categories or {"civil_society": size}, over_represented=list(over),
        campaign_count=campaigns, independent_count=individual + campaigns,
        identity=SimpleNamespace(response=response))


THEMES = [
    _theme("Six-month cycle", 12, stances={"support": 9, "oppose": 3},
           categories={"civil_society": 6, "academia": 6}),
    _theme("SME burden", 8, stances={"oppose": 8}, categories={"sme": 7, "industry": 1},
           over=("sme",), outcome="Accepted"),
    _theme("Creators' remuneration", 10, stances={"support": 6, "amend": 4},
           categories={"rightsholder": 10}, over=("rightsholder",), campaigns=1, letters=6),
    _theme("audit of frameworks", 3, stances={"question": 3}),
]


def _titles(rows: list[Any]) -> list[str]:
    return [r.title for r in rows]


def test_rows_are_largest_first_by_default() -> None:
    assert _titles(overview(THEMES, View())) == [
        "Six-month cycle", "Creators' remuneration", "SME burden", "audit of frameworks"]


def test_every_column_sorts_both_ways() -> None:
    by = {column: _titles(overview(THEMES, View(column, "desc")))
          for column in ("title", "size", "stance", "split", "campaigns", "answered")}
    assert by["title"] == ["SME burden", "Six-month cycle", "Creators' remuneration",
                           "audit of frameworks"]  # case and punctuation do not count
    assert by["stance"] == ["Creators' remuneration", "Six-month cycle", "audit of frameworks",
                           "SME burden"]  # net support: 0.6, 0.5, 0, -1
    assert by["split"][0] == "Creators' remuneration"  # one category holds it all
    assert by["campaigns"][0] == "Creators' remuneration"
    assert by["answered"][0] == "SME burden"
    for column, order in by.items():
        ascending = _titles(overview(THEMES, View(column, "asc")))
        assert set(ascending) == set(order)
        if column in ("title", "size"):
            assert ascending == list(reversed(order))


def test_filters_keep_unanswered_or_over_represented_themes() -> None:
    assert "SME burden" not in _titles(overview(THEMES, View(show="unanswered")))
    assert len(overview(THEMES, View(show="unanswered"))) == 3
    assert sorted(_titles(overview(THEMES, View(show="over")))) == [
        "Creators' remuneration", "SME burden"]


def test_a_row_names_the_largest_categories_and_counts_campaign_letters() -> None:
    row = row_of(_theme("Mixed", 20, categories={
        "civil_society": 8, "sme": 5, "academia": 3, "industry": 2, "observer": 2},
        over=("observer",), campaigns=2, letters=9))
    assert [(s.category, s.percent, s.over) for s in row.shares] == [
        ("civil_society", 40, False), ("sme", 25, False), ("academia", 15, False),
        ("observer", 10, True)]  # an over-represented category is always named
    assert row.others == 2 and row.campaign_letters == 9 and row.campaigns == 2
    assert row.outcome is None


def test_the_query_string_is_cleaned_and_headers_toggle() -> None:
    assert read_view({"sort": "bogus", "order": "up", "show": "x"}) == View()
    view = read_view({"sort": "title", "order": "asc", "show": "over"})
    assert view.toggled("title") == {"sort": "title", "order": "desc", "show": "over"}
    assert view.toggled("size") == {"sort": "size", "order": "desc", "show": "over"}
    assert view.aria_sort("title") == "ascending" and view.aria_sort("size") is None


def test_beyond_the_template_are_new_sentences_and_changed_words() -> None:
    template = ("I am writing as a journalist whose work is published online. "
                "Pay fair remuneration to authors.")
    letter = ("I am writing as a freelance photographer whose work is published online. "
              "pay fair remuneration to authors! Thank you. Our members agree strongly.")
    beyond = beyond_template(template, letter)
    assert beyond.sentences == ["Thank you.", "Our members agree strongly."]
    assert beyond.edits == ["freelance photographer"]
    assert beyond_template(template, template) == BeyondTemplate([], [])

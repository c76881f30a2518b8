"""Reading a query (no database): words, phrases, and nothing that could be query syntax."""

from __future__ import annotations

import re

import pytest

from app.search.query import MAX_TERMS, Query, fts5_expression, parse_query


def words(query: Query) -> list[tuple[str, ...]]:
    return [term.words for term in query.terms]


def test_plain_words_are_each_a_term_lower_cased() -> None:
    assert words(parse_query("Copyright  POLICY")) == [("copyright",), ("policy",)]


def test_a_quoted_phrase_is_one_term_of_several_words() -> None:
    query = parse_query('"technical documentation" model')
    assert words(query) == [("technical", "documentation"), ("model",)]
    assert query.terms[0].quoted and query.text == '"technical documentation" model'


def test_a_chunk_with_punctuation_inside_is_a_phrase_of_its_words() -> None:
    query = parse_query("robots.txt opt-outs")
    assert words(query) == [("robots", "txt"), ("opt", "outs")]
    assert query.text == "robots.txt opt-outs"  # written back as typed


def test_very_common_words_are_dropped_and_only_them_is_nothing() -> None:
    assert words(parse_query("the risk of a model")) == [("risk",), ("model",)]
    assert not parse_query("the of and")
    assert words(parse_query('"code of practice"')) == [("code", "of", "practice")]


@pytest.mark.parametrize("typed", ['"', "*", "NEAR(", "-", ":", "&|!", '"unbalanced',
                                   "''", "()", "^", "{}", "\\", "--", "; DROP TABLE x"])
def test_syntax_characters_never_reach_the_expression(typed: str) -> None:
    expression = fts5_expression(parse_query(typed))
    assert expression == "" or re.fullmatch(r'"[^\W_]+( [^\W_]+)*"( AND "[^\W_]+( [^\W_]+)*")*',
                                            expression)


def test_fts5_operators_typed_as_words_are_quoted_words() -> None:
    assert fts5_expression(parse_query("NEAR(model risk) OR *x -y col:z")) == (
        '"near model" AND "risk" AND "x" AND "y" AND "col z"'
    )


def test_an_unbalanced_quote_is_ignored() -> None:
    assert words(parse_query('"unbalanced phrase')) == [("unbalanced",), ("phrase",)]


def test_duplicates_are_dropped_and_terms_are_capped() -> None:
    assert words(parse_query("risk Risk RISK")) == [("risk",)]
    many = " ".join(f"word{i}" for i in range(30))
    assert len(parse_query(many).terms) == MAX_TERMS


def test_without_drops_one_term() -> None:
    query = parse_query("model risk audit")
    assert query.without(query.terms[1]).text == "model audit"


def test_letters_beyond_ascii_are_words() -> None:
    assert words(parse_query("Übersicht données")) == [("übersicht",), ("données",)]

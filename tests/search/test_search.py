"""Searching: ranking, phrases, filters, snippets, pages of results, and input that must stay
harmless (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from typing import Any

import pytest

from app.accounts.models import WorkingGroup
from app.core.db import db
from app.drafting.models import Code
from app.feedback import services as feedback
from app.search.query import parse_query
from app.search.services import Scope, search

FILLER = "Signatories shall keep their records in order and review them every year. "


@pytest.fixture
def code_rounds(create_round: Any, create_provision: Any, index_provisions: Any) -> Any:
    """Rounds 1 and 2 (public) of demo-code; round 2 repeats round 1's m-same word for word."""
    one, two = create_round(1), create_round(2)
    for round_ in (one, two):
        create_provision(round_, "m-same", label="Measure 9", title="Unchanged",
                         body="A steady passage about lanterns.", group="wg2")  # fmt: skip
    index_provisions(one, two)
    return one, two


def scope(*rounds: Any, **filters: Any) -> Scope:
    return Scope(tuple(rounds), **filters)


def keys(results: Any) -> list[tuple[int, str]]:
    return [(hit.round.number, hit.provision.key) for hit in results.hits]


def test_a_better_match_ranks_first(code_rounds: Any, create_provision: Any,
                                    index_provisions: Any) -> None:  # fmt: skip
    one, _ = code_rounds
    create_provision(one, "weak", title="Other", body=FILLER * 6 + "One mention of watermark.")
    create_provision(one, "strong", title="Watermark labels",
                     body="Watermark every output; the watermark must survive edits.")
    index_provisions(one)
    assert keys(search(None, scope(one), parse_query("watermark"))) == [(1, "strong"), (1, "weak")]


def test_on_equal_scores_the_latest_round_comes_first(code_rounds: Any) -> None:
    one, two = code_rounds
    assert keys(search(None, scope(one, two), parse_query("lanterns"))) == [
        (2, "m-same"), (1, "m-same")]


def test_a_phrase_must_occur_as_written(code_rounds: Any, create_provision: Any,
                                        index_provisions: Any) -> None:  # fmt: skip
    one, _ = code_rounds
    create_provision(one, "a", body="The model card documents risk.")
    create_provision(one, "b", body="The card of each model documents risk.")
    index_provisions(one)
    assert keys(search(None, scope(one), parse_query('"model card"'))) == [(1, "a")]
    assert sorted(keys(search(None, scope(one), parse_query("model card")))) == [(1, "a"),
                                                                                  (1, "b")]


def test_every_word_must_occur_and_stems_match(code_rounds: Any, create_provision: Any,
                                               index_provisions: Any) -> None:  # fmt: skip
    one, _ = code_rounds
    create_provision(one, "a", body="Providers watermark generated images.")
    create_provision(one, "b", body="Providers label generated audio.")
    index_provisions(one)
    results = search(None, scope(one), parse_query("Watermarks providers"))
    assert keys(results) == [(1, "a")]
    assert "<mark>watermark</mark>" in str(results.hits[0].snippet)


def test_filters_by_round_group_kind_and_stance(code_rounds: Any, create_user: Any,
                                                create_provision: Any,
                                                index_provisions: Any) -> None:  # fmt: skip
    one, two = code_rounds
    mine = create_provision(two, "m-wg1", body="Lanterns for the first group.", group="wg1")
    index_provisions(two)
    author = create_user(password=None)
    for stance in ("support", "oppose"):
        feedback.submit_comment(mine, author, stance=stance, body=f"Lanterns? I {stance}.",
                                publish_consent=True)  # fmt: skip
    query = parse_query("lanterns")
    wg1 = db.session.query(WorkingGroup).filter_by(slug="wg1").one()
    assert search(None, scope(one, two), query).total == 5
    assert keys(search(None, scope(one, two, round=one), query)) == [(1, "m-same")]
    assert {h.provision.key for h in search(None, scope(one, two, group=wg1), query).hits} == {
        "m-wg1"}
    assert [h.kind for h in search(None, scope(one, two, kind="comment"), query).hits] == [
        "comment", "comment"]
    opposed = search(None, scope(one, two, stance="oppose"), query)
    assert [h.comment.stance for h in opposed.hits] == ["oppose"]


def test_snippets_escape_html_and_mark_the_words_found(code_rounds: Any, create_provision: Any,
                                                       index_provisions: Any) -> None:  # fmt: skip
    one, _ = code_rounds
    create_provision(one, "x", title="<script>alert(1)</script> Beacons",
                     body="Use `<img src=x onerror=alert(1)>` beacons & <b>bold</b> words.")
    index_provisions(one)
    (hit,) = search(None, scope(one), parse_query("beacons")).hits
    html = str(hit.snippet) + str(hit.heading)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in str(hit.heading) and "<mark>Beacons</mark>" in str(hit.heading)
    assert "<mark>beacons</mark>" in str(hit.snippet)


@pytest.mark.parametrize("typed", ['"', "*", "NEAR(", "NEAR(lanterns steady, 2)", "-lanterns",
                                   "lanterns:", "title:lanterns", "&|!", "lanterns & !steady",
                                   '"unbalanced lanterns', "lanterns*", "^lanterns", "(lanterns",
                                   "lanterns OR nothing", "'; DROP TABLE provisions; --",
                                   "\\", "{lanterns}", "lanterns <-> steady", "…", "\u0000"])
def test_query_syntax_typed_by_a_reader_is_harmless(code_rounds: Any, client: Any,
                                                    typed: str) -> None:  # fmt: skip
    one, two = code_rounds
    results = search(None, scope(one, two), parse_query(typed))  # never raises
    words = {w for t in parse_query(typed).terms for w in t.words}
    assert (results.total > 0) == (words <= {"lanterns", "steady"} and bool(words))
    if "\u0000" not in typed:
        assert client.get("/codes/demo-code/search", query_string={"q": typed}).status_code == 200
        api = client.get("/api/v1/codes/demo-code/search", query_string={"q": typed})
        assert api.status_code == 200 and api.get_json()["total"] == results.total


def test_a_query_of_punctuation_alone_finds_nothing(code_rounds: Any, client: Any) -> None:
    assert search(None, scope(*code_rounds), parse_query("!!! ... ---")).total == 0
    page = client.get("/codes/demo-code/search", query_string={"q": "!!! ... ---"})
    assert page.status_code == 200 and "Nothing to search for" in page.get_data(as_text=True)


def test_results_come_in_pages_that_add_up(code_rounds: Any, create_provision: Any,
                                           index_provisions: Any) -> None:  # fmt: skip
    one, _ = code_rounds
    for i in range(7):
        create_provision(one, f"p{i}", body=f"Lanterns {'lanterns ' * i}here.")
    index_provisions(one)
    query, seen, offset = parse_query("lanterns"), [], 0
    while offset is not None:
        page = search(None, scope(one), query, offset=offset, limit=3)
        assert page.total == 8
        seen += keys(page)
        offset = page.next_offset
    assert len(seen) == len(set(seen)) == 8


def test_no_round_to_search_finds_nothing(database: Any) -> None:
    db.session.add(Code(slug="empty", title="Empty"))
    assert search(None, Scope(()), parse_query("anything")).total == 0


def test_counts_stop_past_the_limit(code_rounds: Any, create_provision: Any,
                                    index_provisions: Any, monkeypatch: Any) -> None:  # fmt: skip
    from app.search import services

    one, _ = code_rounds
    for i in range(7):
        create_provision(one, f"p{i}", body=f"Lanterns number {i}.")
    index_provisions(one)
    monkeypatch.setattr(services, "COUNT_LIMIT", 3)
    first = search(None, scope(one), parse_query("lanterns"), limit=2)
    assert first.total == 3 and not first.exact and first.next_offset == 2
    last = search(None, scope(one), parse_query("lanterns"), offset=6, limit=2)
    assert last.total == 8 and last.exact and last.next_offset is None
    whole = search(None, scope(one), parse_query("lanterns"), limit=20)  # one page: all known
    assert whole.total == 8 and whole.exact
    assert services.count(None, scope(one), parse_query("lanterns")) == 4  # "more than 3"
    assert services.count(None, scope(one), parse_query("number 1")) == 1


def test_each_code_finds_its_own_entries_when_several_codes_share_the_index(
    create_round: Any, create_provision: Any, index_provisions: Any
) -> None:
    """The full-text key starts with the code: a search reads its own code's part only, for a
    code created before or after the other one."""
    before, after = create_round(1, code="aaa-code"), create_round(1, code="zzz-code")
    for round_, word in ((before, "before"), (after, "after")):
        create_provision(round_, "m-lamp", title="Lamps", body=f"Lamps everywhere, {word}.")
        create_provision(round_, "m-dim", title="Other", body=FILLER + "One lamps mention.")
    index_provisions(before, after)
    for round_ in (before, after):
        results = search(None, scope(round_), parse_query("lamps"))
        assert keys(results) == [(1, "m-lamp"), (1, "m-dim")]
        assert {hit.round.code_id for hit in results.hits} == {round_.code_id}
    assert keys(search(None, scope(after), parse_query("before"))) == []

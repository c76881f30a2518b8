"""The search page: form, results, pages, "no results" suggestions, and the links to it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.feedback import services as feedback


@pytest.fixture
def lantern_code(create_round: Any, create_provision: Any, create_user: Any,
                 index_provisions: Any) -> Any:  # fmt: skip
    """demo-code: round 1 ("First") and 2 ("Second"), public; lanterns in both, kites in the
    second only, and a published comment on lanterns in round 2."""
    one, two = create_round(1, name="First"), create_round(2, name="Second")
    create_provision(one, "m-1", label="Measure 1", title="Lanterns",
                     body="Signatories light lanterns at dusk.")  # fmt: skip
    lanterns = create_provision(two, "m-1", label="Measure 1", title="Lanterns",
                                body="Signatories light lanterns at dusk and dawn.")
    create_provision(two, "m-2", label="Measure 2", title="Kites",
                     body="Signatories fly kites <b>bravely</b>.", group="wg2")  # fmt: skip
    index_provisions(one, two)
    comment = feedback.submit_comment(lanterns, create_user(password=None), stance="support",
                                      body="More lanterns, please.", publish_consent=True)
    return one, two, comment


def page_of(client: Any, **args: Any) -> str:
    answer = client.get("/codes/demo-code/search", query_string=args)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_the_empty_page_is_a_labelled_form(client: Any, lantern_code: Any) -> None:
    page = page_of(client)
    assert "<h1>Search Code demo-code</h1>" in page
    assert 'role="search"' in page and 'method="get"' in page
    for name in ("q", "round", "group", "kind", "stance"):
        field_id = re.search(rf'<(?:input|select)[^>]*\bname="{name}"[^>]*\bid="([^"]+)"|'
                             rf'<(?:input|select)[^>]*\bid="([^"]+)"[^>]*\bname="{name}"', page)
        assert field_id, name
        assert f'<label for="{field_id.group(1) or field_id.group(2)}"' in page, name
    assert 'id="results-heading"' not in page


def test_results_are_an_ordered_list_with_marked_words_and_links(client: Any,
                                                                  lantern_code: Any) -> None:
    _, _, comment = lantern_code
    page = page_of(client, q="lanterns")
    assert re.search(r'<h2 id="results-heading">3 results for “lanterns” in all rounds</h2>',
                     page)
    assert '<ol class="search-results" start="1">' in page
    assert page.count('<li class="result') == 3
    assert "<mark>Lanterns</mark>" in page and "<mark>lanterns</mark>" in page
    assert 'href="/codes/demo-code/rounds/2/provisions/m-1"' in page
    assert f'href="/codes/demo-code/rounds/2/provisions/m-1#comment-{comment.id}"' in page


def test_text_and_query_are_escaped_on_the_page(client: Any, lantern_code: Any) -> None:
    page = page_of(client, q="kites <script>alert(1)</script>")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    page = page_of(client, q="bravely")
    assert "&lt;b&gt;<mark>bravely</mark>&lt;/b&gt;" in page


def test_no_results_in_a_round_offers_the_other_rounds_and_all_rounds(client: Any,
                                                                      lantern_code: Any) -> None:
    page = page_of(client, q="kites", round=1)
    assert "No results for “kites” in Round 1: First" in page
    assert 'href="/codes/demo-code/search?q=kites">“kites” in all rounds</a> (1 result)' in page
    assert ('href="/codes/demo-code/search?q=kites&amp;round=2">“kites” in Round 2: Second</a>'
            " (1 result)") in page


def test_no_results_offers_the_query_without_its_least_frequent_word(client: Any,
                                                                     lantern_code: Any) -> None:
    page = page_of(client, q="lanterns watermark")
    assert "No results for “lanterns watermark” in all rounds" in page
    assert ('href="/codes/demo-code/search?q=lanterns">“lanterns”, leaving out “watermark”</a> '
            "(3 results)") in page


def test_no_results_offers_the_search_without_its_filters(client: Any,
                                                          lantern_code: Any) -> None:
    page = page_of(client, q="kites", kind="comment")
    assert ('href="/codes/demo-code/search?q=kites">“kites” without the filters</a> (1 result)'
            in page)


def test_no_results_in_a_round_with_filters_offers_all_rounds_without_them(
        client: Any, lantern_code: Any) -> None:  # fmt: skip
    page = page_of(client, q="kites", round=1, kind="provision", group="wg1")
    assert ('href="/codes/demo-code/search?q=kites">“kites” in all rounds, without the filters'
            "</a> (1 result)") in page


def test_nothing_anywhere_says_so_without_dead_links(client: Any, lantern_code: Any) -> None:
    page = page_of(client, q="watermark")
    assert "No results for “watermark”" in page and "matches, in any round" in page
    assert 'class="suggestions"' not in page


def test_more_results_come_on_the_next_page(client: Any, create_round: Any,
                                            create_provision: Any,
                                            index_provisions: Any) -> None:  # fmt: skip
    one = create_round(1)
    for i in range(25):
        create_provision(one, f"p{i}", body=f"Lanterns number {i}.")
    index_provisions(one)
    first = page_of(client, q="lanterns")
    assert first.count('<li class="result') == 20
    link = re.search(r'href="(/codes/demo-code/search\?q=lanterns&amp;cursor=20)">More results',
                     first)  # fmt: skip
    assert link
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('<li class="result') == 5 and 'start="21"' in second
    assert "Previous results" in second and "More results" not in second


@pytest.mark.parametrize(("args", "status"), [
    ({"round": "abc"}, 400), ({"round": "9"}, 404), ({"group": "nope"}, 400),
    ({"kind": "theme"}, 400), ({"stance": "maybe"}, 400), ({"cursor": "-1"}, 400),
    ({"cursor": "99999999999999999999"}, 400), ({"round": "²"}, 400),
])  # fmt: skip
def test_values_that_are_not_choices_are_refused(client: Any, lantern_code: Any,
                                                 args: dict[str, str], status: int) -> None:
    answer = client.get("/codes/demo-code/search", query_string={"q": "lanterns", **args})
    assert answer.status_code == status


def test_an_unknown_code_is_404(client: Any, database: Any) -> None:
    assert client.get("/codes/nothing/search?q=x").status_code == 404


def test_the_code_and_round_pages_search_through_this_page(client: Any,
                                                           lantern_code: Any) -> None:
    code_page = client.get("/codes/demo-code").get_data(as_text=True)
    assert 'action="/codes/demo-code/search"' in code_page and 'name="round"' not in code_page
    round_page = client.get("/codes/demo-code/rounds/2").get_data(as_text=True)
    assert 'action="/codes/demo-code/search"' in round_page
    assert '<option value="2" selected>in this round</option>' in round_page
    assert '<option value="">in all rounds</option>' in round_page


def test_a_count_past_the_limit_says_more_than(client: Any, lantern_code: Any,
                                               monkeypatch: Any) -> None:  # fmt: skip
    from app.search import routes, services

    monkeypatch.setattr(services, "COUNT_LIMIT", 1)
    monkeypatch.setattr(routes, "COUNT_LIMIT", 1)
    monkeypatch.setattr(services, "PAGE_SIZE", 1)
    page = page_of(client, q="lanterns")
    assert "More than 1 results for “lanterns” in all rounds" in page
    hint = page_of(client, q="lanterns", round=1, kind="comment")
    assert "(more than 1 results)" not in hint and "(1 result)" in hint

"""The compare, print, round-changes and history pages, and the provision panel."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core.panels import PROVISION_PANELS
from app.diffing.routes import history_panel
from tests.diffing.story import SECRET_NAME


def page(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_compare_page_shows_an_inline_redline_with_spoken_markers(client: Any, story: Any) -> None:
    status, html = page(client, "/codes/demo/compare?from=1&to=2")
    assert status == 200
    assert re.search(r"<del><span class=\"sr-only\">\[deleted: </span>keep", html)
    assert re.search(r"<ins><span class=\"sr-only\">\[inserted: </span>maintain", html)


def test_compare_page_side_by_side_has_two_columns(client: Any, story: Any) -> None:
    status, html = page(client, "/codes/demo/compare?from=1&to=2&view=side")
    assert status == 200 and html.count('class="side-by-side"') >= 3


def test_compare_page_lists_counts_and_a_jump_list(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/compare?from=1&to=2")[1]
    assert 'href="#c-m-gone--gone"' in html and 'id="c-m-gone--gone"' in html
    assert "By chapter" in html and "Chapter B" in html


def test_compare_page_puts_the_biggest_change_first(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/compare?from=1&to=2&sort=size")[1]
    changes = html[html.index('id="changes-heading"') :]
    first = re.search(r'<article class="card diff-entry kind-(\w+)" id="([^"]+)"', changes)
    assert first is not None and first.group(2) in {"c-m-gone--gone", "c-new--m-new"}
    assert changes.index('id="c-m-keep--m-keep"') > changes.index('id="c-m-split--m-split-2"')


def test_compare_filters_by_group_and_kind(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/compare?from=1&to=2&group=wg2&kind=added")[1]
    articles = re.findall(r'<article class="card diff-entry kind-(\w+)" id="([^"]+)"', html)
    assert sorted(a[1] for a in articles) == ["c-new--ch-b", "c-new--m-new"]


def test_later_round_first_redirects_to_the_swapped_order(client: Any, story: Any) -> None:
    response = client.get("/codes/demo/compare?from=3&to=1&view=side")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/codes/demo/compare?from=1&to=3&view=side")


def test_compare_without_rounds_redirects_to_the_latest_two_visible(
    client: Any, story: Any
) -> None:
    response = client.get("/codes/demo/compare")
    assert response.headers["Location"].endswith("from=2&to=3")


def test_same_round_twice_is_400(client: Any, story: Any) -> None:
    assert client.get("/codes/demo/compare?from=2&to=2").status_code == 400


@pytest.mark.parametrize("query", ["group=bogus", "kind=sideways"])
def test_a_filter_the_page_does_not_offer_is_400_with_a_message(
    client: Any, story: Any, query: str
) -> None:
    response = client.get(f"/codes/demo/compare?from=1&to=2&{query}")
    assert response.status_code == 400
    assert "choose one the page offers" in response.get_data(as_text=True)
    assert client.get("/codes/demo/compare?from=1&to=2&group=&kind=").status_code == 200


def test_unknown_round_and_code_are_404(client: Any, story: Any) -> None:
    assert client.get("/codes/demo/compare?from=1&to=9").status_code == 404
    assert client.get("/codes/nope/compare?from=1&to=2").status_code == 404


def test_internal_round_is_404_for_the_public_and_unnamed(client: Any, story: Any) -> None:
    for url in (
        "/codes/demo/compare?from=1&to=4",
        "/codes/demo/compare/print?from=1&to=4",
        "/codes/demo/rounds/4/changes",
    ):
        status, html = page(client, url)
        assert status == 404 and SECRET_NAME not in html


def test_round_picker_offers_only_visible_rounds(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/compare?from=1&to=3")[1]
    assert SECRET_NAME not in html and "Round 3: Third draft" in html


def test_secretariat_may_compare_the_internal_round(
    client: Any, auth: Any, story: Any, secretariat: Any
) -> None:
    auth.login(secretariat.email)
    status, html = page(client, "/codes/demo/compare?from=3&to=4")
    assert status == 200 and SECRET_NAME in html


def test_print_page_is_an_inline_redline_in_document_order(client: Any, story: Any) -> None:
    status, html = page(client, "/codes/demo/compare/print?from=1&to=2&view=side")
    assert status == 200 and 'class="side-by-side"' not in html
    assert "<del>" in html and "diffing.css" in html


def test_round_changes_compare_with_the_previous_visible_round(client: Any, story: Any) -> None:
    status, html = page(client, "/codes/demo/rounds/2/changes")
    assert status == 200 and "Compared with round 1" in html
    assert "Split (2)" in html and "Removed (1)" in html


def test_first_round_has_nothing_to_compare(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/rounds/1/changes")[1]
    assert "first round you can see" in html


def test_history_diffs_two_versions_of_a_provision(client: Any, story: Any) -> None:
    status, html = page(client, "/codes/demo/provisions/m-edit/history?from=1&to=3")
    assert status == 200
    assert '<del><span class="sr-only">[deleted: </span>keep' in html
    assert "complete" in html and SECRET_NAME not in html


def test_history_of_a_split_shows_both_parts(client: Any, story: Any) -> None:
    html = page(client, "/codes/demo/provisions/m-split-2/history?from=1&to=2")[1]
    assert 'id="c-m-split--m-split"' in html and 'id="c-m-split--m-split-2"' in html


def test_history_of_an_unknown_provision_is_404(client: Any, story: Any) -> None:
    assert client.get("/codes/demo/provisions/nothing/history").status_code == 404


def test_provision_panel_links_to_the_history(app: Any, story: Any) -> None:
    with app.test_request_context():
        html = history_panel(story.p[3, "m-edit"], None)
    assert "History and changes" in html
    links = re.findall(r'href="(/codes/demo/provisions/m-edit/history\?[^"]+)"', html)
    assert any("from=2" in link and "to=3" in link for link in links)


def test_provision_panel_is_empty_for_a_round_the_user_may_not_see(app: Any, story: Any) -> None:
    with app.test_request_context():
        assert history_panel(story.p[4, "m-edit"], None) == ""


def test_history_panel_is_registered_for_provision_pages() -> None:
    assert history_panel in PROVISION_PANELS


def test_compare_page_rendered_once_still_speaks_each_readers_language(
        client: Any, story: Any) -> None:  # fmt: skip
    """The summary, jump list and entries are cached per comparison: per language too."""
    url = "/codes/demo/compare?from=1&to=2"
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "words inserted" in english and "mots ajoutés" not in english
    assert "mots ajoutés" in french and "words inserted" not in french


def test_compare_page_jump_list_follows_the_filters_after_an_unfiltered_view(
        client: Any, story: Any) -> None:  # fmt: skip
    page(client, "/codes/demo/compare?from=1&to=2")
    html = page(client, "/codes/demo/compare?from=1&to=2&group=wg2&kind=added")[1]
    start = html.index('class="card jump-list"')
    jump_list = html[start:html.index("</nav>", start)]
    anchors = re.findall(r'<li><a href="#([^"]+)"', jump_list)
    assert sorted(anchors) == ["c-new--ch-b", "c-new--m-new"]

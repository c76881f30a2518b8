"""Reading pages: front page, code, round, provision, search, and who may see them."""

from __future__ import annotations

from typing import Any

import pytest

from app.drafting import importer
from tests.drafting.conftest import MAY_SEE, VIEWERS

VISIBILITIES = ("internal", "plenary", "public")


@pytest.mark.parametrize("kind", VIEWERS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_round_pages_answer_404_to_viewers_who_may_not_see_them(
    client: Any, visibility_code: Any, viewer: Any, kind: str, visibility: str
) -> None:
    viewer(kind)
    number = visibility_code[visibility].number
    base = f"/codes/vis-code/rounds/{number}"
    expected = 200 if visibility in MAY_SEE[kind] else 404
    for path in (base, f"{base}/provisions/m-1-1", f"{base}/search?q=documentation"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == expected, path
        if expected == 404:
            assert f"Secretname{visibility.capitalize()}" not in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", VIEWERS)
def test_front_and_code_pages_name_only_visible_rounds(
    client: Any, visibility_code: Any, viewer: Any, kind: str
) -> None:
    viewer(kind)
    for path in ("/", "/codes/vis-code"):
        page = client.get(path).get_data(as_text=True)
        for visibility in VISIBILITIES:
            shown = f"Secretname{visibility.capitalize()}" in page
            assert shown == (visibility in MAY_SEE[kind]), (path, visibility)


def test_a_code_with_no_visible_round_is_404(client: Any, create_round: Any) -> None:
    create_round(1, code="hidden-code", visibility="internal")
    assert client.get("/codes/hidden-code").status_code == 404


def test_round_page_groups_by_chapter_and_shows_the_deadline(
    client: Any, create_round: Any, create_provision: Any
) -> None:
    round_ = create_round(1, window="open")
    chapter = create_provision(round_, "transparency", title="Transparency", kind="chapter")
    create_provision(round_, "m-1-1", label="Measure 1.1", title="Documentation", parent=chapter)
    page = client.get("/codes/demo-code/rounds/1").get_data(as_text=True)
    assert "Transparency" in page and "Measure 1.1: Documentation" in page
    assert "open for feedback until" in page and "Working group wg1" in page


def test_provision_page_shows_text_group_and_anchorable_body(
    client: Any, create_round: Any, create_provision: Any
) -> None:
    round_ = create_round(1)
    create_provision(
        round_, "m-1-1", label="Measure 1.1", title="Documentation", body="Keep it *current*."
    )
    page = client.get("/codes/demo-code/rounds/1/provisions/m-1-1").get_data(as_text=True)
    assert (
        '<div class="provision-body" id="provision-text" data-provision-key="m-1-1">'
        "<p>Keep it <em>current</em>.</p>"
    ) in page
    assert "Working group wg1" in page


def test_provision_page_lists_its_number_in_each_round(
    client: Any, demo_groups: None, draft_text: Any
) -> None:
    importer.import_round(draft_text(1), "1.md")
    moved = draft_text(2).replace("## Measure 1.1: Documentation", "## Measure 1.3: Documentation")
    importer.import_round(moved, "2.md")
    page = client.get("/codes/test-code/rounds/2/provisions/m-1-1").get_data(as_text=True)
    assert "Measure 1.1: Documentation" in page and "Measure 1.3: Documentation" in page
    assert 'href="/codes/test-code/rounds/1/provisions/m-1-1"' in page


def test_the_round_search_sends_the_reader_to_the_code_search_with_the_round_chosen(
    client: Any, create_round: Any
) -> None:
    create_round(1)
    answer = client.get("/codes/demo-code/rounds/1/search?q=Robots.txt")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/codes/demo-code/search?q=Robots.txt&round=1"

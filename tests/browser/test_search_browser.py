"""Issue 16: the public searches the demo Code across all its rounds in a real browser, with
JavaScript switched off, at a desktop and a phone width; "no results" offers a way on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import WorkingGroup
from app.core.db import db, utcnow
from app.drafting.importer import import_path
from app.drafting.models import Code, Provision, Round
from app.feedback import services as feedback
from app.feedback.bulk import import_feedback_file
from tests.browser.fixtures import screenshot

pytestmark = pytest.mark.browser

DRAFTS = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"
PUBLISHED = "Crawlers should also honour the new opt-out registry, not only robots.txt files."


def seed_demo_with_feedback() -> None:
    """The demo Code (four public rounds), round 2's feedback as imported (unpublished), and one
    published comment about crawlers on round 2."""
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)) is None:
            accounts.create_group(slug, f"Working group {slug[-1]}")
    import_path(DRAFTS)
    second = db.session.scalars(
        select(Round).join(Code).where(Code.slug == "gpai-code", Round.number == 2)).one()
    import_feedback_file(DRAFTS / "feedback" / "round-2.jsonl", second)
    second.opens_at, second.closes_at = utcnow() - dt.timedelta(days=1), utcnow() + dt.timedelta(
        days=1)
    provision = db.session.scalars(select(Provision).where(
        Provision.round_id == second.id, Provision.text.contains("crawler"))).first()
    author = accounts.create_user("reader@example.org", "Robin Reader")
    feedback.submit_comment(provision, author, stance="amend", body=PUBLISHED,
                            publish_consent=True)  # fmt: skip


@pytest.fixture(scope="module")
def demo_server(live_server: Any) -> Any:
    live_server.seed(seed_demo_with_feedback)
    return live_server


def results_text(page: Any) -> str:
    return page.locator("ol.search-results").inner_text()


def test_the_public_searches_every_round_of_the_demo_code_without_javascript(
        demo_server: Any, browser: Any) -> None:  # fmt: skip
    context = browser.new_context(viewport={"width": 1366, "height": 900},
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    page.goto(demo_server.url + "/codes/gpai-code")
    page.get_by_label("Search the drafts and the comments").fill("crawlers")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.url.endswith("/codes/gpai-code/search?q=crawlers")
    heading = page.get_by_role("heading", level=2).filter(has_text="results for").inner_text()
    assert heading.endswith("for “crawlers” in all rounds")
    text = results_text(page)
    for number in (4, 3, 2, 1):
        assert f"Round {number}:" in text, number
    assert page.locator("ol.search-results mark").count() >= 10
    assert page.locator("ol.search-results mark").first.inner_text().lower().startswith("crawl")
    content = page.content()
    assert "opt-out registry" in content  # a published comment
    assert page.locator("ol.search-results li", has_text="Comment on").count() > 1
    # r2-0111 alone says "expose partners", and its author did not publish it: no result.
    page.goto(demo_server.url + "/codes/gpai-code/search?q=%22expose+partners%22")
    assert page.locator("ol.search-results li").count() == 0
    page.goto(demo_server.url + "/codes/gpai-code/search?q=%22server+logs%22")  # r2-0325's
    assert page.locator("ol.search-results li", has_text="Comment on").count() >= 1
    page.goto(demo_server.url + "/codes/gpai-code/search?q=crawlers")
    screenshot(page, "search-1366-results")

    page.get_by_label("Words to find").fill("crawlers watermark")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="No results for “crawlers watermark” in all rounds"
                            ).is_visible()
    screenshot(page, "search-1366-no-results")
    page.get_by_role("link", name="“crawlers”, leaving out “watermark”").click()
    page.wait_for_load_state()
    assert page.url.endswith("/search?q=crawlers")
    assert page.locator("ol.search-results li").count() > 0
    context.close()


def test_the_round_search_and_the_phone_width(demo_server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    page.goto(demo_server.url + "/codes/gpai-code/rounds/1")
    page.get_by_label("Search the drafts and the comments").fill("crawlers")
    assert page.get_by_label("Where").input_value() == "1"
    screenshot(page, "search-390-round-form")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "in Round 1: First draft" in page.get_by_role("heading", level=2).first.inner_text()
    assert "Round 2:" not in results_text(page) and "Round 1:" in results_text(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    screenshot(page, "search-390-round")
    page.goto(demo_server.url + "/codes/gpai-code/search?q=watermark&round=1")
    assert "No results for “watermark” in Round 1" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "search-390-no-results")
    context.close()

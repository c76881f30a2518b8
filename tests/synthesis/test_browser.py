"""A chair opens a theme and merges two themes, in the real browser."""

from __future__ import annotations

from typing import Any

import pytest

from app.accounts import services as accounts
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.synthesis.services import run_synthesis
from tests.browser.fixtures import screenshot
from tests.synthesis.conftest import COPYRIGHT, SMES, UPDATES

pytestmark = pytest.mark.browser
PASSWORD = "a chair password 12"


def _seed() -> int:
    group = accounts.create_group("wg-browser", "Transparency group")
    accounts.create_user("browser.chair@example.org", "Chris Chair", password=PASSWORD,
                         groups=[("wg-browser", "chair")])
    code = Code(slug="browser-code", title="Browser Code of Practice")
    round_ = Round(code=code, number=1, name="First draft", visibility="plenary",
                   levels=["measure"])
    provision = Provision(round=round_, key="docs", kind="measure", depth=1, position=0,
                          label="Measure 1.1", title="Documentation", group=group,
                          body="Keep documentation.", text="Keep documentation.")
    db.session.add_all([code, round_, provision])
    for n, (text, category) in enumerate(
            [(t, "civil_society") for t in UPDATES] + [(t, "sme") for t in SMES]
            + [(t, "rightsholder") for t in COPYRIGHT]):
        author = accounts.create_user(f"browser.author{n}@example.org", f"Author {n}",
                                      category=category, password=None)
        db.session.add(Comment(round=round_, provision=provision, author=author, body=text,
                               stance="amend"))
    db.session.flush()
    return run_synthesis(round_, provision="docs").id


def test_a_chair_opens_a_theme_and_merges_two_themes(live_server: Any, page: Any) -> None:  # noqa: F811
    live_server.app.config["PLENARY_FAKE_EMBEDDER"] = True  # the deterministic fake
    run_id = live_server.seed(_seed)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("browser.chair@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Synthesis", exact=True).click()
    page.get_by_role("link", name="Round 1: First draft").click()
    page.get_by_role("link", name="3 themes from 16 comments").click()
    assert page.get_by_text("16 comments in 3 themes").is_visible()
    screenshot(page, "synthesis-run")
    kept = page.locator("article.theme h3 a").nth(0).inner_text()
    first = page.locator("article.theme h3 a").nth(1)
    merged_away = first.inner_text()
    first.click()
    assert page.get_by_role("heading", name="Comments (5)").is_visible()
    screenshot(page, "synthesis-theme")
    page.get_by_label("Merge this theme into").select_option(index=0)
    page.get_by_role("button", name="Merge").click()
    assert page.get_by_role("heading", level=1, name=f"Merge “{merged_away}” into").is_visible()
    page.get_by_role("button", name="Yes, merge").click()
    assert page.get_by_text(f"Saved: “{merged_away}” was merged into").is_visible()
    assert page.get_by_role("heading", name="Comments (11)").is_visible()
    page.goto(f"{live_server.url}/chair/runs/{run_id}")
    assert page.locator("article.theme").count() == 2
    assert page.locator("article.theme h3 a").all_inner_texts()[0] == kept
    assert merged_away not in page.locator("article.theme h3").all_inner_texts()
    screenshot(page, "synthesis-after-merge")

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


def _seed(suffix: str = "") -> int:
    group = accounts.create_group(f"wg-browser{suffix}", "Transparency group")
    accounts.create_user(f"browser{suffix}.chair@example.org", "Chris Chair", password=PASSWORD,
                         groups=[(f"wg-browser{suffix}", "chair")])
    code = Code(slug=f"browser-code{suffix}", title="Browser Code of Practice")
    round_ = Round(code=code, number=1, name="First draft", visibility="plenary",
                   levels=["measure"])
    provision = Provision(round=round_, key="docs", kind="measure", depth=1, position=0,
                          label="Measure 1.1", title="Documentation", group=group,
                          body="Keep documentation.", text="Keep documentation.")
    db.session.add_all([code, round_, provision])
    for n, (text, category) in enumerate(
            [(t, "civil_society") for t in UPDATES] + [(t, "sme") for t in SMES]
            + [(t, "rightsholder") for t in COPYRIGHT]):
        author = accounts.create_user(f"browser{suffix}.author{n}@example.org", f"Author {n}",
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
    confirm = page.get_by_role("heading", level=1, name=f"Merge “{merged_away}” into")
    confirm.wait_for()  # is_visible does not wait for the confirmation page to load
    assert confirm.is_visible()
    page.get_by_role("button", name="Yes, merge").click()
    assert page.get_by_text(f"Saved: “{merged_away}” was merged into").is_visible()
    assert page.get_by_role("heading", name="Comments (11)").is_visible()
    page.goto(f"{live_server.url}/chair/runs/{run_id}")
    assert page.locator("article.theme").count() == 2
    assert page.locator("article.theme h3 a").all_inner_texts()[0] == kept
    assert merged_away not in page.locator("article.theme h3").all_inner_texts()
    screenshot(page, "synthesis-after-merge")


def _seed_next_round() -> int:
    """A theme of round 1 whose response can link any of twelve provisions of round 2."""
    group = accounts.create_group("wg-picker", "Picker group")
    accounts.create_user("picker.chair@example.org", "Pat Chair", password=PASSWORD,
                         groups=[("wg-picker", "chair")])
    code = Code(slug="picker-code", title="Picker Code of Practice")
    first = Round(code=code, number=1, name="First draft", visibility="plenary",
                  levels=["measure"])
    second = Round(code=code, number=2, name="Second draft", visibility="plenary",
                   levels=["measure"])
    provision = Provision(round=first, key="docs", kind="measure", depth=1, position=0,
                          label="Measure 1.1", title="Documentation", group=group,
                          body="Keep documentation.", text="Keep documentation.")
    later = [Provision(round=second, key=f"m-{n}", kind="measure", depth=1, position=n,
                       label=f"Measure 1.{n}", title=title, group=group, body=".", text=".")
             for n, title in enumerate(["Documentation", "Energy figures", "Copyright policy",
                                        "Opt-outs", "Training data summary", "Risk taxonomy",
                                        "Serious incidents", "Whistleblowing", "Cybersecurity",
                                        "Model evaluation", "Small enterprises", "Review"], 1)]
    db.session.add_all([code, first, second, provision, *later])
    for n, text in enumerate(UPDATES + SMES):
        author = accounts.create_user(f"picker.author{n}@example.org", f"Author {n}",
                                      password=None)
        db.session.add(Comment(round=first, provision=provision, author=author, body=text,
                               stance="amend"))
    db.session.flush()
    run = run_synthesis(first, provision="docs")
    return run.themes[0].id, run.id


def test_a_chair_finds_provisions_to_link_by_typing(live_server: Any, page: Any) -> None:  # noqa: F811
    live_server.app.config["PLENARY_FAKE_EMBEDDER"] = True
    theme_id, run_id = live_server.seed(_seed_next_round)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("picker.chair@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/chair/runs/{run_id}/themes/{theme_id}")
    picker = page.locator("#provision-list li")
    assert picker.count() == 12
    page.get_by_label("Find a provision").fill("energy")
    assert [t.strip() for t in picker.filter(visible=True).all_inner_texts()] == [
        "Measure 1.2: Energy figures"]
    page.get_by_label("Measure 1.2: Energy figures").check()
    page.get_by_label("Find a provision").fill("opt")
    visible = [t.strip() for t in picker.filter(visible=True).all_inner_texts()]
    assert visible == ["Measure 1.2: Energy figures", "Measure 1.4: Opt-outs"]  # ticked stay
    assert page.get_by_text("Provisions shown: 2 of 12 (ticked ones always)").is_visible()
    page.get_by_label("Measure 1.4: Opt-outs").check()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Reason").fill("Both measures now say so.")
    page.get_by_role("button", name="Save response").click()
    linked = "linked to Measure 1.2: Energy figures, Measure 1.4: Opt-outs"  # by heading
    assert page.get_by_text(linked).is_visible()
    assert page.get_by_label("Measure 1.2: Energy figures").is_checked()


def _seed_long_title() -> int:
    run_id = _seed("-long")
    from app.synthesis.models import SynthesisRun
    from app.synthesis.workspace import rename_theme

    run = db.session.get(SynthesisRun, run_id)
    rename_theme(run.themes[0], "x" * 200, actor=None)  # a title with no space to wrap at
    return run_id


def test_a_long_title_without_spaces_wraps_instead_of_widening_the_page(
    live_server: Any, page: Any  # noqa: F811
) -> None:
    live_server.app.config["PLENARY_FAKE_EMBEDDER"] = True
    run_id = live_server.seed(_seed_long_title)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("browser-long.chair@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/chair/runs/{run_id}")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.goto(live_server.url + page.locator("table.overview-table tbody th a").first
                  .get_attribute("href"))
        assert page.get_by_role("heading", level=1, name="x" * 200).is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        screenshot(page, f"synthesis-long-title-{width}")

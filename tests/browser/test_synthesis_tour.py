"""Tour (c): the chair of Working Group 1 works through the demo's synthesis, in the real
browser and with the real embedding model (all-MiniLM-L6-v2).

Round 2 of the demo Code with its 386 comments; the group's scope holds 136 of them. The chair
reads the overview, sorts and filters it, renames a theme (the box holds the current title),
merges two themes (confirming first), moves three comments about what the training data
summary should state out of the theme on reservations of rights, runs the synthesis again and
finds the moved comments' closest neighbours followed them (app/synthesis/seeding.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import WorkingGroup
from app.core.db import db
from app.drafting.importer import import_path
from app.feedback.bulk import import_feedback_file
from app.synthesis.models import SynthesisRun
from app.synthesis.services import run_synthesis
from tests.browser.fixtures import screenshot
from tests.browser.test_tours import DRAFTS, round_of

pytestmark = [pytest.mark.browser, pytest.mark.model]

EMAIL, PASSWORD = "tour.chair@example.org", "a chair password 5"
# Comments on what the training data summary should state (when it is updated, what it says
# about reservations) that the first run put with those on reservations of rights, and the
# comments most like them (which the chair does not touch): r2-0078 is most like r2-0370,
# r2-0228 most like both r2-0174 and r2-0243.
MOVED = ["r2-0370", "r2-0174", "r2-0243"]
NEIGHBOURS = ["r2-0078", "r2-0228"]
SUMMARY = "r2-0255"  # in the theme on the training data summary: where the chair moves them
NEW_TITLE = "Public summary of the training data"


def _themes_of(run: SynthesisRun) -> dict[str, Any]:
    """The themes the tour works with, found by the comments they hold."""
    holding = {m.comment.external_id: m.theme for m in run.members}
    source, target = holding[MOVED[0]], holding[SUMMARY]
    assert source is not None and target is not None and source is not target
    assert all(holding[name] is source for name in MOVED + NEIGHBOURS), "the first run changed"
    others = sorted((t for t in run.themes if t not in (source, target)), key=lambda t: t.size)
    return {"source": source.display_label, "target": target.display_label,
            "merge_from": others[0].display_label, "merge_into": others[1].display_label,
            "themes": len(run.themes), "comments": run.comment_count, "run": run.id}


def seed() -> dict[str, Any]:
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)) is None:
            accounts.create_group(slug, f"Working group {slug[-1]}")
    accounts.create_user(EMAIL, "Tess Chair", password=PASSWORD, groups=[("wg1", "chair")])
    secretariat = accounts.create_user("tour.secretariat@example.org", "Sam Secretariat",
                                       role="secretariat", password=None)
    import_path(DRAFTS / "1.md")
    import_path(DRAFTS / "2.md")
    second = round_of("gpai-code", 2)
    import_feedback_file(DRAFTS / "feedback" / "round-2.jsonl", second, actor=secretariat)
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "wg1"))
    return _themes_of(run_synthesis(second, group=group))


def _saved(page: Any) -> str:
    message = page.locator("p.flash").first
    message.wait_for()
    return message.inner_text()


def _overview_titles(page: Any) -> list[str]:
    return page.locator("table.overview-table tbody th a").all_inner_texts()


def test_tour_a_chair_reads_corrects_and_reruns_the_synthesis(
    live_server: Any, page: Any
) -> None:
    live_server.app.config["PLENARY_FAKE_EMBEDDER"] = False  # the real model
    found = live_server.seed(seed)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Synthesis", exact=True).click()
    page.get_by_role("link", name="Round 2: Second draft").click()
    page.get_by_role("link", name=f"{found['themes']} themes from {found['comments']} "
                                  "comments").click()

    # The overview: one row per theme, largest first; the headings sort it.
    table = page.get_by_role("table", name=re.compile("themes of Working group 1"))
    assert table.is_visible()
    assert len(_overview_titles(page)) == found["themes"]
    assert page.get_by_role("columnheader", name="Comments", exact=True).get_attribute(
        "aria-sort") == "descending"
    for width, name in ((1366, "synthesis-overview-1366"), (390, "synthesis-overview-390")):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("columnheader", name="Theme", exact=True).get_by_role("link").click()
    assert page.get_by_role("columnheader", name="Theme", exact=True).get_attribute(
        "aria-sort") == "ascending"
    titles = _overview_titles(page)
    assert titles == sorted(titles, key=str.casefold)
    page.get_by_role("link", name=re.compile(r"^Unanswered \(")).click()
    assert len(_overview_titles(page)) == found["themes"]  # nothing answered yet

    # Rename: the box holds the theme's current title.
    page.locator("table.overview-table").get_by_role("link", name=found["target"],
                                                     exact=True).click()
    box = page.get_by_label("Title")
    assert box.input_value() == found["target"]
    box.fill(NEW_TITLE)
    page.get_by_role("button", name="Rename").click()
    assert _saved(page) == f"Saved: “{found['target']}” is now called “{NEW_TITLE}”."
    assert page.get_by_role("heading", level=1, name=NEW_TITLE).is_visible()

    # Merge, confirming first.
    page.get_by_role("link", name=re.compile("^Themes of ")).click()
    page.locator("table.overview-table").get_by_role("link", name=found["merge_from"],
                                                     exact=True).click()
    choice = page.get_by_label("Merge this theme into").locator("option").filter(
        has_text=found["merge_into"])
    page.get_by_label("Merge this theme into").select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="Merge").click()
    question = f"Merge “{found['merge_from']}” into “{found['merge_into']}”?"
    confirm = page.get_by_role("heading", level=1, name=question)
    confirm.wait_for()  # is_visible does not wait for the confirmation page to load
    assert confirm.is_visible()
    screenshot(page, "synthesis-merge-confirm")
    page.get_by_role("button", name="Yes, merge").click()
    assert _saved(page).startswith(
        f"Saved: “{found['merge_from']}” was merged into “{found['merge_into']}”")
    titles = _overview_titles_after(page, live_server, found["run"])
    assert found["merge_from"] not in titles and found["source"] in titles, (titles, found)

    # Move three comments out of the theme on reservations of rights.
    page.locator("table.overview-table").get_by_role("link", name=found["source"],
                                                     exact=True).click()
    for name in MOVED:
        comment = page.get_by_role("article", name=f"Comment {name}")
        comment.get_by_label("Move this comment to").select_option(label=NEW_TITLE)
        comment.get_by_role("button", name="Move").click()
        assert _saved(page) == f"Saved: comment {name} was moved to “{NEW_TITLE}”."
    screenshot(page, "synthesis-theme-after-moves")

    # Run again: the moved comments' neighbours follow them.
    page.get_by_role("link", name="Round 2: Second draft").click()
    page.get_by_role("button", name="Run again for Working group 1").click()
    assert page.get_by_text(re.compile(r"\d+ comments in \d+ themes")).is_visible()
    page.locator("table.overview-table").get_by_role("link", name=NEW_TITLE,
                                                     exact=True).click()
    for name in MOVED:
        comment = page.get_by_role("article", name=f"Comment {name}")
        assert comment.get_by_text("moved by a chair").is_visible()
    for name in NEIGHBOURS:
        comment = page.get_by_role("article", name=f"Comment {name}")
        assert comment.is_visible(), f"{name} did not follow the comment like it"
        assert comment.get_by_text("moved by a chair").count() == 0
    screenshot(page, "synthesis-theme-after-rerun")


def _overview_titles_after(page: Any, live_server: Any, run_id: int) -> list[str]:
    page.goto(f"{live_server.url}/chair/runs/{run_id}")
    return _overview_titles(page)


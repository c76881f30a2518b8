"""The "done means" tours of issues 3 and 5, walked as a new user would in a real browser.

(a) The public opens the demo Code, reads the final Code, opens a measure and follows its
    history back to the first draft.
(b) A participant selects a passage of a measure in an open round with the mouse, comments
    with proposed wording and finds it on My feedback; the next round is imported and the
    comment shows as re-anchored on My feedback and on the new provision page.

Tour (b) imports a copy of the demo drafts under another code slug, so that the two tours do
not depend on each other's order on the shared live server.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import WorkingGroup
from app.core.db import db, utcnow
from app.drafting.importer import import_path
from app.drafting.models import Code, Round
from app.feedback.bulk import import_feedback_file
from app.feedback.models import Comment, CommentCarry
from tests.browser.fixtures import screenshot

pytestmark = pytest.mark.browser

DRAFTS = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"
TOUR_CODE = "gpai-tour"
EMAIL, PASSWORD = "tour.participant@example.org", "a tour password 3"
MEASURE = "Measure 2.1: Information to the AI Office on request"
PASSAGE = "within 14 days unless the request allows longer"
REWRITTEN = "normally not more than 30 days"
ADOPTED = "which should not exceed 30 days save in exceptional cases"


def ensure_groups() -> None:
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)) is None:
            accounts.create_group(slug, f"Working group {slug[-1]}")


def round_of(code: str, number: int) -> Round:
    return db.session.scalars(
        select(Round).join(Code).where(Code.slug == code, Round.number == number)
    ).one()


def select_text(page: Any, container: str, wanted: str) -> None:
    """Select `wanted` inside `container` by dragging the mouse over it, as a reader does."""
    box = page.evaluate(
        """([selector, wanted]) => {
        const root = document.querySelector(selector);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          const at = node.data.indexOf(wanted);
          if (at >= 0) {
            node.parentElement.scrollIntoView({block: "center"});
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + wanted.length);
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return {x1: first.left, y1: first.top + first.height / 2,
                    x2: last.right, y2: last.top + last.height / 2};
          }
        }
        return null;
    }""",
        [container, wanted],
    )
    assert box is not None, f"{wanted!r} is not on the page"
    page.mouse.move(box["x1"] + 1, box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"] - 1, box["y2"], steps=12)
    page.mouse.up()


# Tour (a): the public reads the final Code and follows a measure back to the first draft.


def seed_demo_code() -> None:
    ensure_groups()
    import_path(DRAFTS)


def test_tour_the_public_reads_the_final_code_and_follows_a_measure_to_the_first_draft(
    live_server: Any, page: Any
) -> None:
    live_server.seed(seed_demo_code)
    page.goto(live_server.url + "/")
    screenshot(page, "tour-a-1-home")
    # Tour (b) may have added a copy with the same title: take the demo Code's own link.
    page.get_by_role("link", name="Code of Practice for General-Purpose AI Models").and_(
        page.locator('a[href="/codes/gpai-code"]')
    ).click()
    page.wait_for_load_state()
    screenshot(page, "tour-a-2-code")
    page.get_by_role("link", name="4. Final version").click()
    page.wait_for_load_state()
    assert "/codes/gpai-code/rounds/4" in page.url
    assert page.get_by_role("heading", name="Transparency").first.is_visible()
    screenshot(page, "tour-a-3-final-code")

    page.get_by_role("link", name=MEASURE).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name=MEASURE).is_visible()
    assert "within 14 days" in page.locator("#provision-text").inner_text()
    assert page.get_by_role("link", name="Log in").first.is_visible()  # the public
    screenshot(page, "tour-a-4-final-measure")

    # Back through each earlier version, one round at a time, as the versions table offers.
    seen = [4]
    versions = page.get_by_role("table").filter(has_text="Change into the next round")
    rows = versions.locator("tbody tr")
    assert rows.count() == 4
    for number in (3, 2, 1):
        versions = page.get_by_role("table").filter(has_text="Change into the next round")
        versions.locator("tbody tr").nth(number - 1).get_by_role("link").first.click()
        page.wait_for_load_state()
        assert f"/codes/gpai-code/rounds/{number}/provisions/" in page.url
        assert page.locator("#provision-text").inner_text().strip()
        seen.append(number)
    assert seen == [4, 3, 2, 1]
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Measure 1.6: Providing documentation to the AI Office"  # renumbered since
    assert "First draft" in page.locator("main").inner_text()
    screenshot(page, "tour-a-5-first-draft")


# Tour (b): a participant comments on a passage; the next round carries the comment forward.


def tour_drafts(folder: Path) -> Path:
    """The demo drafts under another code slug (the same text, rounds 1 to 4)."""
    folder.mkdir(exist_ok=True)
    for number in (1, 2, 3, 4):
        text = (DRAFTS / f"{number}.md").read_text(encoding="utf-8")
        text = text.replace("code: gpai-code", f"code: {TOUR_CODE}", 1)
        (folder / f"{number}.md").write_text(text, encoding="utf-8")
    return folder


def seed_open_third_draft(folder: Path) -> None:
    ensure_groups()
    secretariat = accounts.find_user("tour.secretariat@example.org") or accounts.create_user(
        "tour.secretariat@example.org", "Tess Secretariat", role="secretariat"
    )
    accounts.create_user(
        EMAIL, "Tariq Tour", organisation="Open Archives Example", category="civil_society",
        password=PASSWORD,
    )  # fmt: skip
    for number in (1, 2, 3):
        import_path(folder / f"{number}.md", actor=secretariat)
    third = round_of(TOUR_CODE, 3)
    import_feedback_file(DRAFTS / "feedback" / "round-3.jsonl", third, actor=secretariat)
    third.opens_at = utcnow() - dt.timedelta(days=3)
    third.closes_at = utcnow() + dt.timedelta(days=28)


def test_tour_a_participant_comments_on_a_passage_and_sees_it_carried_into_the_next_round(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    folder = tour_drafts(tmp_path / "drafts")
    live_server.seed(lambda: seed_open_third_draft(folder))

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(live_server.url + f"/codes/{TOUR_CODE}/rounds/3")
    screenshot(page, "tour-b-1-third-draft")
    page.get_by_role("link", name=MEASURE).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Comment on Measure 2.1").is_visible()

    select_text(page, "#provision-text", PASSAGE)
    button = page.get_by_role("button", name="Comment on this passage")
    button.wait_for(state="visible")
    screenshot(page, "tour-b-2-passage-selected")
    button.click()
    assert page.locator("#quote-preview-text").inner_text() == PASSAGE
    assert page.evaluate("document.activeElement.name") == "body"
    page.get_by_label("Your stance").select_option("amend")
    page.get_by_label("Your comment").fill(
        "Fourteen days is short when the request covers several model versions."
    )
    page.get_by_label("Proposed wording").fill("within 30 days unless the request allows longer")
    screenshot(page, "tour-b-3-form-filled")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()
    assert page.get_by_text("Thank you: your comment is saved.").is_visible()
    mine = page.locator("article.comment").filter(has_text="several model versions")
    assert mine.locator("blockquote.quote").inner_text().endswith(PASSAGE)
    assert "30" in mine.locator(".redline ins").first.inner_text()
    screenshot(page, "tour-b-4-comment-posted")

    # A second passage, whose proposed wording the final version will take over.
    select_text(page, "#provision-text", REWRITTEN)
    page.get_by_role("button", name="Comment on this passage").click()
    form = page.locator("#comment-form")
    form.get_by_label("Your stance").select_option("amend")
    form.get_by_label("Your comment").fill(
        "Say what the normal period is and when it may be longer."
    )
    form.get_by_label("Proposed wording").fill(ADOPTED)
    form.get_by_label("Publish this comment").check()
    form.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()
    assert page.locator("article.comment").count() == 2

    page.get_by_role("link", name="My feedback").click()
    page.wait_for_load_state()
    row = page.locator("ol.my-feedback > li").filter(has_text="several model versions")
    assert row.locator(".status").inner_text() == "open"
    assert page.locator("ol.my-feedback .status-open").count() == 2
    screenshot(page, "tour-b-5-my-feedback-open")

    # The secretariat imports the next round: the comment is carried along the lineage.
    live_server.seed(lambda: import_path(folder / "4.md"))
    with live_server.app.app_context():
        comment = db.session.scalars(
            select(Comment).where(Comment.body.like("%several model versions%"))
        ).one()
        carry = db.session.scalars(
            select(CommentCarry).where(CommentCarry.comment_id == comment.id)
        ).one()
        assert (carry.status, carry.quote_exact, carry.adopted) == ("anchored", PASSAGE, False)

    page.reload()
    row = page.locator("ol.my-feedback > li").filter(has_text="several model versions")
    assert row.locator(".status").inner_text() == "re-anchored"
    assert re.search(r"In round 4 \(Final version\):\s+still in", row.inner_text())
    assert row.locator(".now-at mark").inner_text() == PASSAGE
    screenshot(page, "tour-b-6-my-feedback-re-anchored")

    # The final version rewrote that passage with the proposed wording: the quote is gone
    # (orphaned); whether the wording was taken over is the chairs' decision, never a guess.
    adopted = page.locator("ol.my-feedback > li").filter(has_text="normal period")
    assert adopted.locator(".status").inner_text() == "orphaned"
    assert "adopted" not in adopted.inner_text().lower()

    row.get_by_role("link", name=MEASURE).last.click()
    page.wait_for_load_state()
    assert f"/codes/{TOUR_CODE}/rounds/4/provisions/" in page.url
    carried = page.locator(f"#carried-{comment.id}")
    assert carried.is_visible()
    assert carried.locator(".status").inner_text() == "re-anchored"
    assert carried.locator(".now-at mark").inner_text() == PASSAGE
    assert "This is the final Code: it takes no feedback." in page.locator("#feedback").inner_text()
    taken = page.locator("article.carried").filter(has_text="normal period")
    assert "passage rewritten" in taken.inner_text()
    assert "adopted" not in taken.inner_text().lower()
    screenshot(page, "tour-b-7-final-provision-carried")

"""In a real browser: select a passage with the mouse, comment with proposed wording, find it
on "My feedback"."""

from __future__ import annotations

import datetime as dt

import pytest

from app.accounts import services as accounts
from app.core.db import db
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from tests.browser.fixtures import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a browser password 2"
BODY = (
    "Signatories shall keep the technical documentation of each model up to date.\n\n"
    "They shall make it available to the AI Office on request **within fourteen days**."
)


def seed() -> None:
    now = dt.datetime.now(dt.UTC)
    round_ = Round(
        code=Code(slug="browser-code", title="Browser Code"),
        number=1,
        name="First draft",
        visibility="public",
        levels=["measure"],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=5),
    )
    html = render_markdown(BODY)
    db.session.add(
        Provision(
            round=round_,
            key="m-1-1",
            kind="measure",
            depth=1,
            position=0,
            label="Measure 1.1",
            number="1.1",
            title="Documentation",
            body=BODY,
            body_html=html,
            text=plain_text(html),
        )
    )
    accounts.create_user(
        "reader@example.org",
        "Robin Reader",
        organisation="Civic Lab",
        category="civil_society",
        password=PASSWORD,
    )


def test_a_participant_comments_on_a_selected_passage_and_finds_it_in_my_feedback(
    live_server, page
):
    live_server.seed(seed)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/codes/browser-code/rounds/1/provisions/m-1-1")

    box = page.evaluate(
        """(wanted) => {
        const root = document.getElementById('provision-text');
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          const at = node.data.indexOf(wanted);
          if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + wanted.length);
            const r = range.getBoundingClientRect();
            return {x1: r.left, x2: r.right, y: r.top + r.height / 2};
          }
        }
        return null;
    }""",
        "within fourteen days",
    )
    assert box is not None
    page.mouse.move(box["x1"] + 1, box["y"])
    page.mouse.down()
    page.mouse.move(box["x2"] - 1, box["y"], steps=8)
    page.mouse.up()
    button = page.get_by_role("button", name="Comment on this passage")
    button.wait_for(state="visible")
    screenshot(page, "feedback-passage-selected")
    button.click()
    assert page.locator("#quote-preview-text").inner_text() == "within fourteen days"
    page.get_by_label("Your stance").select_option("amend")
    page.get_by_label("Your comment").fill("Fourteen days is too short for a large model.")
    page.get_by_label("Proposed wording").fill("within thirty days")
    page.get_by_label("Publish this comment").check()
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()
    assert "thirty" in page.locator("article.comment ins").first.inner_text()
    screenshot(page, "feedback-comment-posted")

    page.get_by_role("link", name="My feedback").click()
    page.wait_for_load_state()
    row = page.locator("ol.my-feedback > li").first
    assert "within fourteen days" in row.inner_text()
    assert row.locator(".status-open").inner_text() == "open"
    screenshot(page, "feedback-my-feedback")

    with live_server.app.app_context():
        stored = db.session.query(Comment).one()
        text = stored.provision.text
        assert text[stored.quote_start : stored.quote_end] == "within fourteen days"
        assert stored.proposed_text == "within thirty days" and stored.publish_consent

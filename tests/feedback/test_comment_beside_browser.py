"""In a real browser: the comment form opens beside the selected passage (a side panel on a
wide screen, a bottom sheet on a phone), the passages commented on are highlighted with a
count that shows their comments, the character count warns without cutting, and an
over-long comment comes back refused with its text kept."""

from __future__ import annotations

import datetime as dt

import pytest

from app.accounts import services as accounts
from app.core.db import db
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.models import Code, Provision, Round
from app.feedback.models import BODY_LIMIT, Comment
from tests.browser.fixtures import SCREENSHOTS, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a browser password 3"
BODY = (
    "Signatories shall keep the technical documentation of each model up to date, including "
    "the model's architecture, its training process and the data used for training, testing "
    "and validation.\n\n"
    "They shall make it available to the AI Office on request **within fourteen days**, and "
    "to downstream providers who integrate the model into their AI systems, so that they can "
    "understand its capabilities and limitations and comply with their own obligations.\n\n"
    "The documentation shall be kept for ten years after the model is placed on the market."
)
PASSAGE = "within fourteen days"
LATER = "market"

SELECT = """(wanted) => {
  const root = document.getElementById('provision-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(wanted);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + wanted.length);
      node.parentElement.scrollIntoView({block: 'center'});
      const r = range.getBoundingClientRect();
      return {x1: r.left, x2: r.right, y: r.top + r.height / 2, top: r.top, bottom: r.bottom};
    }
  }
  return null;
}"""


def seed() -> None:
    now = dt.datetime.now(dt.UTC)
    round_ = Round(
        code=Code(slug="beside-code", title="Beside Code"),
        number=1,
        name="First draft",
        visibility="public",
        levels=["measure"],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=5),
    )
    html = render_markdown(BODY)
    db.session.add(
        Provision(round=round_, key="m-1-1", kind="measure", depth=1, position=0,
                  label="Measure 1.1", number="1.1", title="Documentation", body=BODY,
                  body_html=html, text=plain_text(html))
    )
    accounts.create_user("side@example.org", "Sid Side", organisation="Civic Lab",
                         category="civil_society", password=PASSWORD)
    # a second reader: logging in is limited to 8 a minute per account
    accounts.create_user("lea@example.org", "Léa Lectrice", organisation="Civic Lab",
                         category="civil_society", password=PASSWORD)


@pytest.fixture(scope="module", autouse=True)
def seeded(live_server):
    live_server.seed(seed)


def _log_in(page, url: str, email: str = "side@example.org") -> None:
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _select(page, wanted: str) -> dict:
    box = page.evaluate(SELECT, wanted)
    assert box is not None
    page.mouse.move(box["x1"] + 1, box["y"])
    page.mouse.down()
    page.mouse.move(box["x2"] - 1, box["y"], steps=8)
    page.mouse.up()
    return box


def _viewport_shot(page, name: str) -> None:
    """What the phone's screen shows (a full-page shot misplaces a fixed bottom sheet)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x1"] or b["x2"] <= a["x"]
                or a["y"] + a["height"] <= b["top"] or b["bottom"] <= a["y"])


def test_the_form_opens_beside_the_passage_and_the_highlight_shows_the_comment(
    live_server, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server.url)
    page.goto(live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1")

    box = _select(page, PASSAGE)
    button = page.get_by_role("button", name="Comment on this passage")
    button.wait_for(state="visible")
    placed = button.bounding_box()
    assert not _overlaps(placed, box), "the button covers the selected passage"
    column = page.locator("#provision-text").bounding_box()
    assert placed["x"] >= column["x"] + column["width"], "the button covers the text"
    assert abs((placed["y"] + placed["height"] / 2) - box["y"]) < 20, "not beside the passage"
    screenshot(page, "comment-beside-1366-button")

    button.click()
    card = page.locator("#comment-card")
    card.wait_for(state="visible")
    panel = card.bounding_box()
    assert panel["x"] >= column["x"] + column["width"], "the form is not beside the text"
    assert abs(panel["y"] - box["top"]) < 40, "the form is not level with the passage"
    assert page.locator("#quote-preview-text").inner_text() == PASSAGE
    assert page.evaluate("document.activeElement.name") == "body"
    screenshot(page, "comment-beside-1366-form")

    page.get_by_label("Your stance").select_option("oppose")
    page.get_by_label("Your comment").fill("Fourteen days is too short for a large model.")
    page.get_by_label("Publish this comment").check()
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()

    highlight = page.locator("mark.comment-highlight.has-count")
    highlight.wait_for()
    assert highlight.get_attribute("data-count") == "1"
    assert page.locator("mark.comment-highlight").all_inner_texts() == [PASSAGE]
    highlight.click()
    shown = page.get_by_role("dialog", name="1 comment on this passage")
    shown.wait_for()
    assert "Fourteen days is too short" in shown.inner_text()
    screenshot(page, "comment-beside-1366-highlight")

    with live_server.app.app_context():
        stored = db.session.query(Comment).one()
        assert stored.provision.text[stored.quote_start:stored.quote_end] == PASSAGE


def test_on_a_phone_the_form_is_a_bottom_sheet_and_the_button_never_covers_the_selection(
    live_server, page
):
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url)
    page.goto(live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1")
    box = _select(page, LATER)
    button = page.get_by_role("button", name="Comment on this passage")
    button.wait_for(state="visible")
    assert not _overlaps(button.bounding_box(), box)
    _viewport_shot(page, "comment-beside-390-button")
    button.click()
    card = page.locator("#comment-card")
    card.wait_for(state="visible")
    panel = card.bounding_box()
    assert panel["x"] == 0 and panel["width"] == 390
    assert abs(panel["y"] + panel["height"] - 844) < 2, "not a sheet at the bottom"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.locator("#quote-preview-text").inner_text() == LATER
    _viewport_shot(page, "comment-beside-390-sheet")
    page.get_by_role("button", name="Close").click()
    assert "docked" not in (card.get_attribute("class") or "")


def test_the_count_warns_and_an_over_long_comment_is_refused_with_its_text_kept(
    live_server, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server.url)
    page.goto(live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1")
    body = page.get_by_label("Your comment")
    assert body.get_attribute("maxlength") is None
    long = "word " * 2_240  # 11,199 characters once trimmed
    body.fill(long)
    count = page.locator("#body-count")
    assert count.inner_text() == "You have 1,199 characters too many"
    assert page.locator("#body-count-status").get_attribute("aria-live") == "polite"
    assert len(body.input_value()) == len(long), "the browser cut the text"
    screenshot(page, "comment-count-over")
    page.get_by_label("Your stance").select_option("amend")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()
    assert "at most 10,000 are accepted" in page.locator(".field.has-error .error").inner_text()
    assert page.get_by_label("Your comment").input_value().strip() == long.strip()
    assert page.locator("#body-count").inner_text() == "You have 1,199 characters too many"
    screenshot(page, "comment-refused-over-long")
    body = page.get_by_label("Your comment")
    body.fill("Short enough.")
    remaining = f"You have {BODY_LIMIT - 13:,} characters remaining"
    assert page.locator("#body-count").inner_text() == remaining


def _long_comment() -> None:
    from app.accounts.models import User
    from app.feedback.services import submit_comment

    author = db.session.query(User).filter_by(email="side@example.org").one()
    provision = db.session.query(Provision).filter_by(key="m-1-1").one()
    submit_comment(provision, author, stance="amend",
                   body="See https://example.org/" + "a-very-long-path-segment-" * 8
                   + " and the annex.",
                   quote="downstream providers who integrate the model into their AI systems",
                   proposed_text="downstream providers and deployers who integrate the model")


def test_my_feedback_fits_a_phone_and_offers_edit_and_withdraw(live_server, page):
    live_server.seed(_long_comment)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        _log_in(page, live_server.url)
        page.goto(live_server.url + "/my/feedback")
        item = page.locator("ol.my-feedback > li").filter(has_text="annex")
        assert item.get_by_role("link", name="Edit").is_visible()
        assert item.get_by_role("link", name="Withdraw…").is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        screenshot(page, f"comment-my-feedback-{width}")
    item.get_by_role("link", name="Measure 1.1: Documentation").click()
    page.wait_for_load_state()
    assert page.locator("article.comment.mine").filter(has_text="annex").is_visible()


def test_without_javascript_the_form_under_the_page_comments_on_the_whole_provision(
    live_server, browser
):
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        _log_in(page, live_server.url)
        page.goto(live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1")
        assert page.locator("mark.comment-highlight").count() == 0
        page.get_by_label("Your stance").select_option("neutral")
        page.get_by_label("Your comment").fill("On the whole measure, without a script.")
        page.get_by_role("button", name="Send comment").click()
        page.wait_for_load_state()
        assert page.get_by_text("On the whole measure, without a script.").is_visible()
    finally:
        context.close()
    with live_server.app.app_context():
        stored = db.session.query(Comment).filter(Comment.body.like("%without a script%")).one()
        assert stored.quote_exact is None


def test_on_the_forms_own_page_a_selected_passage_is_quoted(live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server.url)
    with live_server.app.app_context():
        provision_id = db.session.query(Provision.id).filter_by(key="m-1-1").scalar()
    page.goto(f"{live_server.url}/feedback/provisions/{provision_id}/comments")
    _select(page, "ten years")
    page.get_by_role("button", name="Comment on this passage").click()
    assert page.locator("#quote-preview-text").inner_text() == "ten years"
    assert page.evaluate("document.activeElement.name") == "body"


def test_an_unsent_draft_is_restored_in_the_tab_and_forgotten_once_saved(live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server.url)
    url = live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1"
    page.goto(url)
    page.get_by_label("Your comment").press_sequentially("A draft I must not lose.")
    page.goto(url)
    assert page.get_by_label("Your comment").input_value() == "A draft I must not lose."
    assert page.get_by_role("status").filter(has_text="restored").is_visible()
    page.get_by_label("Your stance").select_option("question")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_load_state()
    assert "#comment-" in page.url
    page.goto(url)
    assert page.get_by_label("Your comment").input_value() == ""


def test_a_french_reader_sees_the_count_in_french(live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server.url, "lea@example.org")
    page.context.add_cookies([{"name": "plenary_lang", "value": "fr", "url": live_server.url}])
    page.goto(live_server.url + "/codes/beside-code/rounds/1/provisions/m-1-1")
    body = page.locator("#body")
    assert page.locator("label[for=body]").inner_text().startswith("Votre commentaire (jusqu’à")
    body.fill("word " * 2_240)
    assert page.locator("#body-count").inner_text() == "Vous avez 1\u202f199 caractères de trop"
    body.fill("Short enough.")
    left = f"Il vous reste {BODY_LIMIT - 13:,} caractères".replace(",", "\u202f")
    assert page.locator("#body-count").inner_text() == left
    body.fill("x" * (BODY_LIMIT - 1))
    assert page.locator("#body-count").inner_text() == "Il vous reste 1 caractère"
    hint = page.locator("#body-count-hint").inner_text()
    assert hint == "Vous pouvez saisir jusqu’à 10\u202f000 caractères."

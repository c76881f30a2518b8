"""You said, we did, in a real browser, on the demo Code (drafts/gpai-code) with the second
draft's feedback: the public follows a change to its reasons, a participant finds the decision
on her proposal and the notification, a chair decides three proposals from the workspace."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db
from tests.browser.fixtures import screenshot
from tests.diffing.story import DEMO, import_demo

pytestmark = pytest.mark.browser
PASSWORD = "a demo password 12"


def _seed() -> dict[str, Any]:
    from app.accounts import services as accounts
    from app.demo_decisions import NORA, nora_proposals
    from app.drafting.services import get_round
    from app.feedback.bulk import import_feedback_file
    from app.feedback.carry import carry_forward
    from app.feedback.decisions import decide_proposal
    from app.feedback.models import Comment
    from app.synthesis.models import ThemeMember
    from app.synthesis.services import run_synthesis
    from app.synthesis.workspace import move_comment, rename_theme, respond

    def mine_on_4_2(comment: Any) -> list[int]:
        return list(db.session.scalars(select(Comment.id).where(
            Comment.provision_id == comment.provision_id)))

    import_demo()
    chair = accounts.create_user("chair.wg2@plenary.example", "Prof. Tomas Lind",
                                 organisation="Nordic Law Institute", category="academia",
                                 groups=[("wg2", "chair")], password=PASSWORD)
    nora = accounts.create_user("participant@plenary.example", "Nora Participant",
                                organisation="Open Rights Example", password=PASSWORD)
    second, third = get_round("gpai-code", 2, check=False), get_round("gpai-code", 3,
                                                                       check=False)
    import_feedback_file(DEMO / "feedback" / "round-2.jsonl", second)
    nora_proposals(second)
    carry_forward(second, third)
    run = run_synthesis(second, group="wg2")
    mine = {c.provision.label: c for c in db.session.scalars(
        select(Comment).where(Comment.author_id == nora.id))}
    asked = mine["Measure 4.2"]
    members = {t.id: {m.comment_id for m in db.session.scalars(
        select(ThemeMember).where(ThemeMember.theme_id == t.id))} for t in run.themes}
    theme = next((t for t in run.themes if asked.id in members[t.id]), None)
    if theme is None:  # set aside as noise by the clustering: the chair files it
        theme = max(run.themes, key=lambda t: (len(members[t.id] & set(mine_on_4_2(asked))),
                                               t.size))
        move_comment(run, asked.id, theme, actor=chair)
    # Answering in public, the chair names the theme (its generated title is words of
    # private comments, which the register would show as "Theme N").
    rename_theme(theme, "How often crawlers check robots.txt", actor=chair)
    respond(theme, "partly_accepted", "The third draft fixes the interval at 24 hours.",
            ["robots-txt"], actor=chair)
    label, _quote, _proposed, decision, reason = NORA[1]
    decide_proposal(mine[label], decision, reason, actor=chair)
    return {"theme": theme.identity_id, "title": theme.display_label,
            "proposal": asked.id}


@pytest.fixture(scope="module")
def seeded(live_server: Any) -> dict[str, Any]:
    live_server.app.config["PLENARY_FAKE_EMBEDDER"] = True  # the deterministic fake
    return live_server.seed(_seed)


def log_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_public_follows_a_change_to_the_answer_and_the_decided_proposal(
    live_server: Any, seeded: dict[str, Any], page: Any
) -> None:
    page.goto(live_server.url + "/codes/gpai-code/compare?from=2&to=3&sort=order")
    entry = page.locator("#c-robots-txt--robots-txt")
    why = entry.locator("section.why")
    assert why.get_by_text("What Measure 4.2 received in Second draft").is_visible()
    assert why.locator("svg[role=img] title").count() == 1
    assert why.get_by_text("Changed in response to:").is_visible()
    entry.scroll_into_view_if_needed()
    screenshot(page, "accountability-compare-why")
    why.locator("summary", has_text="Decided proposals you can see").click()
    decided = why.locator(f"#decided-{seeded['proposal']}")
    assert "Nora Participant, Open Rights Example" in decided.inner_text()
    assert "Partly accepted" in decided.inner_text()
    assert decided.locator("ins").count() > 0  # the redline of her proposal
    why.get_by_role("link", name=seeded["title"]).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/codes/gpai-code/rounds/2/register#theme-{seeded['theme']}")
    answer = page.locator(f"#theme-{seeded['theme']}")
    assert "The third draft fixes the interval at 24 hours." in answer.inner_text()
    assert answer.locator(".badge.outcome-partly_accepted").is_visible()
    screenshot(page, "accountability-register")
    answer.get_by_role("link", name=re.compile("^the redline")).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("#c-robots-txt--robots-txt")
    page.go_back()
    page.goto(live_server.url + "/codes/gpai-code/compare?from=2&to=3&sort=order")
    why = page.locator("#c-robots-txt--robots-txt section.why")
    why.locator("summary", has_text="Decided proposals you can see").click()
    why.locator(f"#decided-{seeded['proposal']}").get_by_role(
        "link", name="The comment in its thread").click()
    page.wait_for_load_state()
    card = page.locator(f"#comment-{seeded['proposal']}")
    assert "The chairs' decision on the proposed wording" in card.inner_text()
    assert "Partly accepted" in card.inner_text()


def test_a_participant_sees_the_decision_and_the_notification(
    live_server: Any, seeded: dict[str, Any], page: Any
) -> None:
    log_in(page, live_server, "participant@plenary.example")
    page.get_by_role("link", name=re.compile(r"^Notifications \(\d+\)")).click()
    decided = page.locator("li.notification", has_text="decided on your proposed wording "
                                                      "for Measure 4.2")
    assert "partly accepted" in decided.inner_text()
    assert "24 hours rather than 12" in decided.inner_text()
    screenshot(page, "accountability-notifications")
    decided.get_by_role("link").click()
    page.wait_for_load_state()
    card = page.locator(f"#comment-{seeded['proposal']}")
    assert "The chairs' decision on your proposed wording" in card.inner_text()
    page.get_by_role("link", name="My feedback").click()
    row = page.locator("ol.my-feedback > li", has_text="Measure 4.2")
    assert "Partly accepted" in row.inner_text() and "24 hours rather than 12" in \
        row.inner_text()
    screenshot(page, "accountability-my-feedback")


def test_a_chair_decides_three_proposals_from_the_workspace(
    live_server: Any, seeded: dict[str, Any], page: Any
) -> None:
    from app.feedback.models import Comment

    log_in(page, live_server, "chair.wg2@plenary.example")
    page.get_by_role("link", name="Synthesis", exact=True).click()
    page.get_by_role("link", name=re.compile("Second draft")).first.click()
    page.get_by_role("link", name="Decide the proposals").click()
    decided = []
    choices = [("Accepted", ""), ("Partly accepted", "Only for the largest providers."),
               ("Not taken up", "The Code keeps to machine-readable protocols.")]
    for choice, reason in choices:
        proposal = page.locator("article.proposal").first
        ident = proposal.get_attribute("id")
        proposal.get_by_label(choice, exact=True).check()
        if reason:
            proposal.get_by_label(re.compile("^Reason")).fill(reason)
        proposal.get_by_role("button", name=re.compile("Save decision")).click()
        page.wait_for_load_state()
        assert page.locator(".flash.info").is_visible()
        decided.append(int(ident.removeprefix("proposal-")))
    screenshot(page, "accountability-proposals")
    with live_server.app.app_context():
        stored = {c.id: c.decision for c in db.session.scalars(
            select(Comment).where(Comment.id.in_(decided)))}
    assert stored == dict(zip(decided, ["accepted", "partly_accepted", "not_taken_up"],
                              strict=True))

"""From each change to its reasons: the compare, "what changed", history and provision pages
show what the earlier version received and what became of it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event

from app.core.db import db, utcnow
from app.feedback.models import Comment
from tests.diffing import why_story

why = why_story.why
COMPARE = "/codes/demo/compare?from=2&to=3"


def entry(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</article>", start)]


def test_the_public_sees_counts_answers_and_published_decisions_beside_the_change(
    client: Any, why: Any
) -> None:
    page = client.get(COMPARE).get_data(as_text=True)
    edit = entry(page, "c-m-edit--m-edit")
    assert "What Measure 1.2 received in Second draft, and what became of it" in edit
    assert "7 comments" in edit
    assert re.search(r"Support &lt;5.*Oppose &lt;5.*Amend &lt;5", edit, re.S)  # under 5
    assert '<svg role="img"' in edit and "<title" in edit and "<desc" in edit
    assert "<table" in edit  # the numbers for screen readers
    assert "Changed in response to:" in edit and "Keep it maintained" in edit
    assert "outcome-accepted" in edit and "/codes/demo/rounds/2/register#theme-" in edit
    assert "Shorter text" in edit and "outcome-not_taken_up" in edit
    # proposals: counts for all, and only the decided one the public may see, with its author
    assert "Proposed wording: &lt;5 accepted · &lt;5 not taken up · &lt;5 not decided yet" in edit
    assert "Decided proposals you can see (1)" in edit
    assert "<bdi>Voice 4</bdi>, <bdi>Org 4</bdi>" in edit  # names isolated (direction marks)
    assert "Publication is elsewhere." not in edit and "Voice 5" not in edit


def test_the_secretariat_sees_exact_counts_and_every_decided_proposal(
    client: Any, why: Any, create_user: Any, auth: Any
) -> None:
    create_user("boss@example.org", role="secretariat")
    auth.login("boss@example.org")
    edit = entry(client.get(COMPARE).get_data(as_text=True), "c-m-edit--m-edit")
    assert "Support 2" in edit and "Oppose 1" in edit and "Amend 4" in edit
    assert "1 accepted · 1 not taken up · 1 not decided yet" in edit
    assert "Decided proposals you can see (2)" in edit and "Publication is elsewhere." in edit
    assert "&lt;5" not in edit


def test_nothing_is_shown_to_the_public_while_the_window_is_open_but_chairs_see_it(
    client: Any, why: Any, create_user: Any, auth: Any
) -> None:
    r2 = why.story.rounds[2]
    r2.closes_at = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    edit = entry(client.get(COMPARE).get_data(as_text=True), "c-m-edit--m-edit")
    assert "shown here once its consultation has closed" in edit
    assert "Keep it maintained" not in edit and "7 comments" not in edit
    create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    auth.login("wg1chair@example.org")
    edit = entry(client.get(COMPARE).get_data(as_text=True), "c-m-edit--m-edit")
    assert "7 comments" in edit and "Support 2" in edit


def test_a_change_with_only_refused_answers_says_it_was_made_for_other_reasons(
    client: Any, why: Any
) -> None:
    why.answered.response.outcome = "not_taken_up"
    db.session.commit()
    edit = entry(client.get(COMPARE).get_data(as_text=True), "c-m-edit--m-edit")
    assert "Changed in response to:" not in edit
    assert "did not lead to this change; it was made for other reasons" in edit


def test_an_unchanged_provision_with_feedback_and_no_answer_says_what_it_received(
    client: Any, why: Any
) -> None:
    keep = entry(client.get(COMPARE).get_data(as_text=True), "c-m-keep--m-keep")
    assert "1 comment" in keep or "&lt;5 comments" in keep
    assert "No published answer links this change" not in keep  # it did not change


def test_the_changes_page_the_history_and_the_provision_page_carry_the_reasons(
    client: Any, why: Any
) -> None:
    changes = client.get("/codes/demo/rounds/3/changes").get_data(as_text=True)
    assert "Keep it maintained" in changes and "outcome-accepted" in changes
    history = client.get("/codes/demo/provisions/m-edit/history?from=2&to=3").get_data(
        as_text=True)
    assert "What Measure 1.2 received in Second draft" in history
    assert "Keep it maintained" in history
    provision = client.get("/codes/demo/rounds/3/provisions/m-edit").get_data(as_text=True)
    assert "What became of the feedback" in provision and "Keep it maintained" in provision
    assert "/codes/demo/rounds/2/register" in provision  # the register, from the change
    older = client.get("/codes/demo/rounds/2/provisions/m-edit").get_data(as_text=True)
    assert "Feedback on this version" in older and "7 comments" in older


def test_later_rounds_link_the_registers_of_earlier_ones(client: Any, why: Any) -> None:
    page = client.get("/codes/demo/rounds/3").get_data(as_text=True)
    assert "/codes/demo/rounds/2/register" in page and "/codes/demo/rounds/1/register" in page


def test_the_compare_page_reads_feedback_in_a_fixed_number_of_queries(
    client: Any, why: Any
) -> None:
    """Per-round aggregates, not per entry: more commented provisions, no more queries."""
    def count() -> int:
        statements: list[str] = []
        engine = db.engine

        def listen(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listen)
        try:
            assert client.get(COMPARE).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    client.get(COMPARE)  # warm the caches
    before = count()
    r2 = why.story.rounds[2]
    for key in ("m-split", "m-merge-a", "m-move", "m-new"):
        db.session.add(Comment(round=r2, provision=why.story.p[2, key], author=why.authors[1],
                               stance="oppose", body="Another view.", proposed_text="Other.",
                               decision="not_taken_up", decision_reason="No.",
                               decided_at=utcnow(), publish_consent=True))
    db.session.commit()
    assert count() <= before + 1


@pytest.mark.parametrize("path", ["/codes/demo/compare/print?from=2&to=3"])
def test_the_printed_redline_carries_the_reasons_too(client: Any, why: Any, path: str) -> None:
    assert "Keep it maintained" in client.get(path).get_data(as_text=True)


def test_a_provision_whose_comments_are_unpublished_says_they_are_counted_not_hidden(
    client: Any, why: Any
) -> None:
    page = client.get("/codes/demo/rounds/2/provisions/m-keep").get_data(as_text=True)
    assert "No comments you can see" not in page
    assert "&lt;5 comments on Measure 1.1 in Second draft, none published" in page


def test_at_a_glance_shows_stances_once_closed_and_tells_nothing_while_open(
    client: Any, why: Any, create_user: Any, auth: Any
) -> None:
    glance = "/codes/demo/rounds/2/at-a-glance"
    page = client.get(glance).get_data(as_text=True)
    assert '<svg role="img"' in page and "Keep it maintained" in page
    assert "Support 2" not in page  # small counts are "<5" for the public
    r2 = why.story.rounds[2]
    r2.closes_at = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    page = client.get(glance).get_data(as_text=True)
    assert "shown once the consultation has closed" in page
    # Not even how many measures were commented on: that counts comments the public cannot see.
    assert not re.search(r"\d+ measures? ha(s|ve) received", page)
    assert '<svg role="img"' not in page
    create_user("wg1chair@example.org", groups=[("wg1", "chair")])
    auth.login("wg1chair@example.org")
    page = client.get(glance).get_data(as_text=True)
    assert '<svg role="img"' in page and "Support 2" in page


def test_an_unchanged_provision_is_never_said_to_have_changed_in_response(
    client: Any, why: Any
) -> None:
    """An answer linking a provision whose wording stayed the same: listed as an answer, no
    "changed in response to", no "feedback taken up" badge."""
    from app.synthesis.models import ResponseProvision

    why.answered.response.provisions.append(
        ResponseProvision(round_id=why.story.rounds[3].id, provision_key="m-keep"))
    db.session.commit()
    page = client.get(COMPARE).get_data(as_text=True)
    keep = entry(page, "c-m-keep--m-keep")
    assert "Keep it maintained" in keep
    assert "Changed in response to" not in keep and "feedback taken up" not in keep

"""Comments carried into the next round, as the provision pages and My feedback show them;
and the secretariat's page to show a hidden comment again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.carry import carry_forward, passage_context
from tests.feedback.test_carry import NEW_A, NEW_B1, NEW_B2, OLD_A, OLD_B, OLD_C, link

OLD = "/codes/demo-code/rounds/1/provisions/{}"
NEW = "/codes/demo-code/rounds/2/provisions/{}"


@pytest.fixture
def rounds(create_round, create_provision):
    r1, r2 = create_round(1, window="open"), create_round(2, window="open", name="Second draft")
    old = {k: create_provision(r1, f"m-{k}", body=b) for k, b in zip("abc", (OLD_A, OLD_B, OLD_C))}
    new = {
        "a": create_provision(r2, "m-a", label="Measure 2.1", body=NEW_A),
        "b1": create_provision(r2, "m-b", body=NEW_B1),
        "b2": create_provision(r2, "m-b2", label="Measure 2.3", body=NEW_B2),
    }
    link(r1, r2, old["a"], [new["a"]], "modified")
    link(r1, r2, old["b"], [new["b1"], new["b2"]], "split")
    link(r1, r2, old["c"], [], "removed")
    return r1, r2, old, new


def carry(r1: Any, r2: Any) -> None:
    carry_forward(r1, r2)
    r1.closes_at = r1.opens_at
    db.session.commit()


def carried_section(html: str) -> str:
    return html[html.index('id="carried-heading"') :] if 'id="carried-heading"' in html else ""


def test_the_new_provision_shows_a_reanchored_comment_with_old_quote_and_new_place(
    client, auth, rounds, participant, comment_on
):
    r1, r2, old, _ = rounds
    comment_on(
        old["a"],
        participant,
        quote="keep the technical documentation of each model",
        body="Say which model versions.",
    )
    carry(r1, r2)
    auth.login(participant.email)
    section = carried_section(client.get(NEW.format("m-a")).get_data(as_text=True))
    assert "Say which model versions." in section and "status-re-anchored" in section
    assert "keep the technical documentation of each model</blockquote>" in section
    assert "<mark>keep the technical documentation of every model</mark>" in section


def test_a_passage_moved_in_a_split_shows_as_moved_here_on_its_new_provision(
    client, auth, rounds, participant, comment_on
):
    r1, r2, old, _ = rounds
    comment_on(old["b"], participant, quote="the main data sources", body="Name them.")
    carry(r1, r2)
    auth.login(participant.email)
    section = carried_section(client.get(NEW.format("m-b2")).get_data(as_text=True))
    assert "Name them." in section and ">moved here</span>" in section
    assert "Name them." not in client.get(NEW.format("m-b")).get_data(as_text=True)


def test_adoption_is_only_a_suggestion_to_the_chairs_and_the_author_sees_their_decision(
    client, auth, rounds, participant, chair, comment_on
):
    from app.feedback.decisions import decide_proposal

    r1, r2, old, _ = rounds
    comment = comment_on(
        old["a"], participant, quote="within fourteen days", proposed_text="within thirty days"
    )
    carry(r1, r2)
    auth.login(participant.email)
    section = carried_section(client.get(NEW.format("m-a")).get_data(as_text=True))
    assert "within thirty days" in section
    assert "adopted" not in section.lower() and "Adoption check" not in section
    assert "Not decided yet" in section
    auth.logout()
    auth.login(chair.email)
    section = carried_section(client.get(NEW.format("m-a")).get_data(as_text=True))
    assert "Adoption check:" in section and "not a decision" in section
    decide_proposal(comment, "partly_accepted", "Thirty days for the largest models only.",
                    actor=chair)
    db.session.commit()
    auth.logout()
    auth.login(participant.email)
    section = carried_section(client.get(NEW.format("m-a")).get_data(as_text=True))
    assert "The chairs' decision on your proposed wording" in section
    assert "outcome-partly_accepted" in section and "Partly accepted" in section
    assert "Thirty days for the largest models only." in section


def test_carried_private_comments_stay_private_and_published_ones_are_public(
    client, auth, rounds, participant, other, comment_on
):
    r1, r2, old, _ = rounds
    comment_on(old["a"], participant, body="Private remark.")
    comment_on(old["a"], participant, body="Public remark.", publish_consent=True)
    carry(r1, r2)
    public = client.get(NEW.format("m-a")).get_data(as_text=True)
    assert "Public remark." in public and "Private remark." not in public
    auth.login(other.email)
    assert "Private remark." not in client.get(NEW.format("m-a")).get_data(as_text=True)


def test_an_orphaned_comment_says_so_on_the_old_provision_and_on_my_feedback(
    client, auth, rounds, participant, comment_on
):
    r1, r2, old, new = rounds
    comment_on(old["c"], participant, quote="serious incidents", body="Define serious.")
    comment_on(old["a"], participant, quote="archived in a fireproof cabinet", body="Why paper?")
    carry(r1, r2)
    auth.login(participant.email)
    page = client.get(OLD.format("m-c")).get_data(as_text=True)
    assert re.search(r"the\s+provision was removed\s+in round 2 \(Second draft\)", page)
    assert "status-orphaned" in page
    page = client.get(OLD.format("m-a")).get_data(as_text=True)
    assert re.search(r"the\s+passage was removed\s+in round 2", page)
    mine = client.get("/my/feedback").get_data(as_text=True)
    assert len(re.findall(r"was removed\s+in round 2", mine)) == 2
    assert "Why paper?" not in carried_section(client.get(NEW.format("m-a")).get_data(as_text=True))


def test_the_old_provision_and_my_feedback_point_to_the_reanchored_passage(
    client, auth, rounds, participant, comment_on
):
    r1, r2, old, _ = rounds
    comment_on(old["a"], participant, quote="available to the AI Office")
    carry(r1, r2)
    auth.login(participant.email)
    for html in (
        client.get(OLD.format("m-a")).get_data(as_text=True),
        client.get("/my/feedback").get_data(as_text=True),
    ):
        assert "status-re-anchored" in html
        assert 'href="/codes/demo-code/rounds/2/provisions/m-a#carried-' in html
        assert "<mark>available to the AI Office</mark>" in html


def test_a_next_round_the_reader_may_not_see_is_never_named(
    client, auth, rounds, participant, comment_on
):
    r1, r2, old, _ = rounds
    comment_on(old["c"], participant, quote="serious incidents")
    comment_on(old["a"], participant, quote="available to the AI Office")
    carry(r1, r2)
    r2.visibility = "internal"
    db.session.commit()
    auth.login(participant.email)
    for url in (OLD.format("m-c"), OLD.format("m-a"), "/my/feedback"):
        html = client.get(url).get_data(as_text=True)
        assert "Second draft" not in html and "rounds/2/" not in html
        assert "status-closed" in html


def test_passage_context_cuts_at_words_and_marks_the_cuts():
    text = "one two three four five six seven eight nine ten eleven twelve"
    start = text.index("six")
    before_after = passage_context(text, start, start + 3, width=12)
    assert before_after.exact == "six"
    assert before_after.before == "…four five " and before_after.after == " seven…"
    assert passage_context(text, None, None).exact == ""


# Showing a hidden comment again (the secretariat's page).


@pytest.fixture
def hidden(provision, participant, secretariat, comment_on):
    from app.feedback.services import hide_comment

    comment = comment_on(provision, participant, body="Heated words.", publish_consent=True)
    hide_comment(comment, "Insulting another participant.", secretariat)
    db.session.commit()
    return comment


def test_the_secretariat_shows_a_hidden_comment_again_and_it_is_audit_logged(
    client, auth, hidden, secretariat
):
    auth.login(secretariat.email)
    url = f"/feedback/comments/{hidden.id}/unhide"
    page = client.get(url).get_data(as_text=True)
    assert "Insulting another participant." in page and "Sam Secretariat" in page
    response = client.post(url, data={"csrf_token": auth.csrf_token(url)})
    assert response.status_code == 302
    db.session.refresh(hidden)
    assert hidden.hidden_at is None and hidden.hidden_reason is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.unhide"))
    assert event is not None and event.actor_id == secretariat.id
    auth.logout()
    assert "Heated words." in client.get(OLD.format("m-1-1")).get_data(as_text=True)


def test_the_provision_page_offers_the_secretariat_to_show_a_hidden_comment(
    client, auth, hidden, secretariat
):
    auth.login(secretariat.email)
    html = client.get(OLD.format("m-1-1")).get_data(as_text=True)
    assert f'href="/feedback/comments/{hidden.id}/unhide"' in html


@pytest.mark.parametrize("who", ["participant", "chair"])
def test_only_the_secretariat_may_show_a_hidden_comment(client, auth, hidden, who, request):
    user = request.getfixturevalue(who)
    auth.login(user.email)
    url = f"/feedback/comments/{hidden.id}/unhide"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": auth.csrf_token("/my/feedback")}).status_code == 403
    db.session.refresh(hidden)
    assert hidden.hidden_at is not None

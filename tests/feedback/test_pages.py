"""Feedback pages: the provision panel, commenting, editing, my feedback, hiding, exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback import services as feedback
from app.feedback.models import Comment

PAGE = "/codes/demo-code/rounds/1/provisions/m-1-1"


def form_url(provision) -> str:
    return f"/feedback/provisions/{provision.id}/comments"


def send(client, auth, provision, **fields):
    data = {
        "csrf_token": auth.csrf_token(form_url(provision)),
        "stance": "amend",
        "body": "Fourteen days is too short.",
    }
    data.update(fields)
    return client.post(form_url(provision), data=data)


def only_comment() -> Comment:
    return db.session.scalars(select(Comment)).one()


def test_a_participant_sees_the_comment_form_on_an_open_provision(
    client, auth, provision, participant
):
    auth.login(participant.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert 'id="comment-form"' in html and "feedback.js" in html
    assert 'name="quote_exact"' in html and "Publish this comment with my name" in html


def test_the_public_sees_a_login_prompt_not_a_form(client, provision):
    html = client.get(PAGE).get_data(as_text=True)
    assert 'id="comment-form"' not in html and "to comment" in html


def test_posting_a_passage_comment_stores_it_and_returns_to_the_provision(
    client, auth, provision, participant
):
    auth.login(participant.email)
    start = provision.text.index("within fourteen days")
    response = send(
        client,
        auth,
        provision,
        quote_exact="within fourteen days",
        quote_prefix=provision.text[start - 32 : start],
        quote_suffix=".",
        quote_start=str(start),
        quote_end=str(start + 20),
        proposed_text="within thirty days",
        publish_consent="y",
    )
    comment = only_comment()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PAGE}#comment-{comment.id}")
    assert (comment.quote_start, comment.publish_consent) == (start, True)
    html = client.get(PAGE).get_data(as_text=True)
    assert '<del><span class="sr-only">[deleted: </span>fourteen' in html
    assert '<ins><span class="sr-only">[inserted: </span>thirty' in html


def test_without_a_quote_the_comment_is_on_the_whole_provision(
    client, auth, provision, participant
):
    auth.login(participant.email)
    send(client, auth, provision)
    assert only_comment().quote_exact is None


def test_a_forged_quote_is_refused_with_a_message_and_nothing_stored(
    client, auth, provision, participant
):
    auth.login(participant.email)
    response = send(client, auth, provision, quote_exact="a passage I made up")
    assert response.status_code == 400
    assert "The quoted passage is not in the provision." in response.get_data(as_text=True)
    assert db.session.scalars(select(Comment)).all() == []


def test_a_closed_window_shows_a_clear_message_and_refuses_posts(
    client, auth, create_round, create_provision, participant
):
    provision = create_provision(create_round(1, window="closed"), "m-1-1")
    auth.login(participant.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Feedback on this draft is closed" in html and 'id="comment-form"' not in html
    response = send(client, auth, provision)
    assert response.status_code == 409
    assert "Feedback on this draft is closed" in response.get_data(as_text=True)


def test_comment_text_is_escaped(client, auth, provision, participant):
    auth.login(participant.email)
    send(client, auth, provision, body="<script>alert(1)</script>", publish_consent="y")
    html = client.get(PAGE).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_author_edits_and_withdraws_their_comment(client, auth, provision, participant):
    auth.login(participant.email)
    send(client, auth, provision)
    comment = only_comment()
    url = f"/feedback/comments/{comment.id}/edit"
    client.post(
        url, data={"csrf_token": auth.csrf_token(url), "stance": "oppose", "body": "Rewritten."}
    )
    assert (only_comment().stance, only_comment().body) == ("oppose", "Rewritten.")
    client.post(
        f"/feedback/comments/{comment.id}/withdraw", data={"csrf_token": auth.csrf_token(PAGE)}
    )
    assert only_comment().status == "withdrawn"


def test_someone_elses_private_comment_cannot_be_seen_edited_or_withdrawn(
    client, auth, provision, participant, other, comment_on
):
    comment = comment_on(provision, participant, body="Only for the chairs.")
    auth.login(other.email)
    assert "Only for the chairs." not in client.get(PAGE).get_data(as_text=True)
    assert client.get(f"/feedback/comments/{comment.id}/edit").status_code == 404
    token = auth.csrf_token(PAGE)
    response = client.post(f"/feedback/comments/{comment.id}/withdraw", data={"csrf_token": token})
    assert response.status_code == 404 and only_comment().status == "open"


def test_someone_elses_published_comment_is_visible_but_not_editable(
    client, auth, provision, participant, other, comment_on
):
    comment = comment_on(provision, participant, body="Open letter.", publish_consent=True)
    auth.login(other.email)
    assert "Open letter." in client.get(PAGE).get_data(as_text=True)
    url = f"/feedback/comments/{comment.id}/edit"
    assert (
        client.post(
            url, data={"csrf_token": auth.csrf_token(PAGE), "stance": "support", "body": "Hijacked"}
        ).status_code
        == 403
    )
    assert only_comment().body == "Open letter."


def test_chairs_of_the_group_see_private_comments_with_the_author(
    client, auth, provision, participant, chair, comment_on
):
    comment_on(provision, participant, body="Private note to chairs.")
    auth.login(chair.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Private note to chairs." in html and "Pat Participant" in html


def test_a_reply_joins_the_thread(client, auth, provision, participant, other, comment_on):
    parent = comment_on(provision, participant, body="Start.", publish_consent=True)
    auth.login(other.email)
    url = f"/feedback/comments/{parent.id}/reply"
    client.post(
        url, data={"csrf_token": auth.csrf_token(PAGE), "body": "A reply.", "publish_consent": "y"}
    )
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert reply.provision_id == provision.id
    html = client.get(PAGE).get_data(as_text=True)
    assert html.index("Start.") < html.index("A reply.")


@pytest.mark.parametrize("no", ["n", "no", "0", "off", "false"])
def test_a_hand_sent_no_to_publishing_is_no(client, auth, provision, participant, other,
                                            comment_on, no):
    # Browsers send a ticked box's value and nothing for an unticked one; a script's "no" must
    # not consent to publishing (WTForms took any value but "false" as yes).
    parent = comment_on(provision, participant, body="Start.", publish_consent=True)
    auth.login(other.email)
    client.post(f"/feedback/comments/{parent.id}/reply", data={
        "csrf_token": auth.csrf_token(PAGE), "body": "A reply.", "publish_consent": no})
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert reply is not None and reply.publish_consent is False


def test_my_feedback_lists_comments_across_rounds_with_status(
    client, auth, create_round, create_provision, provision, participant, comment_on
):
    comment_on(provision, participant, body="In the open round.")
    closed = create_provision(create_round(2, window="open"), "m-2")
    late = comment_on(closed, participant, body="In a round that closed since.")
    late.round.closes_at = late.round.opens_at
    db.session.commit()
    auth.login(participant.email)
    html = client.get("/my/feedback").get_data(as_text=True)
    assert "In the open round." in html and "In a round that closed since." in html
    statuses = re.findall(r'class="badge status status-([a-z-]+)"', html)
    assert sorted(statuses) == ["closed", "open"]
    assert 'href="/my/feedback"' in html


def test_my_feedback_needs_a_login(client, database):
    assert client.get("/my/feedback").status_code == 302


def test_the_secretariat_hides_a_comment_with_a_reason(
    client, auth, provision, participant, secretariat, comment_on
):
    comment = comment_on(provision, participant, body="Rude words.", publish_consent=True)
    auth.login(secretariat.email)
    url = f"/feedback/comments/{comment.id}/hide"
    client.post(url, data={"csrf_token": auth.csrf_token(url), "reason": "Abusive."})
    assert only_comment().hidden_reason == "Abusive."
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.hide"))
    auth.logout()
    assert "Rude words." not in client.get(PAGE).get_data(as_text=True)


def test_a_participant_cannot_hide(client, auth, provision, participant, other, comment_on):
    comment = comment_on(provision, participant, publish_consent=True)
    auth.login(other.email)
    url = f"/feedback/comments/{comment.id}/hide"
    assert (
        client.post(url, data={"csrf_token": auth.csrf_token(PAGE), "reason": "x"}).status_code
        == 403
    )


def test_the_csv_export_is_for_the_groups_chairs_and_defuses_formulas(
    client, auth, provision, participant, chair, other, comment_on
):
    comment_on(
        provision,
        participant,
        body='=HYPERLINK("http://evil","x")',
        proposed_text="+1 more",
        quote="AI Office",
    )
    comment_on(provision, participant, body="@SUM(A1)", stance="oppose")
    url = "/codes/demo-code/rounds/1/comments.csv?group=wg1"
    auth.login(other.email)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(chair.email)
    page = client.get(url)
    assert page.status_code == 200 and "external_id" in page.get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(action="comments.export").count() == 0
    response = client.post(url, data={"csrf_token": auth.csrf_token(url)})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.query(AuditEvent).filter_by(action="comments.export").count() == 1
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["body"] for r in rows] == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"]
    assert rows[0]["proposed_text"] == "'+1 more" and rows[0]["quote"] == "AI Office"
    assert client.get("/codes/demo-code/rounds/1/comments.csv").status_code == 403


def test_posting_is_rate_limited_per_account(client, auth, provision, participant):
    auth.login(participant.email)
    token = auth.csrf_token(form_url(provision))
    codes = [
        client.post(
            form_url(provision), data={"csrf_token": token, "stance": "support", "body": f"n{n}"}
        ).status_code
        for n in range(31)
    ]
    assert codes[:30] == [302] * 30 and codes[30] == 429


def test_a_withdrawn_comment_is_shown_to_its_author_alone(
    client, auth, provision, participant, chair, create_user, comment_on
):
    # The withdrawal page promises "nobody else sees it any more": not the group's chair on
    # the provision page, in the comments API or in the CSV export, nor the secretariat.
    def api(user, comment_id):
        token = accounts.create_token(user, "check")[1]
        return client.get(f"/api/v1/comments/{comment_id}",
                          headers={"Authorization": f"Bearer {token}"}).status_code

    kept = comment_on(provision, participant, body="Kept standing: lighthouse keepers.")
    gone = comment_on(provision, participant, body="Taken back: lantern makers.")
    feedback.withdraw_comment(gone)
    db.session.commit()
    page_url = f"/codes/demo-code/rounds/1/provisions/{provision.key}"
    url = "/codes/demo-code/rounds/1/comments.csv?group=wg1"
    auth.login(chair.email)
    text = client.get(page_url).get_data(as_text=True)
    assert "lighthouse keepers" in text and "lantern makers" not in text
    assert api(chair, gone.id) == 404 and api(chair, kept.id) == 200
    exported = client.post(url, data={"csrf_token": auth.csrf_token(url)}).get_data(as_text=True)
    assert "lighthouse keepers" in exported and "lantern makers" not in exported
    auth.logout()
    auth.login(create_user(role="secretariat").email)
    assert "lantern makers" not in client.get(page_url).get_data(as_text=True)
    auth.logout()
    auth.login(participant.email)
    assert "lantern makers" in client.get(page_url).get_data(as_text=True)
    assert api(participant, gone.id) == 200


def test_direction_marks_in_what_a_participant_wrote_stay_inside_it(
    client, provision, participant, comment_on
):
    # A right-to-left override in a body or a name must not reverse the page around it.
    participant.name = "Eve \u202eevil"
    comment_on(provision, participant, body="Fine \u202eprint here.", publish_consent=True)
    db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    assert '<div class="comment-body" dir="auto">Fine \u202eprint here.</div>' in page
    assert "<bdi>Eve \u202eevil</bdi>" in page


def test_the_secretariat_pages_isolate_the_authors_name_in_their_sentence(
    client, auth, provision, participant, create_user, comment_on
):
    participant.name = "Eve \u202eevil"
    comment = comment_on(provision, participant, body="Fine print.")
    db.session.commit()
    auth.login(create_user(role="secretariat").email)
    page = client.get(f"/feedback/comments/{comment.id}/hide").get_data(as_text=True)
    assert "by <bdi>Eve \u202eevil</bdi>," in page


def test_a_form_without_a_stance_is_refused_not_stored_as_amend(
    client, auth, provision, participant
):
    auth.login(participant.email)
    data = {"csrf_token": auth.csrf_token(form_url(provision)), "body": "No stance sent."}
    response = client.post(form_url(provision), data=data)
    assert "Choose a stance." in response.get_data(as_text=True)
    assert db.session.scalars(select(Comment)).first() is None


def test_the_new_comment_form_picks_no_stance_for_the_participant(
    client, auth, provision, participant
):
    auth.login(participant.email)
    page = client.get(form_url(provision)).get_data(as_text=True)
    stance = page[page.index('name="stance"'):]
    stance = stance[:stance.index("</select>")]
    assert "selected" not in stance and 'value="">Choose your stance' in stance
    assert "required" in page[page.rindex("<select", 0, page.index('name="stance"')):][:200]

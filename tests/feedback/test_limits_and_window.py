"""Nothing a participant types is cut or lost: over-long text is refused whole with a message
naming the limit (pages, API, bulk import) and kept in the form; a window that closes while
someone types says so once and keeps their text for copying."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from sqlalchemy import func, select

from app.core.db import db
from app.feedback.bulk import import_feedback, read_rows
from app.feedback.models import BODY_LIMIT, PROPOSAL_LIMIT, Comment
from tests.api.test_comments_api import post, token_for
from tests.feedback.test_bulk import jsonl, row
from tests.feedback.test_pages import PAGE, form_url, send

CLOSED = "Feedback on this draft is closed"


def stored() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return html_lib.unescape(found.group(1)).lstrip("\r\n")


def close_window(provision) -> None:
    provision.round.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()


def test_the_comment_fields_carry_a_count_and_no_maxlength(client, auth, provision, participant):
    auth.login(participant.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert not re.search(r"\smaxlength=", html)
    assert f'data-maxlength="{BODY_LIMIT}"' in html and f'data-maxlength="{PROPOSAL_LIMIT}"' in html


def test_an_over_long_comment_is_refused_naming_the_limit_and_its_text_is_kept(
    client, auth, provision, participant
):
    auth.login(participant.email)
    long = "a" * (BODY_LIMIT + 1200)
    response = send(client, auth, provision, body=long, proposed_text="keep this too")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "12,200 characters" not in html  # counted as sent: 11,200
    assert "has 11,200 characters: at most 10,000 are accepted" in html
    assert "Shorten it by 1,200 characters" in html
    assert textarea(html, "body") == long
    assert textarea(html, "proposed_text") == "keep this too"
    assert stored() == 0


def test_an_over_long_proposal_is_refused_and_kept(client, auth, provision, participant):
    auth.login(participant.email)
    proposal = "b" * (PROPOSAL_LIMIT + 1)
    html = send(client, auth, provision, proposed_text=proposal).get_data(as_text=True)
    assert "at most 5,000 are accepted. Shorten it by 1 character." in html
    assert textarea(html, "proposed_text") == proposal and stored() == 0


def test_line_breaks_sent_as_crlf_count_once(client, auth, provision, participant):
    auth.login(participant.email)
    body = "\r\n".join(["x" * 99] * 100)  # 9,999 characters with "\n", 10,098 with "\r\n"
    assert send(client, auth, provision, body=body).status_code == 302
    assert db.session.scalars(select(Comment)).one().body == body.replace("\r\n", "\n")


def test_the_api_refuses_an_over_long_comment_with_a_json_error_naming_the_limit(
    client, provision, create_user
):
    headers = {"Authorization": f"Bearer {token_for(create_user('long@example.org'))}"}
    response = post(client, headers, body="y" * (BODY_LIMIT + 5))
    assert response.status_code == 413
    error = response.get_json()
    assert "at most 10,000" in error["error"]
    assert error["detail"] == {"field": "body", "limit": BODY_LIMIT, "length": BODY_LIMIT + 5}
    response = post(client, headers, proposed_text="z" * (PROPOSAL_LIMIT + 1))
    assert response.get_json()["detail"]["field"] == "proposed_text"
    assert stored() == 0


def test_a_bulk_row_too_long_is_refused_by_line_not_cut(create_round, create_provision):
    from tests.feedback.conftest import TEXT

    round_ = create_round(1, window="closed")
    create_provision(round_, "m-1-1", label="Measure 1.1", body=TEXT)
    report = import_feedback(round_, read_rows(jsonl(row("s-1"), row("s-2", body="w" * 10_001))))
    assert report.imported == 1
    assert "at most 10,000 are accepted" in dict(report.refused)[2]
    assert all(len(c.body) <= BODY_LIMIT for c in db.session.scalars(select(Comment)))


def test_an_over_long_edit_is_refused_and_the_comment_unchanged(
    client, auth, provision, participant, create_comment
):
    comment = create_comment(provision, participant, body="The first words.")
    auth.login(participant.email)
    url = f"/feedback/comments/{comment.id}/edit"
    long = "e" * (BODY_LIMIT + 1)
    response = client.post(url, data={"csrf_token": auth.csrf_token(url), "stance": "amend",
                                      "body": long})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "at most 10,000 are accepted" in html
    assert textarea(html, "body") == long
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "The first words."


def test_a_refused_reply_comes_back_with_its_text(
    client, auth, provision, participant, create_comment
):
    parent = create_comment(provision, participant, publish_consent=True)
    auth.login(participant.email)
    long = "r" * (BODY_LIMIT + 3)
    response = client.post(f"/feedback/comments/{parent.id}/reply",
                           data={"csrf_token": auth.csrf_token(PAGE), "body": long})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your reply has 10,003 characters" in html and textarea(html, "body") == long
    assert stored() == 1


def test_a_window_closing_while_typing_says_so_once_and_keeps_the_text(
    client, auth, provision, participant
):
    auth.login(participant.email)
    token = auth.csrf_token(form_url(provision))
    close_window(provision)
    response = client.post(form_url(provision), data={
        "csrf_token": token, "stance": "amend", "body": "Typed while it closed.",
        "proposed_text": "within thirty days"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert html.count(CLOSED) == 1
    kept = re.findall(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", html, re.S)
    assert [k.strip() for k in kept] == ["Typed while it closed.", "within thirty days"]
    assert "Your text was not sent" in html and stored() == 0


def test_an_edit_when_the_window_has_closed_keeps_the_changed_text(
    client, auth, provision, participant, create_comment
):
    comment = create_comment(provision, participant, body="Before.")
    auth.login(participant.email)
    url = f"/feedback/comments/{comment.id}/edit"
    token = auth.csrf_token(url)
    close_window(provision)
    html = client.post(url, data={"csrf_token": token, "stance": "amend",
                                  "body": "After, unsent."}).get_data(as_text=True)
    assert html.count(CLOSED) == 1 and "After, unsent." in html and "readonly" in html


def test_a_reply_when_the_window_has_closed_keeps_the_text(
    client, auth, provision, participant, create_comment
):
    parent = create_comment(provision, participant, publish_consent=True)
    auth.login(participant.email)
    token = auth.csrf_token(PAGE)
    close_window(provision)
    response = client.post(f"/feedback/comments/{parent.id}/reply",
                           data={"csrf_token": token, "body": "A late reply."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert html.count(CLOSED) == 1 and "A late reply." in html and stored() == 1


def test_a_hide_reason_past_its_limit_is_refused_not_cut(
    client, auth, provision, participant, secretariat, create_comment
):
    comment = create_comment(provision, participant)
    auth.login(secretariat.email)
    url = f"/feedback/comments/{comment.id}/hide"
    reason = "h" * 1001
    page = client.post(url, data={"csrf_token": auth.csrf_token(url), "reason": reason})
    html = page.get_data(as_text=True)
    assert page.status_code == 400  # as the table of limits says
    assert "at most 1,000 are accepted" in html and reason in html
    for shows_nothing in ("   ", "\u200b", " \u200b\u200e "):  # spaces, a zero-width space
        blank = client.post(url, data={"csrf_token": auth.csrf_token(url),
                                       "reason": shows_nothing})
        assert blank.status_code == 400 and "Give a reason." in blank.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).hidden_at is None

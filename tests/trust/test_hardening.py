"""Regression tests for the holes a black-box attack found (issue 15, points 1-12).

Each test failed on the code as it was; the black-box walk over every route is in
tests/trust/test_blackbox.py.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.bulk import import_feedback
from app.feedback.export import safe_cell
from app.feedback.models import Comment, CommentCarry
from tests.conftest import stamp_head
from tests.feedback.conftest import TEXT

URL = "/api/v1/codes/demo-code/rounds/1/provisions/m-1-1/comments"


def token_for(user: Any) -> str:
    _, secret = accounts.create_token(user, "tests")
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stored() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


@pytest.fixture
def provision(create_round, create_provision):
    return create_provision(create_round(1), "m-1-1", label="Measure 1.1", body=TEXT)


@pytest.fixture
def participant(create_user):
    return create_user("pat@example.org", name="Pat Participant")


# --- 1. the personal data export names no unpublished draft ------------------------------


def test_the_data_export_leaves_out_carries_into_an_internal_round(
    client, auth, participant, provision, create_round, create_provision, create_comment
):
    comment = create_comment(provision, participant, "Shorter, please.", quote_exact="fourteen")
    hidden = create_round(2, visibility="internal")
    secret = create_provision(hidden, "m-1-1", label="Measure 9.9", body="Secret wording.")
    db.session.add(CommentCarry(comment=comment, to_round_id=hidden.id, to_provision=secret,
                                status="anchored", quote_exact="Secret wording", adopted=True))
    db.session.commit()
    auth.login(participant.email)
    page = client.get("/account/export").get_data(as_text=True)
    link = page.split('href="/account/export/')[1].split('"')[0]
    data = client.get(f"/account/export/{link}").get_json()
    (exported,) = data["comments"]
    assert exported["body"] == "Shorter, please." and exported["carried"] == []
    raw = json.dumps(data)
    assert "Measure 9.9" not in raw and "Secret wording" not in raw


# --- 2. external ids cannot be squatted --------------------------------------------------


def test_a_participant_may_not_set_an_external_id_and_the_import_keeps_the_genuine_row(
    client, provision, participant, create_user
):
    answer = client.post(URL, json={"stance": "support", "body": "Mine.",
                                    "external_id": "sub-00042"},
                         headers=bearer(token_for(participant)))
    assert answer.status_code == 403 and "sub-00042" not in answer.get_data(as_text=True)
    assert stored() == 0
    secretariat = create_user("sec@example.org", role="secretariat")
    report = import_feedback(provision.round, [(1, {
        "external_id": "sub-00042", "provision": "m-1-1", "stance": "oppose",
        "body": "The genuine submission.", "author": {"email": "real@example.org"}})],
        actor=secretariat)
    assert (report.imported, report.duplicates) == (1, 0)


def test_an_external_id_past_100_characters_is_refused_with_400(client, provision, create_user):
    secretariat = create_user("sec@example.org", role="secretariat")
    answer = client.post(URL, json={"stance": "support", "body": "x", "external_id": "e" * 500},
                         headers=bearer(token_for(secretariat)))
    assert answer.status_code == 400 and "100" in answer.get_json()["error"]
    assert stored() == 0


# --- 3. one comment budget per account, however many tokens ------------------------------


def test_every_token_of_an_account_shares_one_comment_budget(client, provision, participant):
    tokens = [token_for(participant) for _ in range(3)]
    codes = [client.post(URL, json={"stance": "support", "body": f"n{n}"},
                         headers=bearer(tokens[n % 3])).status_code for n in range(33)]
    assert codes.count(201) == 30 and codes[-1] == 429


# --- 4 is tests/feedback/test_pages.py (the CSV export is a POST) and the admin refusals in
# tests/accounts/test_invitations.py; the black-box suite checks them under concurrent posts.

# --- 5. a database file that disappears --------------------------------------------------


@pytest.fixture
def served_file(tmp_path: Path):
    """An app serving a SQLite file it may not create, as gunicorn does in production."""
    path = tmp_path / "served.db"
    maker = create_app(config_for_tests(f"sqlite:///{path}"))
    with maker.app_context():
        db.create_all()
        stamp_head()
        db.engine.dispose()
    app = create_app(config_for_tests(f"sqlite:///{path}", SQLITE_MAY_CREATE=False))
    yield app, path
    with app.app_context():
        db.engine.dispose()


def test_a_missing_database_file_is_a_503_not_a_new_empty_database(served_file):
    app, path = served_file
    client = app.test_client()
    assert client.get("/healthz").get_json() == {
        "status": "ok", "database": "ok", "schema": client.get("/healthz").get_json()["schema"]}
    shutil.move(path, path.with_suffix(".away"))
    assert client.get("/").status_code == 503
    assert client.get("/healthz").status_code == 503
    assert not path.exists()  # nothing created behind the operator's back
    shutil.move(path.with_suffix(".away"), path)
    assert client.get("/").status_code == 200  # the same app recovers once the file is back
    assert client.get("/healthz").status_code == 200


def test_a_database_file_replaced_by_an_empty_one_fails_the_health_check(served_file):
    app, path = served_file
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.touch()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["schema"] == "missing"
    assert client.get("/").status_code == 503


# --- 6. crafted input is 400, never 500 --------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"stance": "support", "body": "x", "quote": {"exact": "fourteen", "start": 1e999}}',
         "finite"),
        ("[" * 30000 + "]" * 30000, "not valid JSON"),
        ('{"stance": "support", "body": "\\udc00"}', "Unicode"),
        ('{"stance": "support", "body": "a\\u0000b"}', "NUL"),
    ],
    ids=["infinite-offset", "deep-nesting", "lone-surrogate", "nul"],
)
def test_crafted_json_is_a_400_never_a_server_error(
    client, provision, participant, raw, message
):
    answer = client.post(URL, data=raw, content_type="application/json",
                         headers=bearer(token_for(participant)))
    assert answer.status_code == 400 and message in answer.get_json()["error"]
    assert stored() == 0


def test_a_cursor_past_64_bits_is_400(client, provision):
    answer = client.get(URL, query_string={"cursor": str(2**63)})
    assert answer.status_code == 400 and "cursor" in answer.get_json()["error"]


def test_nul_in_a_query_string_or_a_form_is_400(client, auth, provision, participant):
    assert client.get("/codes/demo-code/rounds/1/search", query_string={"q": "a\x00b"}
                      ).status_code == 400
    auth.login(participant.email)
    path = f"/feedback/provisions/{provision.id}/comments"
    answer = client.post(path, data={"stance": "support", "body": "a\x00b",
                                     "csrf_token": auth.csrf_token(path)})
    assert answer.status_code == 400 and stored() == 0


# --- 7. an over-size form from a signed-in user ------------------------------------------


def test_an_oversized_form_from_a_signed_in_user_is_a_413_page_with_headers(
    app, client, auth, participant, provision
):
    auth.login(participant.email)
    limit = app.config["MAX_CONTENT_LENGTH"]
    answer = client.post(f"/feedback/provisions/{provision.id}/comments",
                         data={"body": "x" * (limit + 10), "stance": "support"})
    assert answer.status_code == 413
    assert "Content-Security-Policy" in answer.headers
    assert "larger than we accept" in answer.get_data(as_text=True)


# --- 8. the JSON cap holds for chunked bodies ---------------------------------------------


def test_a_chunked_json_body_past_the_cap_is_413_and_not_stored(client, provision, participant):
    """No Content-Length to check: the body is counted as it is read."""
    from app.api.blueprint import MAX_JSON_BYTES

    body = json.dumps({"stance": "support", "body": "x" * 9000,
                       "pad": "y" * MAX_JSON_BYTES}).encode()
    answer = client.post(URL, input_stream=io.BytesIO(body), content_type="application/json",
                         headers={**bearer(token_for(participant)),
                                  "Transfer-Encoding": "chunked"},
                         environ_overrides={"wsgi.input_terminated": True})
    assert answer.status_code == 413 and stored() == 0


# --- 9. the current-password check is limited and audited -------------------------------


def test_wrong_current_passwords_are_audited_and_rate_limited(client, auth, participant):
    auth.login(participant.email)
    token = auth.csrf_token("/account")
    codes = [client.post("/account", data={"current": "wrong-password-9", "password": "x" * 14,
                                           "confirm": "x" * 14, "csrf_token": token}).status_code
             for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
    failures = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "password.change.failure"))
    assert failures == 10


# --- 10. a round made internal closes it to its commenters -------------------------------


def test_an_author_cannot_edit_once_the_round_turns_internal_and_my_feedback_hides_its_name(
    client, auth, participant, provision, create_comment
):
    comment = create_comment(provision, participant, "Before.", stance="amend")
    provision.round.visibility = "internal"
    provision.round.name = "Confidential restructuring draft"
    db.session.commit()
    auth.login(participant.email)
    token = auth.csrf_token("/my/feedback")
    assert client.get(f"/feedback/comments/{comment.id}/edit").status_code == 404
    assert client.post(f"/feedback/comments/{comment.id}/edit",
                       data={"stance": "oppose", "body": "After.", "csrf_token": token}
                       ).status_code == 404
    db.session.refresh(comment)
    assert comment.body == "Before."
    page = client.get("/my/feedback").get_data(as_text=True)
    assert "Before." in page and "Confidential restructuring draft" not in page


# --- 11. an idempotent replay must repeat the whole comment -------------------------------


def test_a_replay_with_another_stance_is_409_not_the_first_comment(client, provision,
                                                                     participant):
    headers = {**bearer(token_for(participant)), "Idempotency-Key": "k-11"}
    first = client.post(URL, json={"stance": "support", "body": "Same."}, headers=headers)
    again = client.post(URL, json={"stance": "oppose", "body": "Same."}, headers=headers)
    consent = client.post(URL, json={"stance": "support", "body": "Same.",
                                     "publish_consent": True}, headers=headers)
    assert (first.status_code, again.status_code, consent.status_code) == (201, 409, 409)
    assert stored() == 1


# --- 12. the smaller points -----------------------------------------------------------------


def test_feeds_and_annotations_use_the_configured_public_url_not_the_host_header(
    client, provision, participant, create_comment
):
    create_comment(provision, participant, "On a passage.", quote_exact="fourteen days",
                   quote_start=TEXT.index("fourteen days"), publish_consent=True,
                   quote_end=TEXT.index("fourteen days") + len("fourteen days"))
    evil = {"Host": "evil.example"}
    for url in ("/codes/demo-code/feed.atom", "/api/v1/codes/demo-code/rounds/1/annotations"):
        text = client.get(url, headers=evil).get_data(as_text=True)
        assert "evil.example" not in text and "http://localhost/" in text, url


@pytest.mark.parametrize("hidden", ["\u200b", "\ufeff", "\u202e", "\x00", "\u200b\u202e "])
@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_a_formula_behind_invisible_characters_is_defused(hidden, sign):
    cell = safe_cell(f"{hidden}{sign}HYPERLINK(\"http://evil\")")
    assert cell.startswith("'")
    assert next(csv.reader(io.StringIO(cell)))[0].startswith("'")


def test_a_503_keeps_its_own_retry_after(tmp_path):
    """The rate limiter's headers describe its window; a 503 says when to come back."""
    app = create_app(config_for_tests("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    answer = app.test_client().get("/api/v1/codes")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"


def test_the_task_queue_file_lives_beside_the_sqlite_database(tmp_path):
    from app.core.tasks import _storage

    app = create_app(config_for_tests(f"sqlite:///{tmp_path}/data/x.db", REDIS_URL=None))
    kind, options = _storage(app)
    assert kind.__name__ == "SqliteStorage"
    assert options["filename"] == str(tmp_path / "data" / "huey.db")


def test_the_content_security_policy_allows_no_data_images(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self';" in policy and "data:" not in policy


@pytest.mark.parametrize(("path", "name", "number"), [
    ("/my/notifications", "before", str(2**63)),
    ("/my/notifications", "before", str(-(10**20))),
    ("/admin/accounts", "page", str(10**30)),
])
def test_a_query_number_past_the_database_is_a_400_page_not_a_500(client, auth, create_user,
                                                                   path, name, number):
    """Numbers in query strings reach the database as bound parameters: too large for it
    (SQLite OverflowError, PostgreSQL "out of range") is the visitor's mistake."""
    secretariat = create_user(role="secretariat")
    auth.login(secretariat.email)
    answer = client.get(path, query_string={name: number})
    assert answer.status_code == 400, answer.status_code
    assert "too large" in answer.get_data(as_text=True)

"""POST and GET comments through /api/v1 (CONTRACT §5)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.core.db import db
from app.feedback.models import Comment
from tests.feedback.conftest import TEXT

URL = "/api/v1/codes/demo-code/rounds/1/provisions/m-1-1/comments"


@pytest.fixture
def provision(create_round, create_provision):
    return create_provision(create_round(1), "m-1-1", label="Measure 1.1", body=TEXT)


def token_for(user: Any) -> str:
    _, secret = accounts.create_token(user, "tests")
    db.session.commit()
    return secret


@pytest.fixture
def headers(create_user):
    user = create_user("api@example.org", name="Api User")
    return {"Authorization": f"Bearer {token_for(user)}"}


def post(client: Any, headers: dict[str, str], url: str = URL, **payload: Any) -> Any:
    payload.setdefault("stance", "amend")
    payload.setdefault("body", "Fourteen days is too short.")
    return client.post(url, json=payload, headers=headers)


def stored() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


def test_post_stores_the_comment_and_answers_201(client, provision, headers):
    response = post(
        client,
        headers,
        quote="within fourteen days",
        proposed_text="within thirty days",
        publish_consent=True,
    )
    assert response.status_code == 201
    item = response.get_json()
    assert item["quote"]["exact"] == "within fourteen days"
    assert item["quote"]["start"] == TEXT.index("within fourteen days")
    assert (item["stance"], item["status"], item["proposed_text"]) == (
        "amend",
        "open",
        "within thirty days",
    )
    assert response.headers["Location"] == f"/api/v1/comments/{item['id']}"
    assert stored() == 1 and "ignored" not in item


def test_keys_the_api_does_not_use_are_named_in_the_answer(client, provision, headers):
    # A misspelt consent must not leave the author believing the comment is public.
    response = post(client, headers, publish=True, parent=1, publish_consent=False)
    assert response.status_code == 201
    item = response.get_json()
    assert item["ignored"] == ["parent", "publish"]
    assert db.session.get(Comment, item["id"]).publish_consent is False


def test_post_without_a_token_is_401(client, provision):
    assert post(client, {}).status_code == 401
    assert post(client, {"Authorization": "Bearer nonsense"}).status_code == 401
    assert stored() == 0


def test_post_to_a_closed_round_is_409(client, create_round, create_provision, headers):
    create_provision(create_round(2, window="closed"), "m-1-1", body=TEXT)
    response = post(client, headers, url=URL.replace("/rounds/1/", "/rounds/2/"))
    assert response.status_code == 409
    assert "closed" in response.get_json()["error"]


def test_an_oversized_body_is_413_and_nothing_is_stored(client, provision, headers):
    assert post(client, headers, body="x" * 10_001).status_code == 413
    assert stored() == 0


def test_a_body_other_than_json_is_415(client, provision, headers):
    response = client.post(
        URL, data="stance=amend", headers=headers, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"stance": "furious"}, "Unknown stance"),
        ({"stance": None}, "Choose a stance: one of support, oppose"),
        ({"stance": ""}, "Choose a stance"),
        ({"stance": 5}, "stance must be a string"),
        ({"body": ""}, "empty"),
        ({"quote": "not a passage of it"}, "not in the provision"),
        ({"body": 42}, "must be a string"),
        ({"quote": {"exact": 5}}, "quote.exact must be the quoted text"),
        ({"quote": {"exact": "fourteen days", "start": "3"}}, "quote.start must be"),
        ({"publish_consent": "yes"}, "publish_consent must be true or false"),
        ({"publish_consent": 1}, "publish_consent must be true or false"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(client, provision, headers, payload, message):
    response = post(client, headers, **payload)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored() == 0


def test_a_round_the_caller_may_not_see_is_404(client, create_round, create_provision, headers):
    create_provision(create_round(3, visibility="internal"), "m-1-1", body=TEXT)
    assert post(client, headers, url=URL.replace("/rounds/1/", "/rounds/3/")).status_code == 404


def test_a_retried_post_with_the_same_idempotency_key_stores_one_comment(
    client, provision, headers
):
    keyed = {**headers, "Idempotency-Key": "retry-1"}
    first, second = post(client, keyed), post(client, keyed)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert stored() == 1


def test_get_lists_only_what_the_caller_may_see_with_a_cursor(
    client, provision, headers, create_user
):
    for n in range(3):
        post(client, headers, body=f"Published {n}", publish_consent=True)
    post(client, headers, body="Private one")
    public = client.get(URL + "?limit=2").get_json()
    assert [i["body"] for i in public["items"]] == ["Published 0", "Published 1"]
    rest = client.get(f"{URL}?limit=2&cursor={public['next']}").get_json()
    assert [i["body"] for i in rest["items"]] == ["Published 2"] and rest["next"] is None
    mine = client.get(URL, headers=headers).get_json()["items"]
    assert [i["body"] for i in mine][-1] == "Private one"
    stranger = {"Authorization": f"Bearer {token_for(create_user())}"}
    assert len(client.get(URL, headers=stranger).get_json()["items"]) == 3
    assert {
        "id",
        "external_id",
        "stance",
        "body",
        "quote",
        "proposed_text",
        "created_at",
        "status",
    } <= set(public["items"][0])


def test_a_published_comment_shows_its_author_and_a_private_one_does_not(
    client, provision, headers
):
    post(client, headers, body="Named", publish_consent=True)
    post(client, headers, body="Anonymous")
    items = client.get(URL, headers=headers).get_json()["items"]
    assert items[0]["author"]["name"] == "Api User"
    assert items[1]["author"] is None


def test_the_comment_endpoints_are_in_the_openapi_description(client, database):
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/codes/{code}/rounds/{n}/provisions/{key}/comments"]
    assert {"get", "post"} <= set(path)
    assert "413" in path["post"]["responses"] and "Comment" in spec["components"]["schemas"]
    assert "/codes/{code}/rounds/{n}/annotations" in spec["paths"]


def test_concurrent_retries_with_one_idempotency_key_store_one_comment(tmp_path):
    """Eight threads POST the same key at once against a real database file."""
    from app import create_app
    from app.config import config_for_tests
    from app.drafting.markdown import plain_text, render_markdown
    from app.drafting.models import Code, Provision, Round

    app = create_app(config_for_tests(f"sqlite:///{tmp_path / 'race.db'}"))
    with app.app_context():
        db.create_all()
        user = accounts.create_user("race@example.org", "Racer")
        round_ = Round(
            code=Code(slug="demo-code", title="Demo"),
            number=1,
            name="Draft 1",
            visibility="public",
            levels=["measure"],
        )
        import datetime as dt

        now = dt.datetime.now(dt.UTC)
        round_.opens_at, round_.closes_at = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
        html = render_markdown(TEXT)
        db.session.add(
            Provision(
                round=round_,
                key="m-1-1",
                kind="measure",
                depth=1,
                position=0,
                title="T",
                body=TEXT,
                body_html=html,
                text=plain_text(html),
            )
        )
        _, secret = accounts.create_token(user, "race")
        db.session.commit()
    statuses: list[int] = []
    ids: list[int] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            URL,
            data=json.dumps({"stance": "support", "body": "Once"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "same"},
        )
        statuses.append(response.status_code)
        ids.append(response.get_json()["id"])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        count = db.session.scalar(select(func.count(Comment.id)))
        db.engine.dispose()
    assert statuses == [201] * 8 and len(set(ids)) == 1 and count == 1


def test_comments_api_does_not_reveal_carries_into_a_round_the_caller_cannot_see(
    client, create_round, create_provision, create_user
):
    from app.core.db import db
    from app.feedback.models import Comment, CommentCarry

    old_round = create_round(1, code="carry-code", visibility="public", window="closed")
    new_round = create_round(2, code="carry-code", visibility="internal", window=None)
    provision = create_provision(old_round, "m-1", body="Keep documentation for ten years.")
    hidden = create_provision(new_round, "secret-new-key")
    author = create_user("carrier@example.org")
    comment = Comment(round=old_round, provision=provision, author=author, body="Ten is long.",
                      stance="amend", publish_consent=True, proposed_text="five years")
    db.session.add(comment)
    db.session.flush()
    db.session.add(CommentCarry(comment=comment, to_round_id=new_round.id,
                                to_provision_id=hidden.id, status="anchored", adopted=True,
                                adoption=1.0))
    db.session.commit()
    response = client.get("/api/v1/codes/carry-code/rounds/1/provisions/m-1/comments")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "secret-new-key" not in text
    assert response.get_json()["items"][0]["status"] != "adopted"


def test_the_longest_comment_is_accepted_however_its_json_is_escaped(client, provision, headers):
    """10,000 characters outside the BMP, ASCII-escaped as surrogate pairs (12 bytes each), fit
    the API's byte cap: only the text limits refuse a comment."""
    import json

    from app.feedback.models import BODY_LIMIT

    payload = json.dumps({"stance": "support", "body": "\U0001f600" * BODY_LIMIT})  # ensure_ascii
    assert len(payload) > 100_000
    response = client.post(URL, data=payload, headers={**headers,
                           "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 201


@pytest.mark.parametrize("limit", ["0", "-1", "999999", "abc", "1.5"])
def test_a_limit_outside_1_to_200_is_400_as_on_every_list(client, provision, limit):
    answer = client.get(URL, query_string={"limit": limit})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "limit must be a whole number from 1 to 200."
    assert client.get(URL, query_string={"limit": "200"}).status_code == 200


def test_proposed_wording_that_shows_nothing_is_no_proposal(client, provision, headers):
    response = post(client, headers, proposed_text="\u200b\u2060\u200b")
    assert response.status_code == 201 and response.get_json()["proposed_text"] is None
    assert db.session.scalars(select(Comment)).one().proposed_text is None

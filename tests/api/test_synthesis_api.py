"""GET /api/v1/codes/{code}/rounds/{n}/synthesis: chairs of the group and the secretariat."""

from __future__ import annotations

from typing import Any

from app.accounts import services as accounts
from app.core.db import db
from app.synthesis.services import run_synthesis
from tests.synthesis.conftest import add_comments, fake_embedder, feedback  # noqa: F401

URL = "/api/v1/codes/demo-code/rounds/1/synthesis"


def _token(create_user: Any, email: str, **kwargs: Any) -> dict[str, str]:
    user = create_user(email, **kwargs)
    _, secret = accounts.create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _run(feedback: Any, **scope: Any) -> None:  # noqa: F811
    run_synthesis(feedback["round"], **scope)
    db.session.commit()


def test_a_chair_reads_the_synthesis_document(client: Any, create_user: Any,
                                              feedback: Any) -> None:  # noqa: F811
    _run(feedback, provision="documentation")
    headers = _token(create_user, "chair@example.org", groups=[("wg1", "vice_chair")])
    response = client.get(f"{URL}?provision=documentation", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["scope"] == {"provision": "documentation", "group": None}
    named = [c for t in body["themes"] for c in t["comments"]] + body["unassigned"]
    assert len(named) == len(set(named)) == body["comment_count"] == 22


def test_the_secretariat_reads_any_scope_including_the_whole_round(
    client: Any, create_user: Any, feedback: Any  # noqa: F811
) -> None:
    _run(feedback)
    headers = _token(create_user, "sec@example.org", role="secretariat")
    assert client.get(URL, headers=headers).get_json()["comment_count"] == 24


def test_other_accounts_get_403_and_no_token_401(client: Any, create_user: Any,
                                                 feedback: Any) -> None:  # noqa: F811
    _run(feedback, provision="safety")
    participant = _token(create_user, "p@example.org", groups=[("wg2", "member")])
    chair_wg1 = _token(create_user, "c1@example.org", groups=[("wg1", "chair")])
    assert client.get(f"{URL}?provision=safety", headers=participant).status_code == 403
    assert client.get(f"{URL}?provision=safety", headers=chair_wg1).status_code == 403
    assert client.get(f"{URL}?group=wg2", headers=chair_wg1).status_code == 403
    assert client.get(f"{URL}?provision=safety").status_code == 404  # plenary: not public
    feedback["round"].visibility = "public"
    db.session.commit()
    response = client.get(f"{URL}?provision=safety")
    assert response.status_code == 401 and response.get_json()["error"]


def test_an_invisible_round_or_a_missing_run_is_404(client: Any, create_user: Any,
                                                    feedback: Any) -> None:  # noqa: F811
    headers = _token(create_user, "chair@example.org", groups=[("wg1", "chair")])
    assert client.get(f"{URL}?group=wg1", headers=headers).status_code == 404
    feedback["round"].visibility = "internal"
    db.session.commit()
    participant = _token(create_user, "p@example.org")
    response = client.get(URL, headers=participant)
    assert response.status_code == 404
    assert "Code demo-code" not in response.get_data(as_text=True)
    assert client.get("/api/v1/codes/demo-code/rounds/7/synthesis",
                      headers=headers).status_code == 404


def test_the_endpoint_is_documented(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/codes/{code}/rounds/{n}/synthesis"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])

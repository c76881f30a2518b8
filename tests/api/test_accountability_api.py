"""CONTRACT §7 through /api/v1: `feedback` on every diff entry, PUT .../decision, and the
register of a round as JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.core.db import db, utcnow
from tests.diffing import story as shared
from tests.diffing import why_story

story = shared.story
why = why_story.why
DIFF = "/api/v1/codes/demo/diff?from=2&to=3"
REGISTER = "/api/v1/codes/demo/rounds/2/register"


def bearer(user: Any) -> dict[str, str]:
    _, secret = accounts.create_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def chair(create_user: Any) -> Any:
    return create_user("wg1chair@example.org", name="Wanda Chair", groups=[("wg1", "chair")])


def feedback_of(data: dict[str, Any], key: str) -> Any:
    return next(e for e in data["provisions"] if e["from"] == key)["feedback"]


# -- feedback on diff entries ----------------------------------------------------------------

def test_every_diff_entry_carries_feedback_in_the_contract_shape(client: Any, why: Any,
                                                                 chair: Any) -> None:
    data = client.get(DIFF, headers=bearer(chair)).get_json()
    assert all("feedback" in entry for entry in data["provisions"])
    edit = feedback_of(data, "m-edit")
    assert edit["comments"] == 7
    assert edit["by_stance"] == {"support": 2, "oppose": 1, "amend": 4, "question": 0,
                                 "neutral": 0}
    assert edit["proposals"] == {"accepted": 1, "partly_accepted": 0, "not_taken_up": 1,
                                 "undecided": 1}
    kept, shorter = edit["themes"]
    assert kept == {"id": why.answered.id, "title": "Keep it maintained", "outcome": "accepted",
                    "answer": "The third draft now asks for complete documentation.",
                    "comments": 5}
    assert (shorter["title"], shorter["outcome"], shorter["comments"]) == (
        "Shorter text", "not_taken_up", 2)
    added = next(e for e in data["provisions"] if e["from"] == "m-split")["feedback"]
    assert added["comments"] == 0 and added["themes"] == []


def test_the_public_sees_small_counts_as_under_five(client: Any, why: Any) -> None:
    edit = feedback_of(client.get(DIFF).get_json(), "m-edit")
    assert edit["comments"] == 7
    assert edit["by_stance"] == {"support": "<5", "oppose": "<5", "amend": "<5",
                                 "question": 0, "neutral": 0}
    assert edit["proposals"]["accepted"] == "<5"
    assert [t["comments"] for t in edit["themes"]] == [5, "<5"]
    for value in [edit["comments"], *edit["by_stance"].values(), *edit["proposals"].values()]:
        assert value == "<5" or value == 0 or value >= 5


def test_the_public_gets_no_feedback_while_the_window_is_open(client: Any, why: Any,
                                                             chair: Any) -> None:
    why.story.rounds[2].closes_at = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    assert feedback_of(client.get(DIFF).get_json(), "m-edit") is None
    assert feedback_of(client.get(DIFF, headers=bearer(chair)).get_json(),
                       "m-edit")["comments"] == 7


def test_unpublished_answers_never_reach_the_diff(client: Any, why: Any) -> None:
    why.answered.response.published = False
    db.session.commit()
    titles = [t["title"] for t in feedback_of(client.get(DIFF).get_json(), "m-edit")["themes"]]
    assert titles == ["Shorter text"]


# -- PUT /comments/{id}/decision -------------------------------------------------------------

def put(client: Any, comment: Any, headers: dict[str, str], **body: Any) -> Any:
    return client.put(f"/api/v1/comments/{comment.id}/decision", json=body, headers=headers)


def test_a_chair_decides_through_the_api(client: Any, why: Any, chair: Any) -> None:
    response = put(client, why.undecided, bearer(chair), decision="partly_accepted",
                   reason="Shorter, but not that short.")
    assert response.status_code == 200
    item = response.get_json()
    assert (item["id"], item["decision"], item["decision_reason"]) == (
        why.undecided.id, "partly_accepted", "Shorter, but not that short.")
    assert item["decided_at"] and item["status"] != "adopted"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.decide"))
    assert event is not None and event.actor_id == chair.id
    again = client.get(f"/api/v1/comments/{why.undecided.id}", headers=bearer(chair))
    assert again.get_json()["decision"] == "partly_accepted"


@pytest.mark.parametrize(("body", "message"), [
    ({"decision": "adopted"}, "Unknown decision"),
    ({"decision": "not_taken_up", "reason": ""}, "short reason"),
    ({"decision": "partly_accepted"}, "short reason"),
    ({"decision": "accepted", "reason": 7}, "must be text"),
    ({}, "Unknown decision"),
])
def test_bad_decisions_are_400_and_store_nothing(client: Any, why: Any, chair: Any,
                                                 body: dict[str, Any], message: str) -> None:
    response = put(client, why.undecided, bearer(chair), **body)
    assert response.status_code == 400 and message in response.get_json()["error"]
    db.session.expire_all()
    assert why.undecided.decision is None


def test_refusals_have_the_fitting_status(client: Any, why: Any, chair: Any,
                                          create_user: Any) -> None:
    plain = why.comments[0]  # no proposed wording
    assert put(client, plain, bearer(chair), decision="accepted").status_code == 400
    assert put(client, why.undecided, {}, decision="accepted").status_code == 401
    author = bearer(why.undecided.author)  # sees their own comment, may not decide it
    assert put(client, why.undecided, author, decision="accepted").status_code == 403
    other = create_user("wg2chair@example.org", groups=[("wg2", "chair")])
    assert put(client, why.undecided, bearer(other), decision="accepted").status_code == 404
    assert put(client, why.accepted, bearer(other), decision="accepted").status_code == 403
    missing = client.put("/api/v1/comments/999999/decision", json={"decision": "accepted"},
                         headers=bearer(chair))
    assert missing.status_code == 404
    text = client.put(f"/api/v1/comments/{why.undecided.id}/decision", data="accepted",
                      headers=bearer(chair))
    assert text.status_code == 415
    why.story.rounds[2].closes_at = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    assert put(client, why.undecided, bearer(chair), decision="accepted").status_code == 409
    db.session.expire_all()
    assert why.undecided.decision is None


# -- the register ----------------------------------------------------------------------------

def test_the_register_lists_published_answers_with_their_provisions(client: Any,
                                                                    why: Any) -> None:
    data = client.get(REGISTER).get_json()
    assert data["next"] is None
    kept, shorter = data["items"]
    assert (kept["id"], kept["title"], kept["outcome"], kept["comments"]) == (
        why.answered.id, "Keep it maintained", "accepted", 5)
    assert kept["answer"] == "The third draft now asks for complete documentation."
    assert kept["provisions"] == [{"key": "m-edit", "label": "Measure 1.2", "round": 3,
                                   "compare_anchor": "c-m-edit--m-edit"}]
    assert shorter["comments"] == "<5" and shorter["provisions"] == []
    assert kept["proposals"] == {"accepted": "<5", "partly_accepted": 0, "not_taken_up": 0,
                                 "undecided": 0}
    assert shorter["by_category"] == {"smaller_groups": "<5"}  # two categories, 1 each


def test_the_register_pages_with_a_cursor(client: Any, why: Any) -> None:
    first = client.get(REGISTER + "?limit=1").get_json()
    assert len(first["items"]) == 1 and first["next"] == str(why.answered.id)
    second = client.get(REGISTER + f"?limit=1&cursor={first['next']}").get_json()
    assert [i["title"] for i in second["items"]] == ["Shorter text"] and second["next"] is None
    assert client.get(REGISTER + "?limit=x").status_code == 400
    # Only a cursor a list could give out: none negative, none beyond a database id.
    for cursor in ("x", "-1", "1.5", "99999999999999999999999"):
        refused = client.get(REGISTER + f"?cursor={cursor}")
        assert refused.status_code == 400 and "cursor" in refused.get_json()["error"], cursor


def test_the_register_as_csv(client: Any, why: Any) -> None:
    why.refused_theme.title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    response = client.get(REGISTER + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["title"] for r in rows] == ["Keep it maintained", "'=HYPERLINK(\"http://evil\")"]
    assert rows[0]["outcome"] == "accepted" and rows[0]["provision_keys"] == "m-edit"
    assert rows[0]["provision_labels"] == "Measure 1.2" and rows[0]["next_round"] == "3"


def test_the_register_is_empty_until_the_window_closes_and_404_when_unseen(
    client: Any, why: Any
) -> None:
    why.story.rounds[2].closes_at = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    assert client.get(REGISTER).get_json() == {"items": [], "next": None}
    why.story.rounds[2].visibility = "internal"
    db.session.commit()
    assert client.get(REGISTER).status_code == 404
    assert client.get(REGISTER + ".csv").status_code == 404


def test_provisions_of_a_round_the_caller_may_not_see_are_left_out(client: Any,
                                                                    why: Any) -> None:
    why.story.rounds[3].visibility = "internal"
    db.session.commit()
    kept = client.get(REGISTER).get_json()["items"][0]
    assert kept["provisions"] == []


def test_the_openapi_description_documents_the_new_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/comments/{id}/decision"]
    assert "get" in paths["/codes/{code}/rounds/{n}/register"]
    assert "get" in paths["/codes/{code}/rounds/{n}/register.csv"]
    entry = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["DiffEntry"]
    assert "feedback" in entry["required"]

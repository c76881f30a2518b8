"""GET /api/v1/codes/{code}/diff (CONTRACT §5)."""

from __future__ import annotations

from typing import Any

from app.accounts import services as accounts
from app.core.db import db
from tests.diffing import story as shared
from tests.diffing.story import SECRET_NAME

story = shared.story
secretariat = shared.secretariat


def test_every_entry_reassembles_the_old_and_new_bodies(client: Any, story: Any) -> None:
    for span in ((1, 2), (2, 3), (1, 3)):
        data = client.get(f"/api/v1/codes/demo/diff?from={span[0]}&to={span[1]}").get_json()
        assert data["provisions"]
        for entry in data["provisions"]:
            old = story.p[span[0], entry["from"]].body if entry["from"] else ""
            new = story.p[span[1], entry["to"]].body if entry["to"] else ""
            assert "".join(t for k, t in entry["ops"] if k in ("equal", "delete")) == old
            assert "".join(t for k, t in entry["ops"] if k in ("equal", "insert")) == new


def test_diff_has_the_contract_shape(client: Any, story: Any) -> None:
    data = client.get("/api/v1/codes/demo/diff?from=1&to=2").get_json()
    assert (data["code"], data["from"], data["to"]) == ("demo", 1, 2)
    edit = next(e for e in data["provisions"] if e["from"] == "m-edit")
    assert edit == {
        "from": "m-edit",
        "to": "m-edit",
        "kind": "modified",
        "from_label": "Measure 1.2",
        "to_label": "Measure 1.2",
        "ops": edit["ops"],
        "words_inserted": 1,
        "words_deleted": 1,
        "feedback": edit["feedback"],  # CONTRACT §7: tests/api/test_accountability_api.py
    }
    assert data["summary"] == {
        "unchanged": 2,
        "modified": 1,
        "moved": 1,
        "split": 1,
        "merged": 2,
        "removed": 1,
        "added": 2,
    }
    removed = next(e for e in data["provisions"] if e["kind"] == "removed")
    added = next(e for e in data["provisions"] if e["to"] == "m-new")
    assert removed["to"] is None and added["from"] is None


def test_provision_filter_keeps_its_entries(client: Any, story: Any) -> None:
    data = client.get("/api/v1/codes/demo/diff?from=1&to=2&provision=m-split").get_json()
    assert [(e["from"], e["to"]) for e in data["provisions"]] == [
        ("m-split", "m-split"),
        ("m-split", "m-split-2"),
    ]


def test_unknown_provision_is_404(client: Any, story: Any) -> None:
    assert client.get("/api/v1/codes/demo/diff?from=1&to=2&provision=zz").status_code == 404


def test_later_round_first_is_400_with_a_clear_message(client: Any, story: Any) -> None:
    response = client.get("/api/v1/codes/demo/diff?from=3&to=1")
    assert response.status_code == 400
    assert "from=1&to=3" in response.get_json()["error"]


def test_bad_round_numbers_are_400(client: Any, story: Any) -> None:
    for query in ("from=2&to=2", "from=x&to=2", "to=2"):
        response = client.get(f"/api/v1/codes/demo/diff?{query}")
        assert response.status_code == 400 and "error" in response.get_json()


def test_unknown_round_or_code_is_404(client: Any, story: Any) -> None:
    assert client.get("/api/v1/codes/demo/diff?from=1&to=7").status_code == 404
    assert client.get("/api/v1/codes/nope/diff?from=1&to=2").status_code == 404


def test_internal_round_is_404_for_the_public_and_unnamed(client: Any, story: Any) -> None:
    response = client.get("/api/v1/codes/demo/diff?from=3&to=4")
    assert response.status_code == 404
    assert SECRET_NAME not in response.get_data(as_text=True)


def test_secretariat_token_may_diff_the_internal_round(
    client: Any, story: Any, secretariat: Any
) -> None:
    _, secret = accounts.create_token(secretariat, "tests")
    db.session.commit()
    response = client.get(
        "/api/v1/codes/demo/diff?from=3&to=4", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200 and response.get_json()["summary"]["unchanged"] == 8


def test_openapi_describes_the_diff_response(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/codes/{code}/diff"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Diff"}
    assert "ops" in spec["components"]["schemas"]["DiffEntry"]["properties"]

"""/api/v1 codes, rounds, provision tree and provision: shape and visibility."""
# ruff: noqa: F811  (fixtures imported from tests/drafting/conftest.py)

from __future__ import annotations

from typing import Any

import pytest

from app.accounts import services as accounts
from app.core.db import db
from app.drafting import importer
from tests.drafting.conftest import MAY_SEE, VIEWERS, demo_groups, draft_text, visibility_code  # noqa: F401


@pytest.fixture
def bearer(create_user: Any):  # type: ignore[no-untyped-def]
    """Authorization headers for one kind of viewer (none for the public)."""

    def make(kind: str) -> dict[str, str]:
        if kind == "public":
            return {}
        role = "secretariat" if kind == "secretariat" else "participant"
        groups = [("wg1", "chair")] if kind == "chair" else None
        user = create_user(f"api-{kind}@example.org", role=role, groups=groups)
        _, secret = accounts.create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.mark.parametrize("kind", VIEWERS)
def test_api_shows_each_viewer_only_the_rounds_they_may_see(
    client: Any, visibility_code: Any, bearer: Any, kind: str
) -> None:
    headers = bearer(kind)
    codes = client.get("/api/v1/codes", headers=headers).get_json()["items"]
    visible = {r.number for v, r in visibility_code.items() if v in MAY_SEE[kind]}
    assert {c["slug"]: set(c["rounds"]) for c in codes}.get("vis-code") == visible
    rounds = client.get("/api/v1/codes/vis-code/rounds", headers=headers).get_json()["items"]
    assert {r["number"] for r in rounds} == visible
    for visibility, round_ in visibility_code.items():
        base = f"/api/v1/codes/vis-code/rounds/{round_.number}/provisions"
        for path in (base, f"{base}/m-1-1"):
            response = client.get(path, headers=headers)
            if visibility in MAY_SEE[kind]:
                assert response.status_code == 200
            else:
                assert response.status_code == 404
                assert "Secretname" not in response.get_data(as_text=True)


def test_provision_tree_nests_children(client: Any, demo_groups: None, draft_text: Any) -> None:
    importer.import_round(draft_text(), "1.md")
    db.session.commit()
    tree = client.get("/api/v1/codes/test-code/rounds/1/provisions").get_json()
    assert tree["round"]["number"] == 1
    [chapter] = tree["provisions"]
    assert chapter["key"] == "transparency" and chapter["group"] == "wg1"
    assert [c["label"] for c in chapter["children"]] == ["Measure 1.1", "Measure 1.2"]


def test_one_provision_has_its_text_html_and_parent(
    client: Any, demo_groups: None, draft_text: Any
) -> None:
    importer.import_round(draft_text(), "1.md")
    db.session.commit()
    item = client.get("/api/v1/codes/test-code/rounds/1/provisions/m-1-1").get_json()
    assert item["label"] == "Measure 1.1" and item["parent"] == "transparency"
    assert item["html"].startswith("<p>") and item["text"].startswith("Signatories shall")


def test_unknown_code_round_or_key_is_404_json(client: Any, visibility_code: Any) -> None:
    for path in (
        "/api/v1/codes/nope/rounds",
        "/api/v1/codes/vis-code/rounds/9/provisions",
        "/api/v1/codes/vis-code/rounds/3/provisions/nope",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "error" in response.get_json()


def test_drafting_endpoints_are_in_the_openapi_description(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/codes",
        "/codes/{code}/rounds",
        "/codes/{code}/rounds/{n}/provisions",
        "/codes/{code}/rounds/{n}/provisions/{key}",
    ):
        assert "get" in paths[path]

"""The round's anchored comments as W3C Web Annotations, checked against the W3C's own
`annotationMusts.test` assertions (JSON Schema draft 4, $refs resolved from definitions/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.feedback.conftest import TEXT

W3C = Path(__file__).resolve().parents[3] / "shared" / "w3c-web-annotation-tests"
URL = "/api/v1/codes/demo-code/rounds/1/annotations"
COMMENTS = "/api/v1/codes/demo-code/rounds/1/provisions/m-1-1/comments"


def _registry() -> Registry:
    resources = []
    for folder in ("definitions", "annotations"):
        for path in (W3C / folder).rglob("*.json"):
            contents = json.loads(path.read_text())
            resource = Resource(contents=contents, specification=DRAFT4)
            resources.append((contents.get("id") or path.name, resource))
    return Registry().with_resources(resources)


def must_validators() -> list[tuple[str, Draft4Validator]]:
    listing = json.loads((W3C / "annotations" / "annotationMusts.test").read_text())
    registry = _registry()
    validators = []
    for name in listing["assertions"]:
        schema = json.loads((W3C / name).read_text())
        validators.append(
            (name, Draft4Validator(schema, registry=registry, format_checker=FormatChecker()))
        )
    return validators


@pytest.fixture(scope="module")
def musts() -> list[tuple[str, Draft4Validator]]:
    if not W3C.exists():
        pytest.fail(f"the W3C test assertions are missing at {W3C}")
    return must_validators()


@pytest.fixture
def published(client, create_round, create_provision, create_user):
    from app.accounts import services as accounts
    from app.core.db import db

    create_provision(create_round(1), "m-1-1", label="Measure 1.1", body=TEXT)
    author = create_user("anno@example.org", name="Ann Otator", organisation="Ink Society")
    _, secret = accounts.create_token(author, "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for payload in (
        {
            "stance": "amend",
            "body": "Longer, please.",
            "quote": "within fourteen days",
            "proposed_text": "within thirty days",
            "publish_consent": True,
        },
        {
            "stance": "question",
            "body": "Which office?",
            "quote": "AI Office",
            "publish_consent": True,
        },
        {
            "stance": "support",
            "body": "Whole provision, so no annotation.",
            "publish_consent": True,
        },
        {"stance": "oppose", "body": "Private remark.", "quote": "technical documentation"},
    ):
        assert client.post(COMMENTS, json=payload, headers=headers).status_code == 201
    return headers


def test_the_w3c_musts_list_is_read_from_the_shared_folder(musts):
    assert len(musts) > 40


def test_every_annotation_passes_every_w3c_must(client, published, musts):
    page = client.get(URL, headers=published).get_json()
    assert len(page["items"]) == 3
    for item in page["items"]:
        for name, validator in musts:
            errors = [e.message for e in validator.iter_errors(item)]
            assert not errors, f"{name}: {errors}"


def test_the_w3c_musts_reject_a_broken_annotation(client, published, musts):
    """The validators can fail: an annotation without @context or target is refused."""
    item = client.get(URL, headers=published).get_json()["items"][0]
    broken = {k: v for k, v in item.items() if k not in ("@context", "target")}
    failures = [name for name, validator in musts if not validator.is_valid(broken)]
    assert any("Context" in name for name in failures)
    assert any("targetKeyFound" in name for name in failures)


def test_the_page_is_json_ld_with_the_anno_profile(client, published):
    response = client.get(URL)
    assert response.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    )
    page = json.loads(response.get_data(as_text=True))
    assert (page["@context"], page["type"]) == (
        "http://www.w3.org/ns/anno.jsonld",
        "AnnotationPage",
    )


def test_an_annotation_carries_selectors_bodies_and_motivation(client, published):
    items = client.get(URL).get_json()["items"]
    proposal = next(i for i in items if i["motivation"] == "editing")
    assert proposal["id"].startswith("http://localhost/api/v1/comments/")
    target: dict[str, Any] = proposal["target"]
    assert target["type"] == "SpecificResource"
    assert target["source"] == "http://localhost/codes/demo-code/rounds/1/provisions/m-1-1"
    quote, position = target["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "within fourteen days",
        "prefix": TEXT[TEXT.index("within fourteen") - 32 : TEXT.index("within fourteen")],
        "suffix": ".\n",
    }
    start = TEXT.index("within fourteen days")
    assert position == {"type": "TextPositionSelector", "start": start, "end": start + 20}
    purposes = {b["purpose"]: b["value"] for b in proposal["body"]}
    assert purposes == {
        "commenting": "Longer, please.",
        "editing": "within thirty days",
        "tagging": "amend",
    }
    assert proposal["creator"] == {"type": "Person", "name": "Ann Otator (Ink Society)"}


def test_the_public_sees_only_published_annotations_and_the_author_also_private_ones(
    client, published
):
    public = client.get(URL).get_json()["items"]
    own = client.get(URL, headers=published).get_json()["items"]
    assert len(public) == 2 and len(own) == 3
    private = next(
        i
        for i in own
        if i["motivation"] == "commenting" and i["body"][0]["value"] == "Private remark."
    )
    assert "creator" not in private


def test_annotations_of_a_round_the_caller_may_not_see_are_404(client, create_round, database):
    create_round(1, visibility="internal")
    response = client.get(URL)
    assert response.status_code == 404 and "Draft 1" not in response.get_data(as_text=True)

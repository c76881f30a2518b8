"""Lineage by meaning through the importer: confidence stored and exported, the review queue
(least certain first, confirm or correct in one click, kept on re-import), comments and
histories following a correction; and the restructuring benchmark through the real importer
and `plenary export lineage` with the real model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db
from app.drafting import importer
from app.drafting.models import LineageLink, Provision
from app.feedback.models import CommentCarry

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "restructure"

FIRST = """---
code: rq
title: Review code
round: 1
name: First draft
visibility: public
levels: [chapter, measure]
---

# Records {{#records}}

## Measure 1.1: Keeping records {{#keep}}

Signatories shall keep records of every training run for ten years and hand them over on request.

## Measure 1.2: Publishing a summary {{#publish}}

Signatories shall publish a summary of their training data once a year on their website.

## Measure 1.3: Energy {{#energy}}

Signatories shall report the energy used to train each model to the office.
"""
SECOND = """---
code: rq
title: Review code
round: 2
name: Second draft
visibility: public
levels: [chapter, measure]
---

# Records

## Measure 1.1: Retention

Providers retain logs of each training run for a decade, to be given to the office when it asks.

## Measure 1.2: Summary of data

Signatories shall publish a summary of their training data every year on their website.

## Measure 1.3: Electricity

Signatories shall report the electricity used to train each model to the office.
"""


def load(second: str = SECOND) -> None:
    importer.import_round(FIRST.replace("{{", "{").replace("}}", "}"), "1.md")
    importer.import_round(second, "2.md")
    db.session.commit()


def secretariat_session(client, auth, create_user) -> str:
    create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    return auth.csrf_token("/admin/drafts/rq/rounds/2/lineage?show=all")


def test_every_stored_link_has_a_confidence_and_the_export_carries_it(runner):
    load()
    links = db.session.scalars(select(LineageLink)).all()
    assert links and all(0.0 <= link.confidence <= 1.0 for link in links)
    assert any(link.alternatives for link in links)  # the engine says what else it weighed
    result = runner.invoke(args=["export", "lineage", "--code", "rq", "--from", "1", "--to", "2"])
    document = json.loads(result.stdout)
    assert all("confidence" in link for link in document["links"])
    rewritten = next(link for link in document["links"] if link["from"] == "keep")
    published = next(link for link in document["links"] if link["from"] == "publish")
    assert rewritten["confidence"] < published["confidence"]  # the heavy rewrite is doubtful


def test_the_lineage_api_carries_the_confidence_for_visible_rounds_only(client):
    load()
    answer = client.get("/api/v1/codes/rq/lineage", query_string={"from": 1, "to": 2})
    assert answer.status_code == 200
    assert all(0 <= link["confidence"] <= 1 for link in answer.get_json()["links"])
    second = db.session.scalar(select(Provision).where(Provision.key == "keep")).round
    second.code.rounds[1].visibility = "internal"
    db.session.commit()
    assert client.get("/api/v1/codes/rq/lineage", query_string={"from": 1, "to": 2}
                      ).status_code == 404


def test_the_review_queue_lists_the_least_certain_link_first(client, auth, create_user):
    load()
    secretariat_session(client, auth, create_user)
    page = client.get("/admin/drafts/rq/rounds/2/lineage?show=all").get_data(as_text=True)
    order = re.findall(r'id="review-([\w-]+)"', page)
    confidence = {link.from_provision.key: link.confidence
                  for link in db.session.scalars(select(LineageLink))}
    assert order == sorted(order, key=lambda key: confidence[key])
    assert 'class="side-by-side"' in page and "Confirm this link" in page


def test_confirming_a_link_is_one_click_and_survives_re_import(client, auth, create_user):
    load()
    token = secretariat_session(client, auth, create_user)
    answer = client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                         data={"became": "confirm", "csrf_token": token})
    assert answer.status_code == 302
    keep = lambda: db.session.scalar(select(LineageLink).join(  # noqa: E731
        Provision, Provision.id == LineageLink.from_provision_id).where(Provision.key == "keep"))
    confirmed = keep()
    assert confirmed.corrected and confirmed.confidence == 1.0
    targets = {t.to_provision.label for t in confirmed.targets}
    importer.import_round(SECOND + "\nA sentence added later.\n", "2.md")
    db.session.commit()
    again = keep()
    assert again.corrected and {t.to_provision.label for t in again.targets} == targets


def test_a_correction_moves_the_comments_and_the_history(
    client, auth, create_user, create_comment
):
    load()
    token = secretariat_session(client, auth, create_user)
    keep = db.session.scalar(select(Provision).where(Provision.key == "keep"))
    comment = create_comment(keep, create_user("a@example.org"), "Ten years is long.")
    importer.import_round(SECOND + "\n", "2.md")  # carried along the engine's links
    db.session.commit()
    energy_2 = db.session.scalar(select(Provision).join(Provision.round).where(
        Provision.label == "Measure 1.3", Provision.round.has(number=2)))
    client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                data={"became": energy_2.key, "csrf_token": token})
    carry = db.session.scalar(select(CommentCarry).where(CommentCarry.comment_id == comment.id))
    db.session.refresh(carry)
    assert carry.to_provision_id == energy_2.id
    history = client.get(f"/codes/rq/provisions/{keep.key}/history").get_data(as_text=True)
    assert "Electricity" in history


def test_a_bad_choice_in_the_queue_is_refused_and_changes_nothing(client, auth, create_user):
    load()
    token = secretariat_session(client, auth, create_user)
    before = [(link.id, link.corrected) for link in db.session.scalars(select(LineageLink))]
    assert client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                       data={"became": "no-such-key", "csrf_token": token}).status_code == 404
    assert client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                       data={"became": "", "csrf_token": token}).status_code == 400
    assert [(link.id, link.corrected) for link in db.session.scalars(select(LineageLink))] \
        == before


@pytest.mark.model
@pytest.mark.slow
def test_the_restructuring_benchmark_through_the_importer_and_the_export(app: Any, runner):
    """151 measures restructured into 148 (bench/data/restructure, our own text): through
    `plenary drafts import` and `plenary export lineage`, with all-MiniLM-L6-v2."""
    app.config["PLENARY_FAKE_EMBEDDER"] = False
    try:
        for name in ("1.md", "2.md"):
            result = runner.invoke(args=["drafts", "import", str(DATA / name)])
            assert result.exit_code == 0, result.output
        exported = runner.invoke(args=["export", "lineage", "--code", "restructure-bench",
                                       "--from", "1", "--to", "2"])
    finally:
        app.config["PLENARY_FAKE_EMBEDDER"] = True
    document = json.loads(exported.stdout)
    truth = json.loads((DATA / "truth.json").read_text())["measures"]
    expected = {link["from"]: (set(link["to"]), link["kind"]) for link in truth["links"]}
    targets = kinds = 0
    for link in document["links"]:
        if link["from_label"] in expected:
            want_targets, want_kind = expected[link["from_label"]]
            targets += set(link["to_labels"]) == want_targets
            kinds += set(link["to_labels"]) == want_targets and link["kind"] == want_kind
    measures = {label for label in document["added_labels"] if label.startswith("Measure")}
    false_added = len(measures - set(truth["added"]))
    assert (targets, kinds, false_added) >= (149, 146, 0) and false_added == 0, (
        targets, kinds, false_added)

"""A correction onto a provision that another one already became takes nothing from the other:
it keeps its link, the target has two sources (both "merged"), the secretariat is told, and
the lineage, the API and the comparison follow. Reported on the demo: round 3's Measure 2.3
corrected to "It became Measure 2.1" left round 3's own Measure 2.1 removed."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.core.db import db
from app.diffing import services as diffing
from app.drafting import importer
from app.drafting.models import LineageLink, Provision, Round
from tests.drafting.test_lineage_review import SECOND, load, secretariat_session

DRAFTS = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"


def link_of(key: str, number: int, code: str) -> LineageLink:
    return db.session.scalar(
        select(LineageLink)
        .join(Provision, Provision.id == LineageLink.from_provision_id)
        .join(Round, Round.id == Provision.round_id)
        .where(Provision.key == key, Round.number == number, Round.code.has(slug=code))
    )


def targets(link: LineageLink) -> list[str]:
    return [t.to_provision.key for t in link.targets]


def test_a_click_onto_a_linked_target_keeps_the_other_link(client, auth, create_user):
    load()
    token = secretariat_session(client, auth, create_user)
    before = link_of("energy", 1, "rq")
    assert targets(before) == ["energy"] and before.kind != "removed"
    answer = client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                         data={"became": "energy", "csrf_token": token}, follow_redirects=True)
    page = html.unescape(answer.get_data(as_text=True))
    keep, energy = link_of("keep", 1, "rq"), link_of("energy", 1, "rq")
    assert keep.corrected and targets(keep) == ["energy"] and keep.kind == "merged"
    assert not energy.corrected and targets(energy) == ["energy"] and energy.kind == "merged"
    assert "now has more than one source" in page
    assert "Measure 1.1: Keeping records, Measure 1.3: Energy" in page
    api = client.get("/api/v1/codes/rq/lineage?from=1&to=2").get_json()
    assert {e["from"]: (e["to"], e["kind"]) for e in api["links"]}["energy"] \
        == (["energy"], "merged")
    db.session.expunge_all()  # the links read above were replaced by the correction
    importer.import_round(SECOND + "\nA sentence added later.\n", "2.md")
    db.session.commit()
    again = link_of("energy", 1, "rq")
    assert targets(again) == ["energy"] and again.kind == "merged"


def test_a_correction_onto_an_unshared_target_says_nothing_more(client, auth, create_user):
    load()
    token = secretariat_session(client, auth, create_user)
    page = client.post("/admin/drafts/rq/rounds/2/lineage/keep",
                       data={"became": "removed", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "now has more than one source" not in page


def demo_rounds(create_group: Any) -> dict[int, Round]:
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        create_group(slug)
    rounds = {r.round.number: r.round for r in importer.import_path(DRAFTS)}
    db.session.commit()
    return rounds


def test_the_reported_demo_click_keeps_measure_2_1(client, auth, create_user, create_group):
    rounds = demo_rounds(create_group)
    token = secretariat_session(client, auth, create_user)
    own = link_of("m-1-6", 3, "gpai-code")
    assert targets(own) == ["m-1-6"]
    path = "/admin/drafts/gpai-code/rounds/4/lineage"
    page = html.unescape(client.post(path + "/m-2-3", data={"became": "m-1-6", "csrf_token": token},
                                     follow_redirects=True).get_data(as_text=True))
    corrected, own = link_of("m-2-3", 3, "gpai-code"), link_of("m-1-6", 3, "gpai-code")
    assert targets(corrected) == ["m-1-6"] and corrected.kind == "merged"
    assert targets(own) == ["m-1-6"] and own.kind == "merged" and not own.corrected
    assert "now has more than one source" in page
    api = client.get("/api/v1/codes/gpai-code/lineage?from=3&to=4").get_json()
    assert {e["from"]: (e["to"], e["kind"]) for e in api["links"]}["m-1-6"] \
        == (["m-1-6"], "merged")
    assert "m-1-6" not in client.get("/api/v1/codes/gpai-code/lineage?from=1&to=4")\
        .get_json()["added"]
    first = next(p for p in rounds[1].provisions if p.label == "Measure 1.6")
    kinds = {e.kind for e in diffing.compare(rounds[1], rounds[4]).entries
             if e.from_key == first.key}
    assert "removed" not in kinds
    # The hand-correction form, onto the target of round 3's own m-1-5.
    client.post(path, data={"csrf_token": auth.csrf_token(path), "source": "m-2-3",
                            "targets": ["m-1-5"]})
    assert targets(link_of("m-1-5", 3, "gpai-code")) == ["m-1-5"]
    assert targets(link_of("m-1-6", 3, "gpai-code")) == ["m-1-6"]

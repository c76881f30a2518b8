"""Rounds as Akoma Ntoso 3.0 (CONTRACT §9): valid against the OASIS schema, FRBR metadata,
and eIds that stay the same across rounds for the provisions lineage says are the same."""

from __future__ import annotations

import pytest
from lxml import etree

from app.core.db import db
from app.drafting.lineage import lineage_between
from app.record.akn import AKN_NS, eid_for, round_document
from tests.record.conftest import ROOT

SCHEMA_DIR = ROOT.parent / "shared" / "akoma-ntoso"
NS = {"akn": AKN_NS}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not (SCHEMA_DIR / "akomantoso30.xsd").exists():
        pytest.skip(f"the Akoma Ntoso schema is not at {SCHEMA_DIR} (../shared/akoma-ntoso)")
    # The schema imports ./xml.xsd beside it; the parser never touches the network.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "akomantoso30.xsd"), parser))


def valid(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    document = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    if not schema.validate(document):
        raise AssertionError("\n".join(str(e) for e in list(schema.error_log)[:10]))
    return document


@pytest.fixture
def demo(database, create_group):
    """The demo Code, all four rounds, imported as `plenary drafts import` would."""
    from app.drafting.importer import import_path

    for slug in ("wg1", "wg2", "wg3", "wg4"):
        create_group(slug)
    return [result.round for result in import_path(ROOT / "drafts/gpai-code")]


def eids(document: etree._Element) -> dict[str, etree._Element]:
    body = document.find(".//akn:mainBody", NS)
    return {el.get("eId"): el for el in body.iter() if el.get("eId") and "__" not in el.get("eId")}


def test_every_round_of_the_demo_code_validates_against_the_schema(schema, demo):
    for round_ in demo:
        document = valid(schema, round_document(round_))
        provisions = eids(document)
        assert len(provisions) == len(round_.provisions)
        assert set(provisions) == {eid_for(p.key) for p in round_.provisions}


def test_the_frbr_metadata_names_the_code_the_dated_round_and_this_file(schema, demo):
    final = demo[-1]
    document = valid(schema, round_document(final))
    work = document.find(".//akn:FRBRWork/akn:FRBRuri", NS).get("value")
    expression = document.find(".//akn:FRBRExpression", NS)
    assert work == "/akn/eu/doc/codeOfPractice/2025-11-14/gpai-code"
    assert expression.find("akn:FRBRuri", NS).get("value") == f"{work}/eng@{final.date}"
    assert expression.find("akn:FRBRdate", NS).get("date") == final.date.isoformat()
    assert expression.find("akn:FRBRversionNumber", NS).get("value") == str(final.number)
    assert expression.find("akn:FRBRauthoritative", NS).get("value") == str(final.final).lower()
    manifestation = document.find(".//akn:FRBRManifestation/akn:FRBRformat", NS)
    assert manifestation.get("value") == "application/akn+xml"
    assert document.find(".//akn:docTitle", NS).text == final.code.title


def test_provisions_lineage_calls_the_same_keep_their_eid_across_rounds(schema, demo):
    for earlier, later in zip(demo, demo[1:], strict=False):
        before = eids(valid(schema, round_document(earlier)))
        after = eids(valid(schema, round_document(later)))
        entries, _ = lineage_between(earlier, later)
        same = [(e.source, e.targets[0]) for e in entries
                if e.kind in ("unchanged", "modified", "moved")]  # fmt: skip
        assert len(same) > 10
        for source, target in same:
            eid = eid_for(source.key)
            assert eid == eid_for(target.key) and eid in before and eid in after, source.key
            heading = after[eid].find("akn:heading", NS)
            assert heading is not None and heading.text == target.title
        for entry in entries:  # a provision that split keeps its eId in the part that kept its key
            kept = [t for t in entry.targets if t.key == entry.source.key]
            for target in kept:
                assert eid_for(target.key) in after


def test_kinds_map_to_hierarchy_elements_and_bodies_to_blocks(schema, demo):
    document = valid(schema, round_document(demo[1]))
    chapter = document.find(".//akn:mainBody/akn:chapter", NS)
    assert chapter is not None and chapter.find("akn:heading", NS).text
    measure = document.find(".//akn:article", NS)
    assert measure.find("akn:num", NS).text.startswith("Measure")
    assert document.find(".//akn:section/akn:num", NS).text.startswith("Commitment")
    assert document.find(".//akn:table/akn:tr/akn:th/akn:p", NS) is not None


def test_unusual_markdown_still_validates(schema, create_round, create_provision):
    round_ = create_round(1)
    intro = "Intro with **bold**, _it_, `code` and [a link](https://example.org)."
    chapter = create_provision(round_, "ch 1!", kind="chapter", title="Odd", body=intro)
    create_provision(round_, "9-lives", kind="kpi", parent=chapter, title="Nested", body=(
        "# A heading\n\n> quoted *text*\n\n```\npre  formatted\n```\n\n---\n\n"
        "1. one\n   - inner **b**\n2. two\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n"
        "line  \nbreak"))  # fmt: skip
    create_provision(round_, "odd-kind", kind="recital", title="Other", body="")
    document = valid(schema, round_document(round_))
    assert document.find(".//akn:hcontainer[@name='recital']", NS) is not None
    assert {"ch-1", "p-9-lives", "odd-kind"} <= set(eids(document))


def test_export_akn_prints_the_document_and_refuses_an_unknown_round(schema, demo, runner):
    result = runner.invoke(args=["export", "akn", "--code", "gpai-code", "--round", "2"])
    assert result.exit_code == 0
    valid(schema, result.stdout_bytes)
    missing = runner.invoke(args=["export", "akn", "--code", "gpai-code", "--round", "9"])
    assert missing.exit_code == 2 and "no round 9" in missing.output


def test_the_api_export_has_the_visibility_of_the_round(schema, client, create_round,
                                                        create_provision):  # fmt: skip
    create_provision(create_round(1), "m-1", title="Visible")
    create_provision(create_round(2, visibility="internal"), "m-1", title="Internal")
    response = client.get("/api/v1/codes/demo-code/rounds/1/akn.xml")
    assert response.status_code == 200 and response.mimetype == "application/akn+xml"
    valid(schema, response.data)
    assert client.get("/api/v1/codes/demo-code/rounds/2/akn.xml").status_code == 404
    assert client.get("/api/v1/codes/demo-code/rounds/3/akn.xml").status_code == 404
    assert client.get("/api/v1/codes/nope/rounds/1/akn.xml").status_code == 404


def test_the_round_page_links_to_the_download(client, create_round, create_provision):
    create_provision(create_round(1), "m-1")
    page = client.get("/codes/demo-code/rounds/1").get_data(as_text=True)
    assert 'href="/api/v1/codes/demo-code/rounds/1/akn.xml"' in page
    db.session.rollback()

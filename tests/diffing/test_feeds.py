"""Atom feeds: valid XML, public rounds only, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from app.core.db import db
from tests.diffing.story import SECRET_NAME

A = "{http://www.w3.org/2005/Atom}"


def feed(client: Any, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def test_code_feed_is_atom_with_one_entry_per_public_round(client: Any, story: Any) -> None:
    root = feed(client, "/codes/demo/feed.atom")
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None
    titles = [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")]
    assert titles == ["Round 3: Third draft", "Round 2: Second draft", "Round 1: First draft"]
    for entry in root.findall(f"{A}entry"):
        assert entry.findtext(f"{A}id") and entry.findtext(f"{A}updated")
        assert entry.find(f"{A}link").get("href").startswith("http")


def test_code_feed_leaves_out_internal_and_plenary_rounds(
    client: Any, auth: Any, story: Any, secretariat: Any
) -> None:
    story.rounds[3].visibility = "plenary"
    db.session.commit()
    auth.login(secretariat.email)
    body = client.get("/codes/demo/feed.atom").get_data(as_text=True)
    assert SECRET_NAME not in body and "Third draft" not in body and "Second draft" in body


def test_code_feed_summarises_the_changes(client: Any, story: Any) -> None:
    root = feed(client, "/codes/demo/feed.atom")
    summaries = [e.findtext(f"{A}summary") for e in root.findall(f"{A}entry")]
    assert "1 split" in summaries[1] and "2 merged" in summaries[1]


def test_feed_escapes_markup_in_titles(client: Any, story: Any) -> None:
    story.rounds[2].name = 'Draft <b>& "two"'
    db.session.commit()
    root = feed(client, "/codes/demo/feed.atom")
    assert 'Round 2: Draft <b>& "two"' in [
        e.findtext(f"{A}title") for e in root.findall(f"{A}entry")
    ]


def test_provision_feed_lists_its_public_versions(client: Any, story: Any) -> None:
    root = feed(client, "/codes/demo/provisions/m-edit/feed.atom")
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}title")[:7] for e in entries] == ["Round 3", "Round 2", "Round 1"]
    assert "1 words inserted" in entries[0].findtext(f"{A}summary")
    assert "modified" in entries[1].findtext(f"{A}summary")


def test_provision_only_in_an_internal_round_has_no_feed(
    client: Any, story: Any, create_provision: Any
) -> None:
    create_provision(story.rounds[4], "m-secret", label="Measure 9.9")
    assert client.get("/codes/demo/provisions/m-secret/feed.atom").status_code == 404
    assert client.get("/codes/nope/feed.atom").status_code == 404


def test_code_without_a_public_round_has_no_feed(client: Any, create_round: Any) -> None:
    create_round(1, code="hidden", visibility="plenary")
    response = client.get("/codes/hidden/feed.atom")
    assert response.status_code == 404 and "Code hidden" not in response.get_data(as_text=True)


def test_a_feed_carries_a_stylesheet_that_makes_it_a_readable_page(client, story):
    """Opened in a browser, the feed shows as a page (an XSLT 1.0 stylesheet, applied here by
    lxml as a browser would); feed readers ignore the processing instruction."""
    from lxml import etree

    raw = client.get("/codes/demo/feed.atom").get_data()
    assert b'<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>' in raw
    stylesheet = etree.XSLT(etree.fromstring(client.get("/static/feed.xsl").get_data()))
    page = str(stylesheet(etree.fromstring(raw)))
    assert "<h1>" in page and "feed reader" in page
    assert page.count("<li>") == len(etree.fromstring(raw).findall(
        "{http://www.w3.org/2005/Atom}entry"))


def test_pages_of_a_code_with_public_rounds_announce_its_feed(client, story):
    for path in ("/codes/demo", "/codes/demo/rounds/1"):
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="alternate" type="application/atom+xml"' in page
        assert 'href="/codes/demo/feed.atom"' in page

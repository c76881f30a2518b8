"""A round's contents say what changed since the previous round the reader may see, how many
comments the reader may read on each provision, and invite comments while the window is open;
internal keys stay off public pages."""

from __future__ import annotations

import re

from app.core.db import db
from app.drafting import importer

FIRST = """---
code: cc
title: Contents code
round: 1
name: First draft
visibility: public
levels: [chapter, measure]
---

# Records {#records wg=wg1}

## Measure 1.1: Keeping {#keep}

Signatories shall keep records for ten years.

## Measure 1.2: Sharing {#share}

Signatories shall share records with the office.
"""
SECOND = FIRST.replace("round: 1", "round: 2").replace("First draft", "Second draft").replace(
    "keep records for ten years", "keep complete records for twelve years").replace(
    "## Measure 1.2: Sharing {#share}", "## Measure 1.2: Publishing {#publish}\n\n"
    "Signatories shall publish a summary of their records.\n\n## Measure 1.3: Sharing {#share}")


def load(create_group):
    create_group("wg1")
    importer.import_round(FIRST, "1.md")
    second = importer.import_round(SECOND, "2.md").round
    db.session.commit()
    return second


def marks(page: str) -> dict[str, str]:
    """{provision heading: its mark} from the contents."""
    found = {}
    for heading, rest in re.findall(r'">(Measure [^<]+)</a>(.*?)</li>', page, re.S):
        mark = re.search(r'class="mark mark-\w+">([^<]+)<', rest)
        found[heading] = mark.group(1) if mark else ""
    return found


def test_contents_mark_new_and_changed_provisions_against_the_previous_round(
    client, create_group
):
    load(create_group)
    page = client.get("/codes/cc/rounds/2").get_data(as_text=True)
    assert "Marked against First draft" in page
    assert marks(page) == {"Measure 1.1: Keeping": "changed", "Measure 1.2: Publishing": "new",
                           "Measure 1.3: Sharing": ""}
    first = client.get("/codes/cc/rounds/1").get_data(as_text=True)
    assert "Marked against" not in first and 'class="mark ' not in first


def test_contents_count_only_the_comments_the_reader_may_read(
    client, auth, create_group, create_user, create_comment
):
    second = load(create_group)
    keep = next(p for p in second.provisions if p.key == "keep")
    author = create_user("a@example.org")
    create_comment(keep, author, "Published.", publish_consent=True)
    create_comment(keep, author, "Private.")
    public = client.get("/codes/cc/rounds/2").get_data(as_text=True)
    assert re.search(r"Keeping</a>.*?1 comment<", public, re.S)
    auth.login("a@example.org")
    mine = client.get("/codes/cc/rounds/2").get_data(as_text=True)
    assert re.search(r"Keeping</a>.*?2 comments<", mine, re.S)


def test_an_open_round_invites_comments_and_a_closed_one_does_not(client, create_round):
    create_round(1, window="open")
    assert "open for your feedback" in client.get("/codes/demo-code/rounds/1").get_data(
        as_text=True)
    create_round(2, window="closed")
    assert "open for your feedback" not in client.get("/codes/demo-code/rounds/2").get_data(
        as_text=True)


def test_provision_keys_are_shown_to_the_secretariat_only(
    client, auth, create_round, create_provision, create_user
):
    create_provision(create_round(1), "robots-txt", label="Measure 1.1")
    url = "/codes/demo-code/rounds/1/provisions/robots-txt"
    assert "<code>robots-txt</code>" not in client.get(url).get_data(as_text=True)
    create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    assert "<code>robots-txt</code>" in client.get(url).get_data(as_text=True)

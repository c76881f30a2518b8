"""The passages highlighted on a provision's page are those of the comments the reader may
see: published ones for everyone, one's own, everything for the group's chairs."""

from __future__ import annotations

import json
import re

from tests.feedback.test_pages import PAGE


def anchors(html: str) -> list[dict]:
    found = re.search(r'<script type="application/json" id="comment-anchors">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1)) if found else []


def quoted(create_comment, provision, author, passage: str, **fields):
    start = provision.text.index(passage)
    return create_comment(provision, author, quote_exact=passage, quote_prefix="",
                          quote_suffix="", quote_start=start, quote_end=start + len(passage),
                          **fields)


def test_only_the_passages_of_comments_the_reader_may_see_are_highlighted(
    client, auth, provision, participant, other, chair, create_comment
):
    public = quoted(create_comment, provision, other, "within fourteen days",
                    publish_consent=True)
    private = quoted(create_comment, provision, other, "technical documentation")
    mine = quoted(create_comment, provision, participant, "AI Office")
    quoted(create_comment, provision, other, "up to date", publish_consent=True,
           status="withdrawn")
    create_comment(provision, other, publish_consent=True)  # on the whole provision

    assert [a["id"] for a in anchors(client.get(PAGE).get_data(as_text=True))] == [public.id]
    auth.login(participant.email)
    seen = anchors(client.get(PAGE).get_data(as_text=True))
    assert [a["id"] for a in seen] == [public.id, mine.id]
    assert seen[1]["exact"] == "AI Office"
    assert provision.text[seen[1]["start"]:seen[1]["end"]] == "AI Office"
    auth.logout()
    auth.login(chair.email)
    assert [a["id"] for a in anchors(client.get(PAGE).get_data(as_text=True))] == [
        public.id, private.id, mine.id]


def test_a_quote_cannot_break_out_of_the_script_element(
    client, provision, other, create_comment, create_provision, open_round
):
    odd = create_provision(open_round, "m-9", label="Measure 9",
                           body="Never write </script><b>x</b> in a draft.")
    quoted(create_comment, odd, other, "</script><b>x</b>", publish_consent=True)
    html = client.get("/codes/demo-code/rounds/1/provisions/m-9").get_data(as_text=True)
    assert anchors(html)[0]["exact"] == "</script><b>x</b>"

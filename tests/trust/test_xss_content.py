"""Script payloads in content (issue 7, point 2): comments, proposed wording, quotes, replies,
draft text and file names, group names, theme labels, notes and chair responses.

They must come out harmless on every page that shows them, intact and inert in JSON, formula
safe in CSV, and escaped in well-formed Atom feeds.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from app.accounts import services as accounts
from app.core.db import db
from app.feedback.export import FORMULA_STARTS
from tests.trust.conftest import ATTRIBUTE, HOSTILE, HOSTILE_FILE_NAME, SCRIPT, TEMPLATE

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATOM = "{http://www.w3.org/2005/Atom}"
JAVASCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_inert(html: str) -> None:
    """No payload survives as markup: no script element, no injected tag, no script URL."""
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert not JAVASCRIPT_URL.search(html)


def page_of(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def key_of(world: Any, kind: str = "measure") -> str:
    return next(p.key for p in world.round1.provisions if p.kind == kind)


PAGES = {
    # viewer -> pages; "{m}" is the measure's key, "{c}" the chapter's, "{run}" and "{theme}"
    "public": [
        "/codes/xss-code",
        "/codes/xss-code/rounds/1",
        "/codes/xss-code/rounds/1/provisions/{m}",
        "/codes/xss-code/rounds/1/provisions/{c}",
        "/codes/xss-code/compare?from=1&to=2",
        "/codes/xss-code/compare/print?from=1&to=2",
        "/codes/xss-code/rounds/2/changes",
        "/codes/xss-code/provisions/{m}/history",
        "/codes/xss-code/search?q=documentation",
        "/codes/xss-code/rounds/1/register",
        "/",
    ],
    "author": [
        "/codes/xss-code/rounds/1/provisions/{m}",
        "/my/feedback",
        "/feedback/comments/{comment}/edit",
        "/feedback/provisions/{mid}/comments",
    ],
    "chair": [
        "/codes/xss-code/rounds/1/provisions/{m}",
        "/chair/synthesis",
        "/chair/codes/xss-code/rounds/1/synthesis",
        "/chair/runs/{run}",
        "/chair/runs/{run}/themes/{theme}",
        "/chair/runs/{run}/codebook",
        "/codes/xss-code/rounds/1/register",
    ],
    "secretariat": [
        "/admin/drafts",
        "/admin/drafts/xss-code/rounds/1",
        "/admin/drafts/xss-code/rounds/2",
        "/admin/drafts/xss-code/rounds/1/lineage",
        "/admin/groups",
        "/admin/accounts",
        "/admin/audit",
        "/codes/xss-code/rounds/1/provisions/{m}",
        "/feedback/comments/{comment}/hide",
        "/codes/xss-code/rounds/1/feedback/import",
    ],
}
CASES = [(who, url) for who, urls in PAGES.items() for url in urls]


def sign_in(auth: Any, world: Any, who: str) -> None:
    if who != "public":
        assert auth.login(getattr(world, who).email).status_code == 302


@pytest.mark.parametrize("who, url", CASES, ids=[f"{w}:{u}" for w, u in CASES])
def test_payloads_are_escaped_on_every_page_that_shows_them(client, auth, hostile_world, who, url):
    sign_in(auth, hostile_world, who)
    url = url.format(
        m=key_of(hostile_world),
        c=key_of(hostile_world, "chapter"),
        mid=hostile_world.measure.id,
        comment=hostile_world.comment.id,
        run=hostile_world.run.id,
        theme=hostile_world.theme.id,
    )
    html = page_of(client, url)
    assert_inert(html)
    assert ESCAPED_SCRIPT in html, "the page should show the payload, escaped"
    assert TEMPLATE in html, "text is never evaluated as a template"


def test_the_upload_confirmation_escapes_the_file_name_and_the_drafts_text(hostile_world):
    for page in hostile_world.uploads:
        assert_inert(page)
    assert HOSTILE_FILE_NAME not in "".join(hostile_world.uploads)


def test_a_search_for_a_payload_echoes_it_escaped(client, hostile_world):
    for query in (SCRIPT, ATTRIBUTE, TEMPLATE, "javascript:alert(1)"):
        html = page_of(client, f"/codes/xss-code/search?round=1&q={query}")
        assert_inert(html)
    assert ESCAPED_SCRIPT in page_of(client, f"/codes/xss-code/search?round=1&q={SCRIPT}")


def test_markdown_links_to_script_urls_are_never_links(client, hostile_world):
    html = page_of(client, f"/codes/xss-code/rounds/1/provisions/{key_of(hostile_world)}")
    assert "javascript:alert(1)" in html  # shown as text
    assert not JAVASCRIPT_URL.search(html)


# --- JSON -------------------------------------------------------------------------------------


def strings_of(data: Any) -> list[str]:
    """Every string value in a JSON document."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    return [text for item in data for text in strings_of(item)] if isinstance(data, list) else []


def bearer(user: Any) -> dict[str, str]:
    _, secret = accounts.create_token(user, "xss")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_json_carries_the_payloads_intact_and_as_json_only(client, hostile_world):
    key = key_of(hostile_world)
    headers = bearer(hostile_world.secretariat)
    urls = [
        "/api/v1/codes",
        "/api/v1/codes/xss-code/rounds",
        "/api/v1/codes/xss-code/rounds/1/provisions",
        f"/api/v1/codes/xss-code/rounds/1/provisions/{key}",
        f"/api/v1/codes/xss-code/rounds/1/provisions/{key}/comments",
        f"/api/v1/comments/{hostile_world.comment.id}",
        "/api/v1/codes/xss-code/rounds/1/annotations",
        "/api/v1/codes/xss-code/diff?from=1&to=2",
        f"/api/v1/codes/xss-code/rounds/1/synthesis?provision={key}",
    ]
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert response.mimetype in ("application/json", "application/ld+json"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert any(HOSTILE in text for text in strings_of(response.get_json())), url
    comment = client.get(f"/api/v1/comments/{hostile_world.comment.id}", headers=headers)
    data = comment.get_json()
    assert data["body"].endswith(f"{HOSTILE} [click me](javascript:alert(1))")
    assert data["proposed_text"] == f"@SUM(1) {HOSTILE}"
    assert data["quote"]["exact"] == SCRIPT
    html = client.get(f"/api/v1/codes/xss-code/rounds/1/provisions/{key}").get_json()["html"]
    assert_inert(html)


# --- CSV --------------------------------------------------------------------------------------


def download_csv(client, auth, url="/codes/xss-code/rounds/1/comments.csv"):
    """The export is a POST (it is audit-logged); its GET page carries the form."""
    return client.post(url, data={"csrf_token": auth.csrf_token(url)})


def test_the_csv_export_is_formula_safe_and_keeps_the_text(client, auth, hostile_world):
    auth.login("sec@example.org")
    response = download_csv(client, auth)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    first = next(r for r in rows if r["id"] == str(hostile_world.comment.id))
    assert first["body"].startswith("'=1+2 ") and HOSTILE in first["body"]
    assert first["proposed_text"] == f"'@SUM(1) {HOSTILE}"
    assert first["quote"] == SCRIPT
    assert first["author_organisation"].startswith("'=HYPERLINK(")
    reply = next(r for r in rows if r["id"] == str(hostile_world.reply.id))
    assert reply["body"] == f"'-Reply {HOSTILE}"


@pytest.mark.parametrize(
    "start", ["=", "+", "-", "@", "\t", "\r", "\n=", " =", "\u00a0=", "＝", "＋"]
)
def test_a_formula_behind_leading_characters_is_still_neutralised(
    client, auth, hostile_world, create_comment, start
):
    create_comment(
        hostile_world.measure,
        hostile_world.author,
        body=f'{start}HYPERLINK("http://evil.example","x")',
    )
    auth.login("sec@example.org")
    rows = list(
        csv.reader(
            io.StringIO(download_csv(client, auth).get_data(as_text=True))
        )
    )
    body = rows[-1][rows[0].index("body")]
    assert body == "'" + f'{start}HYPERLINK("http://evil.example","x")'


# --- Atom -------------------------------------------------------------------------------------


def test_atom_feeds_are_well_formed_and_escape_the_payloads(client, hostile_world):
    for url in (
        "/codes/xss-code/feed.atom",
        f"/codes/xss-code/provisions/{key_of(hostile_world)}/feed.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        raw = response.get_data()
        assert b"<script>" not in raw and b"<img src=x" not in raw
        feed = ET.fromstring(raw)  # well-formed, or this raises
        titles = [t.text or "" for t in feed.iter(f"{ATOM}title")]
        assert any(HOSTILE in t for t in titles), (url, titles)

"""The public record page, the checking script, and receipts from My feedback."""

from __future__ import annotations

import json

from app.core.db import db
from app.feedback import services as feedback
from app.record.canonical import commitment
from tests.record.conftest import ROOT


def test_the_record_page_explains_the_log_and_shows_the_script(client, provision, author):
    feedback.submit_comment(provision, author, stance="support", body="Logged.")
    db.session.commit()
    page = client.get("/record")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "What the log proves" in text and "How to check it yourself" in text
    assert "<dt>Entries</dt><dd>1</dd>" in text
    assert "python3 verify_receipt.py" in text and "def ed25519_ok" in text
    assert "plenary verify log --url http://localhost/api/v1" in text
    script = client.get("/record/verify_receipt.py")
    assert script.status_code == 200 and "attachment" in script.headers["Content-Disposition"]
    assert script.get_data(as_text=True) == (ROOT / "docs/verify_receipt.py").read_text()


def test_an_author_downloads_the_receipt_of_each_comment(client, auth, provision, author,
                                                         create_user):  # fmt: skip
    comment = feedback.submit_comment(provision, author, stance="amend", body="Mine.")
    feedback.edit_comment(comment, body="Mine, edited.")
    db.session.commit()
    url = f"/record/receipts/{comment.id}.json"
    assert client.get(url).status_code == 302  # to the login page
    auth.login("author@example.org")
    listing = client.get("/my/feedback").get_data(as_text=True)
    assert f'href="{url}"' in listing
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    receipt = json.loads(response.get_data(as_text=True))
    assert receipt["comment"]["body"] == "Mine, edited." and receipt["log"].endswith("/api/v1")
    assert json.loads(receipt["leaf"])["type"] == "comment_edited"
    assert json.loads(receipt["leaf"])["commitment"] == commitment(receipt["salt"],
                                                                   receipt["comment"])  # fmt: skip
    auth.logout()
    create_user("someone@example.org")
    auth.login("someone@example.org")
    assert client.get(url).status_code == 404
    assert client.get("/record/receipts/999999.json").status_code == 404

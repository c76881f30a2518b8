"""The secretariat's draft upload in French: a file's `file:line: problem`, a refused
re-import and the summary of what was imported are in French on the page, and the same
refusals stay English for the command line."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest

from app.core.db import db
from app.core.errors import DomainError
from app.drafting import importer
from app.feedback.models import Comment

NNBSP = "\u202f"


@pytest.fixture
def secretariat(create_user: Any, auth: Any, client: Any) -> Any:
    user = create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    client.set_cookie("plenary_lang", "fr")
    return user


def upload(client: Any, auth: Any, text: str, name: str = "1.md") -> str:
    data = {"csrf_token": auth.csrf_token("/admin/drafts"),
            "file": (io.BytesIO(text.encode()), name)}
    page = client.post("/admin/drafts", data=data, content_type="multipart/form-data",
                       follow_redirects=True)
    text = html.unescape(page.get_data(as_text=True))
    assert '<html lang="fr">' in text
    return re.sub(r"[ \t\n]+", " ", text)  # (\s would take the narrow no-break spaces)


def english_refusal(text: str, name: str) -> str:
    """What the command line says of the same file (importer.parse, in English)."""
    with pytest.raises(DomainError) as refused:
        importer.import_round(text, name)
    db.session.rollback()
    return refused.value.message


@pytest.mark.parametrize(("text", "french"), [
    ("# Title only\n",
     f"bad.md:1{NNBSP}: pas d’en-tête{NNBSP}: le fichier doit commencer par une ligne "
     f"«{NNBSP}---{NNBSP}»"),
    ("---\ntitle: T\nround: 0\nlevels: [measure]\n---\n",
     f"bad.md:3{NNBSP}: round doit être un nombre entier positif, pas 0"),
    ("---\ncode: c\ntitle: T\nround: 1\nlevels: [measure]\n---\n## Deep\n",
     f"bad.md:7{NNBSP}: titre de niveau 2, mais seuls 1 niveaux sont déclarés"),
    ("---\ncode: c\ntitle: T\nround: 1\nlevels: [measure]\n---\n# A <b>bold</b> one\n",
     f"bad.md:7{NNBSP}: le HTML brut n’est pas admis («{NNBSP}<b>"),
])
def test_a_malformed_file_is_refused_in_french_naming_file_and_line(
    client: Any, auth: Any, secretariat: Any, text: str, french: str
) -> None:
    page = upload(client, auth, text, "bad.md")
    assert french in page, page[page.find("<main"):][:1500]
    english = english_refusal(text, "bad.md")
    assert english.startswith("bad.md:") and english not in page


def test_an_unknown_working_group_is_refused_in_french(
    client: Any, auth: Any, secretariat: Any, draft_text: Any
) -> None:
    page = upload(client, auth, draft_text(1))
    assert (f"1.md:10{NNBSP}: groupe de travail «{NNBSP}wg1{NNBSP}» inconnu (créez-le "
            f"d’abord{NNBSP}: plenary groups create)") in page
    assert english_refusal(draft_text(1), "1.md") == (
        "1.md:10: unknown working group 'wg1' (create it first: plenary groups create)")


def test_the_import_summary_is_in_french(
    client: Any, auth: Any, secretariat: Any, demo_groups: None, draft_text: Any
) -> None:
    assert "1.md : version 1 créée (3 dispositions)".replace(" :", f"{NNBSP}:") in upload(
        client, auth, draft_text(1))
    assert f"1.md{NNBSP}: version 1 inchangée (3 dispositions)" in upload(
        client, auth, draft_text(1))
    assert (f"2.md{NNBSP}: version 2 créée (3 dispositions{NNBSP}; 0 ajoutée, 3 inchangées)"
            in upload(client, auth, draft_text(2), "2.md"))


def test_a_round_with_feedback_is_not_overwritten_and_says_so_in_french(
    client: Any, auth: Any, secretariat: Any, demo_groups: None, draft_text: Any
) -> None:
    result = importer.import_round(draft_text(1), "1.md")
    provision = result.round.provisions[1]
    db.session.add(Comment(round=result.round, provision=provision, author=secretariat,
                           body="A comment.", stance="question"))
    db.session.commit()
    edited = draft_text(1, extra="\nOne more sentence.\n")
    page = upload(client, auth, edited)
    assert (f"1.md:1{NNBSP}: la version 1 de test-code a déjà reçu des contributions et ne peut "
            f"pas être remplacée{NNBSP}; importez les modifications comme une nouvelle version"
            ) in page
    assert english_refusal(edited, "1.md") == (
        "1.md:1: round 1 of test-code already has feedback and cannot be overwritten; import "
        "the changes as a new round")


def test_a_file_that_is_not_utf8_is_refused_with_french_typography(
    client: Any, auth: Any, secretariat: Any
) -> None:
    data = {"csrf_token": auth.csrf_token("/admin/drafts"),
            "file": (io.BytesIO(b"\xff\xfe\x00binary"), "binary.md")}
    response = client.post("/admin/drafts", data=data, content_type="multipart/form-data",
                           follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert f"binary.md:1{NNBSP}: le fichier n’est pas du texte UTF-8" in page


def test_a_passage_now_at_is_quoted_the_french_way() -> None:
    """The "Now at:" passage is a <q>: its quotes come from the stylesheet, « » in French."""
    from pathlib import Path

    css = (Path(__file__).parents[2] / "app/static/feedback.css").read_text()
    assert '.now-at q:lang(fr) { quotes: "«\\202F" "\\202F»"; }' in css

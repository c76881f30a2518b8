"""The bulk feedback import page in French: the summary and every refused row's reason are in
French, the rows' own values as written; the command line's summary stays English."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from app.feedback.bulk import import_feedback, read_rows
from tests.feedback.test_bulk import closed_round_provision, jsonl, row  # noqa: F401

URL = "/codes/demo-code/rounds/1/feedback/import"
NNBSP = "\u202f"
ROWS = (
    row("s-1"),
    "{not json",
    row("s-2", provision="Measure 9.9"),
    row("s-3", stance="furious"),
    row("s-4", quote="a passage nobody wrote"),
    row("s-5", author={"name": "No Email"}),
    row("s-6", body=""),
    row("s-7", submitted_at="yesterday"),
    row("s-8", author={"email": "new@example.org", "category": "lobbyist"}),
    row("s-9", body="x" * 10_001),
    "[1, 2]",
    row("s-1"),
)
FRENCH_REASONS = [
    f"ligne 2{NNBSP}: JSON non valide (",
    f"ligne 3{NNBSP}: disposition 'Measure 9.9' inconnue dans la version 1",
    f"ligne 4{NNBSP}: Position 'furious' inconnue{NNBSP}: utilisez l’une des suivantes{NNBSP}: "
    "support, oppose, amend, question, neutral.",
    f"ligne 5{NNBSP}: Le passage cité ne figure pas dans la disposition.",
    f"ligne 6{NNBSP}: author.email est requis",
    f"ligne 7{NNBSP}: Rédigez un commentaire{NNBSP}: le texte ne peut pas être vide.",
    f"ligne 8{NNBSP}: submitted_at 'yesterday' n’est pas une date et heure ISO 8601",
    f"ligne 9{NNBSP}: catégorie 'lobbyist' inconnue",
    f"ligne 10{NNBSP}: Le commentaire compte 10{NNBSP}001 caractères{NNBSP}: 10{NNBSP}000 au plus "
    "sont acceptés. Raccourcissez le texte de 1 caractère.",
    f"ligne 11{NNBSP}: une ligne doit être un objet JSON",
]
ENGLISH = ["not valid JSON", "unknown provision", "Unknown stance", "is required",
           "Write a comment", "is not an ISO 8601", "unknown category", "characters: at most",
           "must be a JSON object", "imported 1", "line 2"]


def test_the_import_page_gives_its_summary_and_refusals_in_french(
    client: Any, auth: Any, closed_round_provision: Any, secretariat: Any  # noqa: F811
) -> None:
    auth.login(secretariat.email)
    client.set_cookie("plenary_lang", "fr")
    data = {"csrf_token": auth.csrf_token(URL),
            "file": (io.BytesIO(jsonl(*ROWS).encode()), "batch.jsonl")}
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = re.sub(r"[ \t\n]+", " ", html.unescape(response.get_data(as_text=True)))
    assert '<html lang="fr">' in page
    assert f"importés{NNBSP}: 1, doublons{NNBSP}: 1, refusés{NNBSP}: 10" in page
    for reason in FRENCH_REASONS:
        assert reason in page, reason
    section = page[page.find('id="report-heading"'):page.find("</section>")]
    for english in ENGLISH:
        assert english not in section, english


def test_the_command_line_summary_and_reasons_stay_english(
    closed_round_provision: Any  # noqa: F811
) -> None:
    round_, _ = closed_round_provision
    report = import_feedback(round_, read_rows(jsonl(*ROWS)))
    assert report.summary == "imported 1, duplicate 1, refused 10"
    reasons = dict(report.refused)
    assert reasons[3] == "unknown provision 'Measure 9.9' in round 1"
    assert reasons[10] == ("The comment has 10,001 characters: at most 10,000 are accepted. "
                           "Shorten it by 1 character.")


CONSENT_ROWS = (row("c-1", publish_consent="perhaps"), row("c-2", publish_consent="no"),
                row("c-3", publish_consent=True), row("c-4", publish_consent=""))
WRONG_HEADER = "name,email,comment\nAna,ana@example.org,Too short.\n"


def test_an_unknown_consent_and_a_header_without_the_columns_are_refused_in_english(
    closed_round_provision: Any  # noqa: F811
) -> None:
    round_, _ = closed_round_provision
    report = import_feedback(round_, read_rows(jsonl(*CONSENT_ROWS)))
    assert report.summary == "imported 3, duplicate 0, refused 1"
    assert report.refused == [(1, "publish_consent 'perhaps' is neither yes nor no (write yes, "
                                  "true or 1; no, false or 0; or leave it empty)")]
    report = import_feedback(round_, read_rows(WRONG_HEADER, "comments.csv"))
    assert report.imported == 0 and len(report.refused) == 1
    line, reason = report.refused[0]
    assert line == 1 and reason.startswith(
        "the header lacks the required columns external_id, provision, author_email, stance, "
        "body (the first line must name the columns: external_id, provision, author_email,")
    assert "row 2" not in reason and "is required" not in reason


def test_the_import_page_says_so_in_french(
    client: Any, auth: Any, closed_round_provision: Any, secretariat: Any  # noqa: F811
) -> None:
    auth.login(secretariat.email)
    client.set_cookie("plenary_lang", "fr")
    pages = []
    for content, name in [(jsonl(*CONSENT_ROWS), "batch.jsonl"), (WRONG_HEADER, "f.csv")]:
        data = {"csrf_token": auth.csrf_token(URL), "file": (io.BytesIO(content.encode()), name)}
        response = client.post(URL, data=data, content_type="multipart/form-data")
        assert response.status_code == 200
        pages.append(re.sub(r"[ \t\n]+", " ", html.unescape(response.get_data(as_text=True))))
    assert (f"ligne 1{NNBSP}: publish_consent 'perhaps' n’est ni oui ni non (écrivez yes, true "
            f"ou 1{NNBSP}; no, false ou 0{NNBSP}; ou laissez vide)") in pages[0]
    assert (f"ligne 1{NNBSP}: l’en-tête n’a pas les colonnes requises external_id, provision, "
            f"author_email, stance, body (la première ligne doit nommer les colonnes{NNBSP}: "
            "external_id,") in pages[1]

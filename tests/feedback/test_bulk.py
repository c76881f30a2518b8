"""Bulk import (CONTRACT §3): good rows kept, bad rows reported by line, idempotent."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.bulk import import_feedback, read_rows
from app.feedback.models import Comment


def row(external_id: str, **changes: Any) -> dict[str, Any]:
    data = {
        "external_id": external_id,
        "provision": "Measure 1.1",
        "author": {
            "email": "Ana@Example.org",
            "name": "Ana Author",
            "organisation": "Example NGO",
            "category": "civil_society",
        },
        "stance": "amend",
        "body": "The deadline should be longer.",
        "quote": "within fourteen days",
        "proposed_text": "within thirty days",
        "submitted_at": "2024-11-27T10:00:00Z",
    }
    data.update(changes)
    return data


def jsonl(*items: Any) -> str:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in items)


def stored() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


@pytest.fixture
def closed_round_provision(create_round, create_provision):
    from tests.feedback.conftest import TEXT

    round_ = create_round(1, window="closed")
    return round_, create_provision(round_, "m-1-1", label="Measure 1.1", body=TEXT)


def test_good_rows_are_kept_and_bad_rows_reported_by_line(closed_round_provision):
    round_, provision = closed_round_provision
    text = jsonl(
        row("s-1"),
        "{not json",
        row("s-2", provision="Measure 9.9"),
        "",
        row("s-3", stance="furious"),
        row("s-4", quote="a passage nobody wrote"),
        row("s-5", author={"name": "No Email"}),
        row("s-6", body=""),
        row("s-7", provision="m-1-1", quote=None, proposed_text=None, stance="support"),
    )
    report = import_feedback(round_, read_rows(text))
    assert (report.imported, report.duplicates) == (2, 0)
    lines = dict(report.refused)
    assert sorted(lines) == [2, 3, 5, 6, 7, 8]
    assert "not valid JSON" in lines[2]
    assert "unknown provision 'Measure 9.9'" in lines[3]
    assert "stance" in lines[5]
    assert "not in the provision" in lines[6]
    assert "author.email" in lines[7]
    assert "empty" in lines[8]
    assert stored() == 2


def test_a_nul_character_or_a_future_date_refuses_the_row(closed_round_provision):
    round_, _ = closed_round_provision
    text = jsonl(
        row("n-1", body="Longer deadlines\u0000 please."),
        row("n-2", author={"email": "nul@example.org", "name": "A\u0000B",
                           "category": "academia"}),
        row("n-3", submitted_at="2099-01-01T00:00:00Z"),
        row("n-4"),
    )
    report = import_feedback(round_, read_rows(text))
    lines = dict(report.refused)
    assert report.imported == 1 and sorted(lines) == [1, 2, 3]
    assert "body contains a NUL character" in lines[1]
    assert "NUL character" in lines[2]
    assert "2099-01-01T00:00:00Z lies in the future" in lines[3]
    assert stored() == 1


def test_a_second_import_of_the_same_file_only_counts_duplicates(closed_round_provision):
    round_, _ = closed_round_provision
    text = jsonl(row("s-1"), row("s-2"), row("s-1"))
    first = import_feedback(round_, read_rows(text))
    second = import_feedback(round_, read_rows(text))
    assert (first.imported, first.duplicates) == (2, 1)
    assert (second.imported, second.duplicates, second.refused) == (0, 3, [])
    assert stored() == 2


def test_new_authors_become_password_less_participants_and_known_ones_are_matched(
    closed_round_provision, create_user
):
    round_, _ = closed_round_provision
    known = create_user("known@example.org", name="Known Person")
    import_feedback(
        round_,
        read_rows(
            jsonl(
                row("s-1"), row("s-2", author={"email": "KNOWN@example.org", "name": "Other name"})
            )
        ),
    )
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert ana.password_hash is None and ana.role == "participant"
    assert (ana.organisation, ana.category) == ("Example NGO", "civil_society")
    comment = db.session.scalar(select(Comment).where(Comment.external_id == "s-2"))
    assert comment.author_id == known.id and known.name == "Known Person"


def test_imported_rows_keep_their_quote_time_and_source(closed_round_provision):
    round_, provision = closed_round_provision
    import_feedback(round_, read_rows(jsonl(row("s-1"))))
    comment = db.session.scalar(select(Comment).where(Comment.external_id == "s-1"))
    assert comment.quote_start == provision.text.index("within fourteen days")
    assert comment.created_at.isoformat() == "2024-11-27T10:00:00+00:00"
    assert comment.source == "import" and comment.proposed_text == "within thirty days"


def test_csv_uses_the_same_columns_with_flattened_author(closed_round_provision):
    round_, _ = closed_round_provision
    text = (
        "external_id,provision,author_email,author_name,author_organisation,"
        "author_category,stance,body,quote,proposed_text,submitted_at\n"
        "c-1,Measure 1.1,bo@example.org,Bo,Acme,industry,support,Fine as it is.,,,\n"
        'c-2,Measure 1.1,bo@example.org,Bo,Acme,industry,oppose,"Too strict, really.",'
        "fourteen days,,2024-11-28T09:00:00+01:00\n"
        "c-3,Measure 1.1,cy@example.org,Cy,,alien,support,x,,,\n"
    )
    report = import_feedback(round_, read_rows(text, "feedback.csv"))
    assert report.imported == 2
    assert report.refused == [(4, "unknown category 'alien'")]
    bo = db.session.scalar(select(User).where(User.email == "bo@example.org"))
    assert bo.category == "industry"


def test_an_import_is_audit_logged(closed_round_provision, secretariat):
    round_, _ = closed_round_provision
    import_feedback(
        round_, read_rows(jsonl(row("s-1"), "oops")), actor=secretariat, source_name="batch.jsonl"
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.import"))
    assert event.actor_id == secretariat.id
    assert (event.detail["imported"], event.detail["refused"]) == (1, 1)


def test_the_cli_prints_counts_and_refused_lines(runner, closed_round_provision, tmp_path):
    round_, _ = closed_round_provision
    path = tmp_path / "feedback.jsonl"
    path.write_text(jsonl(row("s-1"), row("s-2", stance="?"), row("s-1")))
    result = runner.invoke(
        args=["feedback", "import", str(path), "--code", "demo-code", "--round", "1"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 1, duplicate 1, refused 1\n"
    refused = [line for line in result.stderr.splitlines() if "refused" in line]
    assert refused == [
        "feedback.jsonl:2: refused: Unknown stance '?': use one of "
        "support, oppose, amend, question, neutral."
    ]


def test_the_cli_refuses_an_unknown_round_with_exit_status_2(runner, tmp_path, database):
    path = tmp_path / "f.jsonl"
    path.write_text("")
    result = runner.invoke(args=["feedback", "import", str(path), "--code", "nope", "--round", "1"])
    assert result.exit_code == 2 and "no code 'nope'" in result.output


def test_the_upload_page_is_for_the_secretariat(
    client, auth, closed_round_provision, secretariat, participant
):
    url = "/codes/demo-code/rounds/1/feedback/import"
    auth.login(participant.email)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(secretariat.email)
    data = {
        "csrf_token": auth.csrf_token(url),
        "file": (io.BytesIO(jsonl(row("s-1"), "{bad").encode()), "batch.jsonl"),
    }
    page = client.post(url, data=data, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "imported 1, duplicate 0, refused 1" in html and "line 2" in html
    assert stored() == 1

"""The bulk import's batches: rows checked one by one, stored a batch at a time, and still
all or nothing per row, indexed for search and logged with receipts that verify."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback import bulk
from app.feedback.bulk import import_feedback, import_feedback_file, read_rows
from app.feedback.models import Comment
from app.record.events import log_round_published, receipt_for
from app.record.models import LogEntry
from app.search.models import SearchEntry
from tests.feedback.test_bulk import jsonl, row


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)


@pytest.fixture
def closed_round(create_round, create_provision):
    from tests.feedback.conftest import TEXT

    round_ = create_round(1, window="closed")
    create_provision(round_, "m-1-1", label="Measure 1.1", body=TEXT)
    return round_


def authored(email: str) -> dict[str, str]:
    return {"email": email, "name": email.split("@")[0], "category": "academia"}


def test_bad_rows_in_any_batch_are_refused_by_line_and_leave_nothing(small_batches,
                                                                      closed_round):
    text = jsonl(
        row("b-1"),
        row("b-2", stance="furious"),
        row("b-3", author=authored("new@example.org")),
        row("b-1"),  # a duplicate of a row stored in an earlier batch
        row("b-5", author={"email": "odd@example.org", "category": "alien"}),
        row("b-6", author=authored("new@example.org")),
        row("b-6"),  # a duplicate within its batch
        row("b-8", quote="nowhere in the text"),
    )
    report = import_feedback(closed_round, read_rows(text))
    assert (report.imported, report.duplicates) == (3, 2)
    assert [line for line, _ in report.refused] == [2, 5, 8]
    assert "unknown category 'alien'" in dict(report.refused)[5]
    names = set(db.session.scalars(select(Comment.external_id)))
    assert names == {"b-1", "b-3", "b-6"}
    assert db.session.scalar(select(User).where(User.email == "odd@example.org")) is None
    new = db.session.scalars(select(User).where(User.email == "new@example.org")).all()
    assert len(new) == 1 and new[0].password_hash is None and new[0].category == "academia"
    created = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.create", AuditEvent.target_id == str(new[0].id))).all()
    assert [event.detail["email"] for event in created] == ["new@example.org"]


def test_batched_comments_are_searchable_and_each_has_a_receipt_that_verifies(
        small_batches, closed_round, runner, tmp_path):
    log_round_published(closed_round)  # as the importer does (the fixture is no import)
    text = jsonl(*(row(f"r-{n}", body=f"Submission {n} about deadlines.") for n in range(5)))
    assert import_feedback(closed_round, read_rows(text)).imported == 5
    db.session.commit()
    ids = list(db.session.scalars(select(Comment.id).order_by(Comment.id)))
    indexed = db.session.scalar(select(func.count()).select_from(SearchEntry)
                                .where(SearchEntry.comment_id.in_(ids)))
    assert indexed == 5
    logged = list(db.session.scalars(select(LogEntry.comment_id).where(LogEntry.kind == "comment")
                                     .order_by(LogEntry.leaf_index)))
    assert logged == ids
    for comment_id in ids:
        receipt = receipt_for(db.session.get(Comment, comment_id))
        assert receipt is not None and receipt["sth"]["tree_size"] > receipt["leaf_index"]
        path = tmp_path / f"receipt-{comment_id}.json"
        path.write_text(json.dumps(receipt))
        result = runner.invoke(args=["verify", "receipt", str(path)])
        assert result.exit_code == 0, result.output
    verified = runner.invoke(args=["verify", "log", "--state", str(tmp_path / "state.json")])
    assert verified.exit_code == 0, verified.output


def test_a_file_is_read_as_it_streams_with_the_same_line_numbers(closed_round, tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text(jsonl(row("f-1"), "", "{broken", row("f-2", stance="?"), row("f-3")) + "\n")
    report = import_feedback_file(path, closed_round)
    assert report.imported == 2
    assert [line for line, _ in report.refused] == [3, 4]


def test_blank_lines_before_the_first_row_count_in_the_line_numbers():
    from app.feedback.bulk import read_rows

    jsonl_rows = list(read_rows('\n\n{"a": 1}\n{broken\n'))
    assert [number for number, _ in jsonl_rows] == [3, 4]
    csv_rows = list(read_rows("\n\nexternal_id,body\nx-1,Hello\n", "rows.csv"))
    assert [number for number, _ in csv_rows] == [3]  # the header, lacking columns

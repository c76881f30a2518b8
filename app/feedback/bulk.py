"""Bulk import of feedback collected elsewhere (CONTRACT §3): JSON Lines or CSV.

A bad row is refused with its line number and reason and leaves nothing behind; the good rows
are kept, stored a batch at a time (batches.py) as the file streams in. A row whose
`external_id` is already stored is a duplicate, skipped. Authors are matched by email or
created as password-less participants. Not limited by the round's consultation window (a
secretariat action). CSV uses the same column names, with the author flattened into
author_email, author_name, author_organisation and author_category.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import services as accounts
from app.accounts.models import CATEGORIES, User
from app.core import audit
from app.core.db import db
from app.core.errors import BadInput, DomainError
from app.core.i18n import N_, Message
from app.drafting.models import Round
from app.drafting.services import find_provision
from app.feedback.batches import (
    BATCH_SIZE,
    BatchConflict,
    RoundImport,
    author_of,
    consent,
    external_id_of,
    split_duplicates,
    submitted_at,
    text_field,
)
from app.feedback.models import Comment
from app.feedback.services import submit_comment

CSV_AUTHOR_FIELDS = ("email", "name", "organisation", "category")

# The columns of a feedback file (JSON Lines keys; in CSV the author's keys are flattened to
# author_email, author_name, ...), whether each is required, and what it holds.
COLUMNS = (
    ("external_id", True, N_("Your id of the submission (at most 100 characters); a row whose "
     "id is already stored is skipped, so a file can be imported twice.")),
    ("provision", True, N_("The provision's key or its number label in this round, for "
     "example \"Measure 1.1\".")),
    ("author_email", True, N_("The author's email; a new email becomes a participant account "
     "without a password (it can be claimed by invitation).")),
    ("author_name", False, N_("The author's name (default: the part of the email before @).")),
    ("author_organisation", False, N_("The author's organisation.")),
    ("author_category", False, N_("One of gpai_provider, downstream_provider, industry, sme, "
     "civil_society, academia, rightsholder, independent_expert, member_state, observer, "
     "other (default: other).")),
    ("stance", True, N_("support, oppose, amend, question or neutral.")),
    ("body", True, N_("The comment (1 to 10,000 characters).")),
    ("quote", False, N_("A passage of the provision the comment is about (must occur in it).")),
    ("proposed_text", False, N_("Proposed new wording for that passage or the provision.")),
    ("publish_consent", False, N_("yes/true/1 when the author agreed to publication with their "
     "name.")),
    ("submitted_at", False, N_("When it was sent, ISO 8601 with a time zone, e.g. "
     "2026-11-27T10:00:00Z (default: now).")),
)


def template(provision_label: str, kind: str) -> str:
    """An example feedback file ("csv" or "jsonl") with one row on `provision_label`."""
    example = {
        "external_id": "sub-00001", "provision": provision_label,
        "author": {"email": "a.person@example.org", "name": "A. Person",
                   "organisation": "Example Association", "category": "civil_society"},
        "stance": "amend", "body": "The documentation duty should say how often it is updated.",
        "quote": "", "proposed_text": "", "publish_consent": "yes",
        "submitted_at": "2026-11-27T10:00:00Z",
    }  # fmt: skip
    if kind == "jsonl":
        row = {k: v for k, v in example.items() if v != ""}
        return json.dumps(row, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _, _ in COLUMNS])
    author = example["author"]
    assert isinstance(author, dict)
    flat = {**example, **{f"author_{k}": v for k, v in author.items()}}
    writer.writerow([flat.get(name, "") for name, _, _ in COLUMNS])
    return out.getvalue()
@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, duplicate {self.duplicates}, refused {len(self.refused)}"


def read_rows(data: bytes | str, filename: str = "") -> Iterator[tuple[int, Any]]:
    """(line number, row) pairs of a whole file held in memory (see stream_rows)."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    return stream_rows(io.StringIO(text, newline=""), filename)


def stream_rows(stream: TextIO, filename: str = "") -> Iterator[tuple[int, Any]]:
    """(line number, row) pairs read as they come: a dict, or a str naming why the line
    cannot be read. CSV when the file name ends in .csv, or when the first non-blank
    character is not "{". Holds one line at a time, whatever the file's size."""
    head, blank = "", 0  # blank lines before the first one, counted in every line number
    for head in stream:
        if head.strip():
            break
        blank += 1
    lines = itertools.chain([head], stream) if head else iter(())
    if filename.lower().endswith(".csv") or not head.lstrip().startswith("{"):
        yield from ((blank + number, row) for number, row in _csv_rows(lines))
        return
    yield from ((blank + number, row) for number, row in _jsonl_rows(lines))


def _csv_rows(lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(lines)
    header = set(reader.fieldnames or ())
    missing = [name for name, required, _ in COLUMNS if required and name not in header]
    if header and missing:  # every row would be refused for it: say so once, naming the columns
        yield 1, Message(N_("the header lacks the required columns %(columns)s (the first "
                            "line must name the columns: %(expected)s)"),
                         columns=", ".join(missing),
                         expected=", ".join(name for name, _, _ in COLUMNS))
        return
    for row in reader:
        author = {
            name: (row.pop(f"author_{name}", None) or "").strip() for name in CSV_AUTHOR_FIELDS
        }
        clean = {k: v for k, v in row.items() if k is not None}
        if None in row:
            yield reader.line_num, N_("the row has more cells than the header")
            continue
        yield reader.line_num, {**clean, "author": author}


def _jsonl_rows(lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
    number = 0
    for line in lines:
        for part in line.splitlines() or [""]:
            number += 1
            if not part.strip():
                continue
            try:
                row = json.loads(part)
            except json.JSONDecodeError as error:
                yield number, Message(N_("not valid JSON (%(reason)s)"), reason=error.msg)
                continue
            yield number, row if isinstance(row, dict) else N_("a line must be a JSON object")


def _author(row: dict[str, Any]) -> User:
    raw = author_of(row)
    email = accounts.normalise_email(str(raw["email"]))
    user = accounts.find_user(email)
    if user is not None:
        return user
    category = str(raw.get("category") or "other")
    if category not in CATEGORIES:
        raise BadInput(N_("unknown category %(category)r"), category=category)
    name = str(raw.get("name") or "").strip() or email.split("@")[0]
    return accounts.create_user(
        email,
        name,
        organisation=str(raw.get("organisation") or "") or None,
        category=category,
        password=None,
    )


def _import_row(round_: Round, row: dict[str, Any]) -> bool:
    """Store one row on its own (the slow path, for a batch the database refused); False
    when its external_id is already stored. Raises DomainError."""
    external_id = external_id_of(row)
    if db.session.scalar(select(Comment.id).where(Comment.external_id == external_id)):
        return False
    locator = text_field(row, "provision")
    if locator is None:
        raise BadInput(N_("provision is required"))
    provision = find_provision(round_, locator.strip())
    if provision is None:
        raise BadInput(N_("unknown provision %(locator)r in round %(round)s"),
                       locator=locator, round=round_.number)
    submit_comment(
        provision,
        _author(row),
        stance=str(row.get("stance") or ""),
        body=text_field(row, "body") or "",
        quote=text_field(row, "quote"),
        proposed_text=text_field(row, "proposed_text"),
        publish_consent=consent(row),
        external_id=external_id,
        now=submitted_at(row),
        source="import",
        bulk=True,
    )
    return True


def import_feedback_file(
    path: Path,
    round_: Round,
    *,
    actor: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read and import one JSON Lines or CSV file as it streams (see import_feedback)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
        return import_feedback(round_, stream_rows(stream, path.name), actor=actor,
                               source_name=path.name, progress=progress)


def import_feedback(
    round_: Round,
    rows: Iterable[tuple[int, Any]],
    *,
    actor: User | None = None,
    source_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows (from read_rows or stream_rows) into a round; flushes, the caller commits
    once. A bad row is refused with its line number and leaves nothing behind; the good rows
    are stored BATCH_SIZE at a time (see batches.py). Audit-logged."""
    report = ImportReport()
    context = RoundImport(round_)
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH_SIZE)):
        _import_batch(context, batch, report, actor)
        if progress is not None:
            progress(len(batch))
    report.refused.sort()
    audit.record(
        "feedback.import",
        actor=actor,
        target=round_,
        file=source_name[:200],
        imported=report.imported,
        duplicates=report.duplicates,
        refused=len(report.refused),
    )
    db.session.flush()
    return report


def _import_batch(context: RoundImport, batch: list[tuple[int, Any]], report: ImportReport,
                  actor: User | None) -> None:
    named = []
    for number, row in batch:
        if isinstance(row, str):
            report.refused.append((number, row))
            continue
        try:
            named.append((number, row, external_id_of(row)))
        except DomainError as error:
            report.refused.append((number, error.message))
    fresh, duplicates = split_duplicates(named)
    report.duplicates += duplicates
    prepared = []
    for number, row, external_id in fresh:
        try:
            prepared.append(context.prepare(number, row, external_id))
        except DomainError as error:
            report.refused.append((number, error.message))
    try:
        report.imported += context.store(prepared, report.refused, actor)
    except BatchConflict:
        rows = {number: row for number, row, _ in fresh}
        _one_by_one(context.round, [(p.line, rows[p.line]) for p in prepared], report)


def _one_by_one(round_: Round, rows: list[tuple[int, Any]], report: ImportReport) -> None:
    """Store rows one at a time, each in a savepoint (after the database refused a batch)."""
    for number, row in rows:
        try:
            with db.session.begin_nested():
                stored = _import_row(round_, row)
        except DomainError as error:
            report.refused.append((number, error.message))
            continue
        except IntegrityError:
            report.duplicates += 1  # stored concurrently under the same external_id
            continue
        if stored:
            report.imported += 1
        else:
            report.duplicates += 1

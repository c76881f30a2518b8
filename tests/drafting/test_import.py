"""Importing draft rounds: the demo Code, idempotency, replacing, refusing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.db import db
from app.core.errors import BadInput, Conflict
from app.drafting import importer, services
from app.drafting.models import Code, LineageLink, Provision, Round
from app.drafting.services import lineage_document
from tests.drafting.conftest import DRAFTS


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_label(document: dict[str, Any]) -> dict[str, tuple[list[str], str]]:
    return {link["from_label"]: (link["to_labels"], link["kind"]) for link in document["links"]}


def test_the_demo_code_imports_in_round_order(database: Any, demo_groups: None) -> None:
    results = importer.import_path(DRAFTS)
    assert [(r.round.number, r.status) for r in results] == [
        (1, "created"),
        (2, "created"),
        (3, "created"),
        (4, "created"),
    ]
    code = db.session.scalar(select(Code).where(Code.slug == "gpai-code"))
    assert code is not None and len(code.rounds) == 4
    print([r.summary() for r in results])
    assert all(r.provisions >= 30 for r in results)


def test_demo_lineage_of_measures_matches_the_expected_lineage(
    database: Any, demo_groups: None
) -> None:
    """Accuracy of the lineage engine on the demo Code, through the database.

    Prints every miss; fails if fewer than 90 of the 103 measure links are right (the
    engine gets 94 today: the misses are splits and merges it reads as moves or removals).
    """
    importer.import_path(DRAFTS)
    code = db.session.scalar(select(Code).where(Code.slug == "gpai-code"))
    expected = json.loads((DRAFTS / "expected-lineage.json").read_text())
    wrong, total, added_right = [], 0, 0
    for transition in expected["transitions"]:
        document = lineage_document(code, transition["from"], transition["to"])
        got = by_label(document)
        for link in transition["links"]:
            total += 1
            if got.get(link["from"]) != (link["to"], link["kind"]):
                wrong.append((transition["from"], link, got.get(link["from"])))
        added = [a for a in document["added_labels"] if a.startswith("Measure ")]
        added_right += sorted(added) == sorted(transition["added"])
    print(
        f"demo lineage: {total - len(wrong)}/{total} measure links right, "
        f"{added_right}/3 added lists right"
    )
    for item in wrong:
        print("  wrong:", item)
    assert total == 103 and total - len(wrong) >= 90


def test_stored_lineage_is_what_the_engine_aligned(database: Any, demo_groups: None) -> None:
    """The importer stores every link of the alignment: one per provision of each round."""
    importer.import_path(DRAFTS)
    rounds = db.session.scalars(select(Round).order_by(Round.number)).all()
    for earlier in rounds[:-1]:
        links = db.session.scalar(
            select(func.count())
            .select_from(LineageLink)
            .where(LineageLink.from_round_id == earlier.id)
        )
        assert links == len(earlier.provisions)
    keys = [p.key for p in rounds[-1].provisions]
    assert len(set(keys)) == len(keys) and "transparency" in keys


def test_importing_the_same_file_twice_changes_nothing(
    database: Any, demo_groups: None, draft_text: Any
) -> None:
    first = importer.import_round(draft_text(), "1.md")
    provisions = count(Provision)
    second = importer.import_round(draft_text(), "1.md")
    assert (first.status, second.status) == ("created", "unchanged")
    assert second.round.id == first.round.id and count(Provision) == provisions


def test_an_edited_round_without_feedback_is_replaced(
    database: Any, demo_groups: None, draft_text: Any
) -> None:
    importer.import_round(draft_text(1), "1.md")
    importer.import_round(draft_text(2), "2.md")
    result = importer.import_round(draft_text(1, extra="\n## Measure 1.3: Risk\n\nAssess."), "1.md")
    assert result.status == "replaced"
    assert [p.label for p in result.round.provisions][-1] == "Measure 1.3"
    document = lineage_document(result.round.code, 1, 2)
    assert by_label(document)["Measure 1.3"] == ([], "removed")
    assert by_label(document)["Measure 1.1"] == (["Measure 1.1"], "unchanged")


def test_a_round_with_feedback_is_never_overwritten(
    database: Any, demo_groups: None, draft_text: Any, create_user: Any
) -> None:
    from app.feedback.models import Comment

    result = importer.import_round(draft_text(), "1.md")
    author = create_user()
    provision = result.round.provisions[1]
    db.session.add(
        Comment(
            round_id=result.round.id,
            provision_id=provision.id,
            author_id=author.id,
            stance="support",
            body="Good.",
        )
    )
    db.session.flush()
    with pytest.raises(Conflict, match="already has feedback"):
        importer.import_round(draft_text(extra="\nMore text."), "1.md")
    assert db.session.get(Provision, provision.id) is not None


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("# No front matter\n", 1, "no front matter"),
        (
            "---\ncode: c\ntitle: T\nround: 1\nlevels: [chapter]\n---\n\n# A\n\n## B\n",
            10,
            "heading depth 2",
        ),
        (
            "---\ncode: c\ntitle: T\nround: 1\nlevels: [chapter]\n---\n\n# A {#k}\n\n# B {#k}\n",
            10,
            "duplicate key",
        ),
        (
            "---\ncode: c\ntitle: T\nround: 1\nlevels: [chapter]\n---\n\n# A\n\n"
            "# B {#b wg=nowhere}\n",
            10,
            "unknown working group 'nowhere'",
        ),
    ],
)
def test_a_malformed_file_names_file_and_line_and_writes_nothing(
    database: Any, demo_groups: None, text: str, line: int, problem: str
) -> None:
    rounds = count(Round)
    with pytest.raises(BadInput) as error:
        importer.import_round(text, "drafts/c/1.md")
    assert error.value.message.startswith(f"drafts/c/1.md:{line}: ")
    assert problem in error.value.message
    assert count(Round) == rounds and count(Code) == 0


def test_imports_are_audit_logged(database: Any, demo_groups: None, draft_text: Any) -> None:
    importer.import_round(draft_text(), "1.md")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draft.import"))
    assert event is not None and event.detail["status"] == "created"


def test_a_lineage_correction_survives_reimport(
    database: Any, demo_groups: None, draft_text: Any
) -> None:
    importer.import_round(draft_text(1), "1.md")
    second = importer.import_round(draft_text(2), "2.md").round
    first = db.session.scalar(select(Round).where(Round.number == 1, Round.code == second.code))
    source = next(p for p in first.provisions if p.label == "Measure 1.1")
    target = next(p for p in second.provisions if p.label == "Measure 1.2")
    link = services.correct_link(source, [target], actor=None)
    assert link.corrected and [t.to_provision_id for t in link.targets] == [target.id]
    reimported = importer.import_round(draft_text(2, extra="\nEdited."), "2.md").round
    got = by_label(lineage_document(reimported.code, 1, 2))
    assert got["Measure 1.1"][0] == ["Measure 1.2"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(LineageLink).where(LineageLink.corrected)
        )
        == 1
    )


def test_a_window_must_close_after_it_opens(database: Any, create_round: Any) -> None:
    import datetime as dt

    round_ = create_round(1)
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(BadInput):
        services.set_window(round_, now, now - dt.timedelta(days=1), actor=None)


def test_a_final_round_takes_no_window(database: Any, create_round: Any) -> None:
    import datetime as dt

    round_ = create_round(1, final=True, window=None)
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(BadInput, match="final"):
        services.set_window(round_, now, now + dt.timedelta(days=1), actor=None)

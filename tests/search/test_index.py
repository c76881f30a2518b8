"""The index follows the data: imports, re-imports, comment writes; `plenary search reindex`;
the migration fills it from rows already stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.db import db, utcnow
from app.drafting import importer
from app.drafting.models import Provision
from app.drafting.services import get_round, set_window
from app.feedback import services as feedback
from app.search.index import entry_count
from app.search.models import SearchEntry
from app.search.query import parse_query
from app.search.services import Scope, search
from tests.drafting.conftest import ROUND


def draft(number: int, extra: str = "", visibility: str = "public") -> str:
    return ROUND.format(code="idx-code", number=number, visibility=visibility, extra=extra)


def found(query: str, *numbers: int, user: Any = None) -> list[tuple[int, str, str]]:
    rounds = tuple(get_round("idx-code", n, check=False) for n in numbers)
    hits = search(user, Scope(rounds), parse_query(query), limit=100).hits
    return [(h.round.number, h.kind, h.provision.key) for h in hits]


@pytest.fixture
def imported(create_group: Any) -> Any:
    create_group("wg1")
    importer.import_round(draft(1, "\n## Measure 1.3: Kites\n\nSignatories fly kites.\n"), "1.md")
    round_ = get_round("idx-code", 1, check=False)
    now = utcnow()
    set_window(round_, now - dt.timedelta(days=1), now + dt.timedelta(days=7), None)
    db.session.commit()
    return round_


def test_an_imported_round_is_searchable_at_once(imported: Any) -> None:
    assert found("kites", 1) == [(1, "provision", "m-1-3")]
    assert found('"training data"', 1) == [(1, "provision", "m-1-2")]


def test_a_re_import_replaces_the_rounds_provisions_in_the_index(imported: Any) -> None:
    before = entry_count()
    importer.import_round(draft(1, "\n## Measure 1.3: Balloons\n\nSignatories fly balloons.\n"),
                          "1.md")  # fmt: skip
    db.session.commit()
    assert found("kites", 1) == [] and found("balloons", 1) == [(1, "provision", "m-1-3")]
    assert entry_count() == before
    orphans = db.session.scalar(select(func.count()).select_from(SearchEntry).where(
        SearchEntry.provision_id.not_in(select(Provision.id))))
    assert orphans == 0


def test_a_next_round_is_indexed_beside_the_first(imported: Any) -> None:
    importer.import_round(draft(2, "\n## Measure 1.3: Kites\n\nSignatories fly kites.\n"), "2.md")
    db.session.commit()
    assert found("kites", 1, 2) == [(2, "provision", "m-1-3"), (1, "provision", "m-1-3")]


def test_comments_are_searchable_and_follow_edits(imported: Any, create_user: Any) -> None:
    author = create_user(password=None)
    provision = imported.provisions[1]
    comment = feedback.submit_comment(provision, author, stance="amend", body="Add zeppelins.",
                                      proposed_text="keep zeppelin logs", publish_consent=True)
    assert found("zeppelins", 1) == [(1, "comment", provision.key)]
    assert found('"zeppelin logs"', 1) == [(1, "comment", provision.key)]
    feedback.edit_comment(comment, body="Add hovercraft.", proposed_text="")
    assert found("zeppelins", 1) == [] and found("hovercraft", 1) == [(1, "comment",
                                                                        provision.key)]


def test_withdrawn_and_hidden_comments_leave_the_public_results_and_come_back_when_shown(
        imported: Any, create_user: Any) -> None:  # fmt: skip
    author = create_user(password=None)
    secretariat = create_user(role="secretariat", password=None)
    provision = imported.provisions[1]
    one = feedback.submit_comment(provision, author, stance="oppose", body="Gliders are fine.",
                                  publish_consent=True)  # fmt: skip
    two = feedback.submit_comment(provision, author, stance="oppose", body="Gliders are bad.",
                                  publish_consent=True)  # fmt: skip
    assert len(found("gliders", 1)) == 2
    feedback.withdraw_comment(one)
    assert [c for c in found("gliders", 1)] == [(1, "comment", provision.key)]
    assert len(found("gliders", 1, user=author)) == 2  # the author still finds their own
    feedback.hide_comment(two, "Off topic.", secretariat)
    assert found("gliders", 1) == []
    # the secretariat finds the hidden one, not the withdrawn one (its author's alone)
    assert found("gliders", 1, user=secretariat) == [(1, "comment", provision.key)]
    feedback.unhide_comment(two, secretariat)
    assert len(found("gliders", 1)) == 1
    assert db.session.scalar(select(func.count()).select_from(SearchEntry).where(
        SearchEntry.kind == "comment")) == 2


def test_reindex_rebuilds_everything_from_the_tables(imported: Any, create_user: Any,
                                                     runner: Any) -> None:  # fmt: skip
    feedback.submit_comment(imported.provisions[1], create_user(password=None), stance="support",
                            body="Yes to kites.", publish_consent=True)  # fmt: skip
    db.session.commit()
    expected = entry_count()
    db.session.execute(SearchEntry.__table__.delete())
    db.session.commit()
    assert found("kites", 1) == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 4 provisions and 1 comment." in result.output
    assert entry_count() == expected
    assert found("kites", 1) == [(1, "provision", "m-1-3"), (1, "comment", "m-1-1")]

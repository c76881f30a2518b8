"""The search index's migration: it makes the database's own full-text objects (which the
schema comparison of tests/core/test_migrations.py leaves out) and fills the index from the
provisions and comments already stored; its downgrade removes them all."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.search.query import parse_query
from app.search.services import Scope, search

BEFORE = "516304a04e1d"



def _store_rows_without_hooks() -> None:
    """A round, a provision and a comment written as plain rows (as before search existed)."""
    from app.accounts.models import User
    from app.core.db import utcnow
    from app.drafting.models import Code, Provision, Round
    from app.feedback.models import Comment

    # The account and the comment as plain inserts of the columns they had then: the ORM
    # would also name the columns later migrations added, which this schema does not have yet.
    user_id = db.session.execute(db.insert(User.__table__).values(
        email="old@example.org", name="Old Timer", created_at=utcnow())
        .returning(User.__table__.c.id)).scalar_one()
    code = Code(slug="old-code", title="Old code")
    round_ = Round(code=code, number=1, name="Old draft", visibility="public")
    provision = Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                          label="Measure 1", title="Ferries", text="Ferries run hourly.")
    db.session.add_all([code, round_, provision])
    db.session.flush()
    db.session.execute(db.insert(Comment.__table__).values(
        round_id=round_.id, provision_id=provision.id, author_id=user_id, source="web",
        stance="support", body="Ferries matter.", proposed_text="run every half hour",
        status="open", publish_consent=True, created_at=utcnow(), updated_at=utcnow(),
        submitted_at=utcnow()))  # fmt: skip
    db.session.commit()


def _database_objects() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE name LIKE 'search%' AND type IN "
            "('table', 'trigger')"))  # fmt: skip
    else:
        rows = db.session.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search%' UNION "
            "SELECT proname FROM pg_proc WHERE proname LIKE 'search%' UNION "
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'search%'"))  # fmt: skip
    return {row[0] for row in rows}


def test_the_migration_fills_the_index_from_stored_rows_and_downgrades_cleanly(
        fresh_database_url: str) -> None:  # fmt: skip
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        _store_rows_without_hooks()
        upgrade()
        from app.drafting.models import Round

        rounds = tuple(db.session.scalars(db.select(Round)))
        results = search(None, Scope(rounds), parse_query("ferries"))
        assert [(h.kind, h.provision.key) for h in results.hits] == [("provision", "m-1"),
                                                                      ("comment", "m-1")]
        assert search(None, Scope(rounds), parse_query('"half hour"')).total == 1
        made = _database_objects()
        if db.engine.dialect.name == "sqlite":
            assert {"search_entries", "search_fts", "search_entries_ai", "search_entries_ad",
                    "search_entries_au"} <= made
        else:
            assert made == {"search_entries", "search_entries_tsv"}
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        assert _database_objects() == set()
        db.session.remove()
        db.engine.dispose()


def test_keying_the_index_by_code_keeps_search_working_both_ways(
        fresh_database_url: str) -> None:  # fmt: skip
    """c4d1e7f3a9b2 fills each entry's fts_key (its code first) and, on SQLite, rebuilds the
    FTS5 table on it; its downgrade goes back to the entry id as the FTS5 rowid."""
    from app.drafting.models import Round
    from app.search.models import CODE_SHIFT, SearchEntry

    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        _store_rows_without_hooks()
        upgrade(revision="6a8c3e1f9d42")
        upgrade()
        rounds = tuple(db.session.scalars(db.select(Round)))
        results = search(None, Scope(rounds), parse_query("ferries"))
        assert [(h.kind, h.provision.key) for h in results.hits] == [("provision", "m-1"),
                                                                      ("comment", "m-1")]
        keys = db.session.execute(db.select(SearchEntry.kind, SearchEntry.fts_key)).all()
        assert {kind: key // CODE_SHIFT for kind, key in keys} == {
            "provision": rounds[0].code_id, "comment": rounds[0].code_id}
        db.session.commit()
        db.session.remove()
        downgrade(revision="6a8c3e1f9d42")
        columns = {c["name"] for c in db.inspect(db.engine).get_columns("search_entries")}
        assert "fts_key" not in columns
        if db.engine.dialect.name == "sqlite":  # the FTS5 rowid is the entry id again
            matched = db.session.scalars(text(
                "SELECT search_entries.kind FROM search_fts JOIN search_entries "
                "ON search_entries.id = search_fts.rowid WHERE search_fts MATCH 'ferries'"))
            assert sorted(matched) == ["comment", "provision"]
        db.session.remove()
        db.engine.dispose()

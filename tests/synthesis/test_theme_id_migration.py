"""The migration that stops SQLite giving a deleted theme's id to a new one (3b7e91c4d2a5)
rebuilds the themes table keeping every theme and what points at it; on PostgreSQL, whose
sequences never reuse an id, it changes nothing."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select

from app import create_app
from app.accounts.models import User
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.synthesis.models import SynthesisRun, Theme, ThemeIdentity, ThemeMember

BEFORE = "8116dab6fea8"


def _new_theme(run_id: int, round_id: int) -> int:
    theme = Theme(run_id=run_id, identity=ThemeIdentity(round_id=round_id,
                                                        scope_key="provision:m"))
    db.session.add(theme)
    db.session.commit()
    return theme.id


def test_stored_themes_are_kept_and_a_deleted_themes_id_is_not_given_again(
    fresh_database_url: str,
) -> None:
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        round_ = Round(code=Code(slug="c", title="C"), number=1, name="Draft",
                       visibility="public", levels=["measure"])
        provision = Provision(round=round_, key="m", kind="measure", depth=1, position=0,
                              label="M", number="1", title="M", body="", body_html="", text="")
        comment = Comment(round=round_, provision=provision, body="c", stance="amend",
                          author=User(email="a@example.org", name="A", password_hash="x"))
        run = SynthesisRun(round=round_, scope_kind="provision", provision_key="m",
                           scope_key="provision:m", status="done")
        db.session.add_all([comment, run])
        db.session.commit()
        ids = {"run": run.id, "round": round_.id, "comment": comment.id}
        themes = [_new_theme(ids["run"], ids["round"]) for _ in range(3)]
        db.session.add(ThemeMember(run_id=ids["run"], comment_id=ids["comment"],
                                   theme_id=themes[-1]))
        db.session.commit()
        db.session.remove()

        upgrade()
        assert sorted(db.session.scalars(select(Theme.id))) == themes
        member = db.session.scalars(select(ThemeMember)).one()
        assert member.theme_id == themes[-1] and member.theme.run_id == ids["run"]
        db.session.execute(delete(Theme).where(Theme.id == themes[-1]))
        db.session.commit()
        assert _new_theme(ids["run"], ids["round"]) == themes[-1] + 1
        db.session.remove()

        downgrade(revision=BEFORE)
        upgrade()
        assert sorted(db.session.scalars(select(Theme.id))) == [*themes[:2], themes[-1] + 1]
        db.engine.dispose()

"""The migration that puts each theme member's campaign beside it (8116dab6fea8) fills it for
the runs stored before, from their campaigns' letters, and its downgrade takes it away."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect, select

from app import create_app
from app.accounts.models import User
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.synthesis.models import (
    CampaignGroup,
    CampaignMember,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
)

BEFORE = "7d2e4b9a1c63"


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("theme_members")}


def test_members_stored_before_get_their_campaign_and_lose_it_on_downgrade(
    fresh_database_url: str,
) -> None:
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        round_ = Round(code=Code(slug="c", title="C"), number=1, name="Draft",
                       visibility="public", levels=["measure"])
        provision = Provision(round=round_, key="m", kind="measure", depth=1, position=0,
                              label="M", number="1", title="M", body="", body_html="", text="")
        author = User(email="a@example.org", name="A", password_hash="x")
        comments = [Comment(round=round_, provision=provision, author=author, body=f"c{i}",
                            stance="amend") for i in range(4)]
        runs = [SynthesisRun(round=round_, scope_kind="provision", provision_key="m",
                             scope_key="provision:m", status="done") for _ in range(2)]
        db.session.add_all([*comments, *runs])
        db.session.flush()
        theme = Theme(run=runs[0], identity=ThemeIdentity(round_id=round_.id,
                                                          scope_key="provision:m"))
        # Comments 0 and 1 are letters of a campaign in the first run only.
        campaign = CampaignGroup(run=runs[0], template="c0", canonical_id=comments[0].id,
                                 size=2, members=[CampaignMember(comment_id=comments[i].id)
                                                  for i in (0, 1)])
        db.session.add_all([theme, campaign])
        db.session.flush()
        # Plain inserts: the ORM would name the new column.
        db.session.execute(insert(ThemeMember.__table__), [
            {"run_id": run.id, "comment_id": c.id, "theme_id": theme.id if run is runs[0]
             else None} for run in runs for c in comments])
        db.session.commit()
        ids = {"campaign": campaign.id, "first": runs[0].id,
               "letters": {comments[0].id, comments[1].id}}
        db.session.remove()

        upgrade()
        rows = db.session.execute(select(ThemeMember.run_id, ThemeMember.comment_id,
                                         ThemeMember.campaign_id)).all()
        assert len(rows) == 8
        for run_id, comment_id, campaign_id in rows:
            letter = run_id == ids["first"] and comment_id in ids["letters"]
            assert campaign_id == (ids["campaign"] if letter else None)
        db.session.remove()

        downgrade(revision=BEFORE)
        assert "campaign_id" not in _columns()
        db.engine.dispose()

"""theme member campaigns: each member's campaign beside it, and the indexes the chairs' pages read

Issue 13, point 5: the theme and run pages read one page of a theme's individual comments, its
campaigns, or the run's unassigned comments at a time. `theme_members.campaign_id` repeats
the comment's campaign in the run (filled here from campaign_members for existing runs), and
indexes serve those reads: (run_id, theme_id) and (theme_id, campaign_id), which replace the
indexes on run_id and theme_id alone, and two partial ones (PostgreSQL reads rows in their
order from them): a theme's comments outside campaigns by distance, a run's unassigned
comments by id. On campaign_members, (campaign_id, id) replaces the index on campaign_id (a
campaign's first letters in its order) and a partial one holds the letters that differ from
the template.

Revision ID: 8116dab6fea8
Revises: 7d2e4b9a1c63
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "8116dab6fea8"
down_revision = "7d2e4b9a1c63"
branch_labels = None
depends_on = None

INDIVIDUAL = sa.text("campaign_id IS NULL")
UNASSIGNED = sa.text("theme_id IS NULL")
DIFFERS = sa.text("addition != ''")


def upgrade():
    with op.batch_alter_table("theme_members") as batch:
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_theme_members_campaign_id_campaign_groups"),
                                 "campaign_groups", ["campaign_id"], ["id"], ondelete="SET NULL")
        batch.drop_index("ix_theme_members_theme_id")
        batch.drop_index("ix_theme_members_run_id")
    op.execute(
        "UPDATE theme_members SET campaign_id = cm.campaign_id "
        "FROM campaign_members AS cm JOIN campaign_groups AS cg ON cg.id = cm.campaign_id "
        "WHERE cg.run_id = theme_members.run_id AND cm.comment_id = theme_members.comment_id")
    op.create_index("ix_theme_members_run_id_theme_id", "theme_members", ["run_id", "theme_id"])
    op.create_index("ix_theme_members_theme_id_campaign_id", "theme_members",
                    ["theme_id", "campaign_id"])
    op.create_index("ix_theme_members_individual", "theme_members",
                    ["theme_id", "distance", "id"], postgresql_where=INDIVIDUAL,
                    sqlite_where=INDIVIDUAL)
    op.create_index("ix_theme_members_unassigned", "theme_members", ["run_id", "id"],
                    postgresql_where=UNASSIGNED, sqlite_where=UNASSIGNED)
    op.drop_index("ix_campaign_members_campaign_id", table_name="campaign_members")
    op.create_index("ix_campaign_members_campaign_id_id", "campaign_members",
                    ["campaign_id", "id"])
    op.create_index("ix_campaign_members_added", "campaign_members", ["campaign_id", "id"],
                    postgresql_where=DIFFERS, sqlite_where=DIFFERS)


def downgrade():
    op.drop_index("ix_campaign_members_added", table_name="campaign_members")
    op.drop_index("ix_campaign_members_campaign_id_id", table_name="campaign_members")
    op.create_index("ix_campaign_members_campaign_id", "campaign_members", ["campaign_id"])
    op.drop_index("ix_theme_members_unassigned", table_name="theme_members")
    op.drop_index("ix_theme_members_individual", table_name="theme_members")
    op.drop_index("ix_theme_members_theme_id_campaign_id", table_name="theme_members")
    op.drop_index("ix_theme_members_run_id_theme_id", table_name="theme_members")
    with op.batch_alter_table("theme_members") as batch:
        batch.drop_constraint(op.f("fk_theme_members_campaign_id_campaign_groups"),
                              type_="foreignkey")
        batch.drop_column("campaign_id")
        batch.create_index("ix_theme_members_theme_id", ["theme_id"])
        batch.create_index("ix_theme_members_run_id", ["run_id"])

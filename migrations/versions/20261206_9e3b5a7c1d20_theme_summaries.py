"""theme summaries: one or two of each theme's most central sentences; scope settings

Issue 12: each theme gets a title a chair could have written (stored in `label`, as before)
and a summary, extractive or from the optional summariser (`summary_source`). Existing themes
get an empty summary until their scope runs again. `scope_settings` holds the secretariat's
choice to let the optional summariser read a scope's private comments (off by default).

Revision ID: 9e3b5a7c1d20
Revises: 4c1d2e7a9b10
Create Date: 2026-12-06 18:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9e3b5a7c1d20"
down_revision = "4c1d2e7a9b10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("themes") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("summary_source", sa.String(length=16),
                                   server_default="extract", nullable=False))
    op.create_table(
        "scope_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=120), nullable=False),
        sa.Column("summarise_private", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"],
                                name=op.f("fk_scope_settings_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_scope_settings_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_settings")),
        sa.UniqueConstraint("round_id", "scope_key",
                            name=op.f("uq_scope_settings_round_id_scope_key")),
    )


def downgrade():
    op.drop_table("scope_settings")
    with op.batch_alter_table("themes") as batch:
        batch.drop_column("summary_source")
        batch.drop_column("summary")

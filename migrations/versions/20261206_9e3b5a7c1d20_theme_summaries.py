"""theme summaries: one or two of each theme's most central sentences

Issue 12: each theme gets a title a chair could have written (stored in `label`, as before)
and an extractive summary. Existing themes get an empty summary until their scope runs again.

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


def downgrade():
    with op.batch_alter_table("themes") as batch:
        batch.drop_column("summary")

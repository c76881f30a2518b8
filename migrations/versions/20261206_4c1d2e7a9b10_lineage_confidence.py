"""lineage confidence: how sure the engine was of each link, and what else it weighed

Issue 17: every stored lineage link keeps the alignment engine's confidence (0..1; links the
secretariat corrected or confirmed are 1) and the alternatives it weighed, so that the review
queue lists the least certain links first. Existing links get confidence 1 (they were never
scored) and no alternatives; re-importing a round scores them.

Revision ID: 4c1d2e7a9b10
Revises: 82f8674d3ddd
Create Date: 2026-12-06 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "4c1d2e7a9b10"
down_revision = "82f8674d3ddd"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lineage_links") as batch:
        batch.add_column(sa.Column("confidence", sa.Float(), server_default="1", nullable=False))
        batch.add_column(sa.Column("alternatives", sa.JSON(), nullable=True))
    op.execute("UPDATE lineage_links SET alternatives = '[]'")
    with op.batch_alter_table("lineage_links") as batch:
        batch.alter_column("alternatives", existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table("lineage_links") as batch:
        batch.drop_column("alternatives")
        batch.drop_column("confidence")

"""lineage pairings stored at import, so that the first comparison after an import reads them

Issue 13, point 4: the pairing of two rounds (which provision became which, and how) is
stored beside the word diffs under the signature of the rounds and links it was computed
from; a web worker's first comparison reads it while that signature holds.

Revision ID: 7d2e4b9a1c63
Revises: c4f1a8e2d903
Create Date: 2026-12-07 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7d2e4b9a1c63"
down_revision = "c4f1a8e2d903"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lineage_pairings",
        sa.Column("from_round_id", sa.Integer(), nullable=False),
        sa.Column("to_round_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_round_id"], ["rounds.id"],
            name=op.f("fk_lineage_pairings_from_round_id_rounds"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_round_id"], ["rounds.id"],
            name=op.f("fk_lineage_pairings_to_round_id_rounds"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_round_id", "to_round_id", name=op.f("pk_lineage_pairings")),
    )
    op.create_index(
        op.f("ix_lineage_pairings_to_round_id"), "lineage_pairings", ["to_round_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_lineage_pairings_to_round_id"), table_name="lineage_pairings")
    op.drop_table("lineage_pairings")

"""synthesis chunks: a large run's embedding split into leased slices for several workers

Issue 13, point 2: a run over more texts than PLENARY_EMBED_FANOUT_ABOVE embeds them in
chunks on the task queue; each row is one chunk, claimed by one worker at a time under a
lease renewed by its heartbeat, done once its vectors are in the cache.

Revision ID: c4f1a8e2d903
Revises: c4d1e7f3a9b2
Create Date: 2026-12-06 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c4f1a8e2d903"
down_revision = "c4d1e7f3a9b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "synthesis_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["synthesis_runs.id"],
                                name=op.f("fk_synthesis_chunks_run_id_synthesis_runs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthesis_chunks")),
        sa.UniqueConstraint("run_id", "number", name=op.f("uq_synthesis_chunks_run_id_number")),
    )
    op.create_index(op.f("ix_synthesis_chunks_run_id"), "synthesis_chunks", ["run_id"])


def downgrade():
    op.drop_index(op.f("ix_synthesis_chunks_run_id"), table_name="synthesis_chunks")
    op.drop_table("synthesis_chunks")

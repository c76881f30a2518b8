"""an index of comment carries by the provision they landed on

A provision's page lists the comments carried into it (WHERE to_provision_id = ?); without
an index that read scanned every carry of every consultation (bench/bench_pages_scale.py).

Revision ID: 5b2d8e4f6a17
Revises: 3f7a9c2e5b41
Create Date: 2026-12-06 18:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b2d8e4f6a17'
down_revision = '3f7a9c2e5b41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_comment_carries_to_provision_id'), 'comment_carries',
                    ['to_provision_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_comment_carries_to_provision_id'), table_name='comment_carries')

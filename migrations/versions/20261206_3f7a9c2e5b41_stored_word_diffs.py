"""word diffs stored at import, so that the first comparison after an import reads them

Revision ID: 3f7a9c2e5b41
Revises: ed060814b7fb
Create Date: 2026-12-06 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7a9c2e5b41'
down_revision = 'ed060814b7fb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('word_diffs',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('ops', sa.JSON(), nullable=False),
    sa.Column('words_inserted', sa.Integer(), nullable=False),
    sa.Column('words_deleted', sa.Integer(), nullable=False),
    sa.Column('words_unchanged', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_word_diffs'))
    )


def downgrade():
    op.drop_table('word_diffs')

"""transparency log: entries, stored subtree hashes, signed tree heads, signing keys, state

The RFC 9162 log of issue 14 (docs/record.md). Only new tables: nothing existing changes.
Databases that already hold comments can log them afterwards with `plenary log backfill`.

Revision ID: 82f8674d3ddd
Revises: 516304a04e1d
Create Date: 2026-12-06 14:39:49.646973

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '82f8674d3ddd'
down_revision = '516304a04e1d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('log_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_log_keys'))
    )
    op.create_table('log_nodes',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('node_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('level', 'node_index', name=op.f('pk_log_nodes'))
    )
    op.create_table('log_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('edge', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_state'))
    )
    op.create_table('log_heads',
    sa.Column('tree_size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.String(length=32), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['log_keys.key_id'], name=op.f('fk_log_heads_key_id_log_keys'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tree_size', name=op.f('pk_log_heads'))
    )
    op.create_table('log_entries',
    sa.Column('leaf_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('leaf', sa.Text(), nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_log_entries_comment_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_log_entries_round_id_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_log_entries'))
    )
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_entries_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index('ix_log_entries_kind_round', ['kind', 'round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_log_entries_kind_round')
        batch_op.drop_index(batch_op.f('ix_log_entries_comment_id'))

    op.drop_table('log_entries')
    op.drop_table('log_heads')
    op.drop_table('log_state')
    op.drop_table('log_nodes')
    op.drop_table('log_keys')

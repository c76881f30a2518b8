"""search index: an entry per provision and per comment, with SQLite FTS5 or PostgreSQL
full-text search over it, filled from the rows already stored

Revision ID: b98fd6c299e3
Revises: 9e3b5a7c1d20
Create Date: 2026-12-06 15:25:46.398155

The full-text index proper is each database's own and is kept in step with `search_entries` by
triggers (app/search/models.py holds the same statements for schemas made by create_all):
SQLite gets the FTS5 table `search_fts` (external content: the entries), PostgreSQL a trigger
that sets the `tsv` column, indexed by GIN. On SQLite `tsv` stays empty and its index is an
empty partial index (WHERE 0), so that both databases have the models' one schema.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b98fd6c299e3'
down_revision = '9e3b5a7c1d20'
branch_labels = None
depends_on = None

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION search_entries_tsv() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.tsv := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') "
    "|| setweight(to_tsvector('english', coalesce(NEW.body, '')), 'D'); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER search_entries_tsv BEFORE INSERT OR UPDATE OF title, body "
    "ON search_entries FOR EACH ROW EXECUTE FUNCTION search_entries_tsv()",
)
# What `plenary search reindex` does, in SQL both databases read alike.
FILL = (
    "INSERT INTO search_entries (kind, round_id, provision_id, title, body) "
    "SELECT 'provision', round_id, id, CASE WHEN label IS NOT NULL AND label != '' "
    "THEN label || ': ' || title ELSE title END, text FROM provisions",
    "INSERT INTO search_entries (kind, round_id, provision_id, comment_id, title, body) "
    "SELECT 'comment', round_id, provision_id, id, '', body || CASE WHEN proposed_text IS "
    "NOT NULL THEN '\n\n' || proposed_text ELSE '' END FROM comments",
)


def upgrade():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_search_entries_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['provisions.id'], name=op.f('fk_search_entries_provision_id_provisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_search_entries_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('comment_id', name=op.f('uq_search_entries_comment_id'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_provision_id'), ['provision_id'], unique=False)
        batch_op.create_index('ix_search_entries_round_kind', ['round_id', 'kind'], unique=False)
        batch_op.create_index('ix_search_entries_tsv', ['tsv'], unique=False, postgresql_using='gin', sqlite_where=sa.text('0'))

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ()):
        op.execute(statement)
    for statement in FILL:
        op.execute(statement)
    if dialect == "postgresql":
        op.execute("ANALYZE search_entries")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entries_tsv', postgresql_using='gin', sqlite_where=sa.text('0'))
        batch_op.drop_index('ix_search_entries_round_kind')
        batch_op.drop_index(batch_op.f('ix_search_entries_provision_id'))

    op.drop_table('search_entries')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS search_entries_tsv()")

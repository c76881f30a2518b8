"""search index keyed by code: an `fts_key` per entry that starts with its code, the FTS5
table's rowid (SQLite)

A search reads its own code's entries only: FTS5 matches within a rowid range of the code
instead of matching the whole index and dropping the other codes' entries afterwards
(bench/bench_pages_scale.py: search grew 4.9x with twenty other consultations). The key is
code id * 2^44, plus 2^43 for a comment, plus the provision or comment id
(app/search/models.py). On PostgreSQL the column is filled too (one schema for both) and the
tsvector query is unchanged.

Revision ID: c4d1e7f3a9b2
Revises: 6a8c3e1f9d42
Create Date: 2026-12-06 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d1e7f3a9b2'
down_revision = '6a8c3e1f9d42'
branch_labels = None
depends_on = None


def _fts5(rowid):
    """The FTS5 table over the entries with `rowid` as its key, and the triggers that keep it."""
    return (
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries', "
        f"content_rowid='{rowid}', tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
        f"INSERT INTO search_fts(rowid, title, body) VALUES (new.{rowid}, new.title, new.body); "
        "END",
        "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, body) "
        f"VALUES ('delete', old.{rowid}, old.title, old.body); END",
        "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, body) "
        f"VALUES ('delete', old.{rowid}, old.title, old.body); "
        f"INSERT INTO search_fts(rowid, title, body) VALUES (new.{rowid}, new.title, new.body); "
        "END",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    )


DROP_FTS5 = (
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TABLE IF EXISTS search_fts",
)
FILL = (
    "UPDATE search_entries SET fts_key = (SELECT code_id FROM rounds "
    "WHERE rounds.id = search_entries.round_id) * 17592186044416 + CASE WHEN comment_id IS "
    "NULL THEN provision_id ELSE 8796093022208 + comment_id END"
)


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite():
        for statement in DROP_FTS5:
            op.execute(statement)
    op.add_column('search_entries', sa.Column('fts_key', sa.BigInteger(), nullable=True))
    op.execute(FILL)
    op.create_index('ix_search_entries_fts_key', 'search_entries', ['fts_key'], unique=True)
    if _sqlite():
        for statement in _fts5("fts_key"):
            op.execute(statement)


def downgrade():
    if _sqlite():
        for statement in DROP_FTS5:
            op.execute(statement)
    op.drop_index('ix_search_entries_fts_key', table_name='search_entries')
    op.drop_column('search_entries', 'fts_key')
    if _sqlite():
        for statement in _fts5("id"):
            op.execute(statement)

"""theme ids never reused: AUTOINCREMENT on SQLite's themes table

A chair's merge deletes the merged theme. Without AUTOINCREMENT SQLite gives the highest freed
id to the next row, so the theme a later split made took the merged theme's id, and a form
left open on the merged theme (rename, merge, move) acted on the new one. PostgreSQL sequences
never hand an id out twice: nothing changes there. On SQLite the table is rebuilt (ids kept)
with AUTOINCREMENT, which also remembers the highest id used so far.

Revision ID: 3b7e91c4d2a5
Revises: 8116dab6fea8
Create Date: 2026-12-08 09:00:00

"""
from alembic import op

revision = "3b7e91c4d2a5"
down_revision = "8116dab6fea8"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("themes", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)

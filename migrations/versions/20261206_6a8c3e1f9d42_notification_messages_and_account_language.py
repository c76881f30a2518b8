"""notification messages and an account's language

Issue 16.6: a notification keeps the message id and values of its title and body
(`notifications.message`, JSON) beside their English text, so that it is shown in the
reader's language; an account remembers the language it chose (`users.locale`), in which it
is e-mailed. Notices made before keep `message` empty: they are recognised by their English
text when shown (app/notifications/messages.py), so nothing is rewritten here.

Revision ID: 6a8c3e1f9d42
Revises: 5b2d8e4f6a17
Create Date: 2026-12-06 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "6a8c3e1f9d42"
down_revision = "5b2d8e4f6a17"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("message", sa.JSON(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("message")

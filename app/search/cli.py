"""`plenary search ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import db
from app.search.index import reindex

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from every provision and comment stored now."""
    provisions, comments = reindex()
    db.session.commit()
    plural = "" if comments == 1 else "s"
    click.echo(f"Indexed {provisions} provisions and {comments} comment{plural}.")

"""`plenary drafts ...` and `plenary export lineage`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli import export_cli
from app.core.db import db
from app.core.errors import DomainError
from app.drafting import services
from app.drafting.lineage import lineage_document
from app.drafting.models import Code

drafts_cli = AppGroup("drafts", help="Import and inspect drafting rounds.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@drafts_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    """Import one round file, or every *.md round file of a folder in round order.

    Nothing is written when any file is refused.
    """
    results = []
    try:
        files = services.read_round_files(path)
        with click.progressbar(
            files, label="Importing rounds", file=sys.stderr, hidden=len(files) < 2
        ) as bar:
            for file in bar:
                results.append(services.import_file(file))
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    for result in results:
        click.echo(result.summary())


@export_cli.command("lineage")
@click.option("--code", "code_slug", required=True, help="Slug of the code.")
@click.option("--from", "from_n", required=True, type=int, help="Earlier round number.")
@click.option("--to", "to_m", required=True, type=int, help="Later round number.")
def export_lineage(code_slug: str, from_n: int, to_m: int) -> None:
    """How each provision of round FROM maps to round TO, as JSON (CONTRACT section 4)."""
    code = db.session.scalar(select(Code).where(Code.slug == code_slug))
    if code is None:
        _fail(f"no code '{code_slug}'")
        return
    try:
        document = lineage_document(code, from_n, to_m)
    except DomainError as error:
        _fail(error.message)
        return
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))

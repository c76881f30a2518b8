"""`plenary drafts ...` and `plenary export lineage`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import export_cli, user_errors
from app.core.db import db
from app.drafting import importer
from app.drafting.services import get_code, lineage_document

drafts_cli = AppGroup("drafts", help="Import and inspect drafting rounds.")


@drafts_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@user_errors
def import_command(path: Path) -> None:
    """Import one round file, or every *.md round file of a folder in round order.

    Nothing is written when any file is refused.
    """
    results = []
    files = importer.read_round_files(path)
    with click.progressbar(
        files, label="Importing rounds", file=sys.stderr, hidden=len(files) < 2
    ) as bar:
        for file in bar:
            results.append(importer.import_file(file))
    db.session.commit()
    for result in results:
        click.echo(result.summary())


@export_cli.command("lineage")
@click.option("--code", "code_slug", required=True, help="Slug of the code.")
@click.option("--from", "from_n", required=True, type=int, help="Earlier round number.")
@click.option("--to", "to_m", required=True, type=int, help="Later round number.")
@user_errors
def export_lineage(code_slug: str, from_n: int, to_m: int) -> None:
    """How each provision of round FROM maps to round TO, as JSON (CONTRACT section 4)."""
    document = lineage_document(get_code(code_slug), from_n, to_m)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))

"""`plenary feedback ...`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import fail, user_errors
from app.core.db import db
from app.drafting.services import get_round
from app.feedback import bulk

feedback_cli = AppGroup("feedback", help="Import and export feedback.")


@feedback_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code", required=True, help="Slug of the Code.")
@click.option("--round", "number", type=int, required=True, help="Round number.")
@user_errors
def import_command(file: Path, code: str, number: int) -> None:
    """Import feedback from a JSON Lines or CSV file (CONTRACT §3); idempotent by external_id."""
    round_ = get_round(code, number, check=False)
    try:
        rows = list(bulk.read_rows(file.read_bytes(), file.name))
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    with click.progressbar(
        length=len(rows), label="Importing", file=sys.stderr, show_pos=True
    ) as bar:
        report = bulk.import_feedback(round_, rows, source_name=file.name, progress=bar.update)
    db.session.commit()
    for line, reason in report.refused:
        click.echo(f"{file.name}:{line}: refused: {reason}", err=True)
    click.echo(report.summary)

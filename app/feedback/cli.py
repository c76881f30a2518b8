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
        lines = _count_lines(file)
        with click.progressbar(
            length=lines, label="Importing", file=sys.stderr, show_pos=True
        ) as bar:
            report = bulk.import_feedback_file(file, round_, progress=bar.update)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    db.session.commit()
    for line, reason in report.refused:
        click.echo(f"{file.name}:{line}: refused: {reason}", err=True)
    click.echo(report.summary)


def _count_lines(file: Path) -> int:
    """The file's lines (an upper bound of its rows, for the progress bar), read in chunks."""
    count = 0
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"\n")
    return count

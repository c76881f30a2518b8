"""`plenary verify log|receipt`, `plenary log close-windows|backfill|keygen` and
`plenary export akn`.

Verification exits 0 when every check holds and 1 with one line per failure naming the check
(app/record/verify.py lists them); a mistake in how it was called exits 2 with one line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.core.cli import export_cli, user_errors
from app.core.db import db
from app.drafting.services import get_round
from app.record import events, signing
from app.record.akn import round_document
from app.record.verify import Report, Source, SourceError, check_log, check_receipt

STATE_VARIABLE = "PLENARY_VERIFY_STATE"


class _OneLine:
    """Usage errors as one line ("Error: ..."), without the usage block and the help hint."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]
        except click.UsageError as error:
            error.ctx = None
            raise


class OneLineCommand(_OneLine, click.Command):
    pass


class OneLineGroup(_OneLine, AppGroup):
    command_class = OneLineCommand

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            error.ctx = None
            raise


verify_cli = OneLineGroup(
    "verify", help="Check the transparency log or a receipt.", no_args_is_help=False
)
log_cli = AppGroup("log", help="The transparency log: closing windows, backfill, keys.")


def _source(url: str | None) -> Source:
    from app.record.sources import HttpSource, LocalSource

    if url is None:
        return LocalSource()
    try:
        return HttpSource(url)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


def _finish(report: Report, summary: str) -> None:
    db.session.rollback()
    for line in report.failures:
        click.echo(f"FAIL {line}")
    if report.failures:
        sys.exit(1)
    click.echo(summary)


def _state_path(path: Path | None) -> Path:
    if path is not None:
        return path
    return Path(os.environ.get(STATE_VARIABLE) or Path.home() / ".plenary" / "verify-state.json")


def _read_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise click.UsageError(f"cannot read the state file {path}: {error}") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"the state file {path} is not a JSON object")
    return data


def _write_state(path: Path, states: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(states, indent=2, sort_keys=True))
    temporary.replace(path)


@verify_cli.command("log")
@click.option("--url", help="A running instance (its address or its /api/v1); else this database.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the last head seen is kept (default ~/.plenary/verify-state.json).",
)
@click.option(
    "--full", is_flag=True, help="Re-read every leaf, not only those since the last head."
)
def verify_log_command(url: str | None, state_file: Path | None, full: bool) -> None:
    """Check every head's signature, the leaves against the signed root, inclusion proofs,
    consistency with the last head seen and (locally) the stored records against their leaves."""
    source = _source(url)
    path = _state_path(state_file)
    states = _read_state(path)
    previous = states.get(source.name)
    try:
        report, state = check_log(source, previous, full=full or url is None)
    except SourceError as error:
        report, state = _failed("fetch", str(error)), {}
    except (KeyError, TypeError, ValueError) as error:
        report, state = _failed("fetch", f"the log's answer is not as expected ({error!r})"), {}
    except SQLAlchemyError as error:
        message = f"cannot read the log from the database ({error.__class__.__name__}); "
        report, state = _failed("fetch", message + "is it upgraded (plenary db upgrade)?"), {}
    if report.ok:
        states[source.name] = state
        _write_state(path, states)
    since = (
        f", consistent with the head of size {previous['tree_size']} seen before"
        if previous
        else ""
    )
    _finish(report, f"log ok: {state.get('tree_size')} entries, root {state.get('root_hash')} "
                    f"signed by key {state.get('key_id')}{since}")  # fmt: skip


@verify_cli.command("receipt")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--url", help="A running instance; else this database.")
def verify_receipt_command(file: Path, url: str | None) -> None:
    """Check a receipt: its commitment, leaf hash, signed head, inclusion in that head's tree,
    and that the log's current tree extends it."""
    try:
        receipt = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"cannot read the receipt {file}: {error}") from None
    except ValueError:
        raise click.UsageError(f"{file} is not JSON: not a receipt") from None
    if not isinstance(receipt, dict):
        raise click.UsageError(f"{file} is not a JSON object: not a receipt")
    receipt = receipt.get("receipt", receipt)  # a saved POST answer works too
    source = _source(url)
    try:
        report = check_receipt(receipt, source)
    except SourceError as error:
        report = _failed("fetch", str(error))
    except (KeyError, TypeError, ValueError) as error:
        report = _failed("fetch", f"the log's answer is not as expected ({error!r})")
    except SQLAlchemyError as error:
        report = _failed("fetch", f"cannot read the log from the database ({error!r})")
    index = receipt.get("leaf_index") if isinstance(receipt, dict) else None
    _finish(report, f"receipt ok: leaf {index} is in the log")


def _failed(check: str, message: str) -> Report:
    report = Report()
    report.fail(check, message)
    return report


@log_cli.command("close-windows")
def close_windows_command() -> None:
    """Log the closing of every consultation window that has closed (idempotent)."""
    from app.record.tasks import close_due_windows

    click.echo(f"{close_due_windows()} closed window(s) logged")


@log_cli.command("backfill")
def backfill_command() -> None:
    """Log the comments, rounds and answers stored before the log existed (idempotent)."""
    counts = events.backfill()
    db.session.commit()
    click.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()))


@log_cli.command("keygen")
def keygen_command() -> None:
    """Print a new signing key for PLENARY_LOG_SIGNING_KEY (base64 of a 32-byte seed)."""
    click.echo(signing.new_seed())


@export_cli.command("akn")
@click.option("--code", "code_slug", required=True, help="Slug of the code.")
@click.option("--round", "number", required=True, type=int, help="Round number.")
@user_errors
def export_akn_command(code_slug: str, number: int) -> None:
    """The round as an Akoma Ntoso 3.0 document (XML) on stdout."""
    click.echo(round_document(get_round(code_slug, number, check=False)), nl=False)

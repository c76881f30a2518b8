"""`plenary synthesise`, `plenary export synthesis` and `plenary worker`."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from app.core.cli import export_cli, fail, user_errors
from app.core.db import db
from app.drafting.models import Round
from app.drafting.services import get_round


def _round(code: str, number: int) -> Round:
    return get_round(code, number, check=False)


def _scope_options(func: Any) -> Any:
    for option in reversed([
        click.option("--code", required=True, help="Slug of the Code."),
        click.option("--round", "number", required=True, type=int, help="Round number."),
        click.option("--provision", default=None, help="Key of a provision (and what it holds)."),
        click.option("--group", default=None, help="Slug of a working group."),
    ]):
        func = option(func)
    return func


@click.command("synthesise")
@_scope_options
@with_appcontext
@user_errors
def synthesise_command(code: str, number: int, provision: str | None, group: str | None) -> None:
    """Embed and cluster the feedback in scope (the whole round by default)."""
    from app.synthesis.services import check_consulted, resolve_scope, run_synthesis

    round_ = _round(code, number)
    check_consulted(round_)  # a bad scope or the final code: one line, no bar
    resolve_scope(round_, provision=provision, group=group)
    with click.progressbar(length=100, label="embedding and clustering", show_eta=False) as bar:
        shown = [0]

        def progress(done: int, total: int) -> None:
            percent = int(100 * done / total) if total else 100
            bar.update(percent - shown[0])
            shown[0] = percent

        run = run_synthesis(round_, provision=provision, group=group, progress=progress)
    db.session.commit()
    click.echo(f"run {run.id}: {run.message}")


@export_cli.command("synthesis")
@_scope_options
@user_errors
def export_synthesis_command(
    code: str, number: int, provision: str | None, group: str | None
) -> None:
    """Print the latest synthesis of a scope as JSON (CONTRACT §4)."""
    from app.synthesis.export import synthesis_document
    from app.synthesis.services import latest_run

    run = latest_run(_round(code, number), provision=provision, group=group)
    if run is None:
        fail("no synthesis has been run for that scope; run `plenary synthesise` first")
    click.echo(json.dumps(synthesis_document(run), ensure_ascii=False, indent=2))


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run the background task consumer (syntheses queued from the chair pages)."""
    from huey.consumer import Consumer

    from app.core.tasks import huey
    from app.synthesis import tasks  # noqa: F401  (registers the tasks)

    huey.immediate = False
    Consumer(huey, workers=workers, worker_type="thread").run()

"""`plenary synthesise`, `plenary export synthesis` and `plenary worker`."""

from __future__ import annotations

import click


@click.command("synthesise")
def synthesise_command() -> None:
    """Embed and cluster the feedback in scope."""


@click.command("worker")
def worker_command() -> None:
    """Run the background task consumer."""

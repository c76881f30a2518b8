"""`plenary demo`: a fresh database with the demo Code, accounts and feedback, then serve it."""

from __future__ import annotations

import click


@click.command("demo")
def demo_command() -> None:
    """Create the embedded database, load the demo and serve it on http://127.0.0.1:5000."""

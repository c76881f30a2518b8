"""The `plenary` command: a Flask command group; create_app adds one sub-group per domain."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup


def _make_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=True, load_dotenv=False)
def cli() -> None:
    """Plenary: stakeholder consultation and drafting."""


# The commands that may create a missing SQLite database file; serving never does.
CREATING_COMMANDS = ("db", "demo")


def main() -> None:
    import os

    from app import ROOT
    from app.config import ConfigError, load_config

    if sys.argv[1:2] and sys.argv[1] in CREATING_COMMANDS:
        os.environ.setdefault("PLENARY_SQLITE_CREATE", "1")
    try:
        load_config(ROOT / "instance")
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    cli.main(prog_name="plenary")


if __name__ == "__main__":  # pragma: no cover
    main()

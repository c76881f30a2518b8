"""The `plenary` command: a Flask command group with one sub-group per domain."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup


def register_commands(app: Flask) -> None:
    from app.accounts.cli import groups_cli, tokens_cli, users_cli

    for group in (users_cli, tokens_cli, groups_cli):
        app.cli.add_command(group)
    for command in _domain_commands():
        app.cli.add_command(command)


export_cli = AppGroup("export", help="Export syntheses and lineage as JSON.")


def _domain_commands() -> list[click.Command]:
    """Each domain's command group or command (see the domain's cli.py)."""
    from app.demo import demo_command
    from app.drafting.cli import drafts_cli
    from app.feedback.cli import feedback_cli
    from app.synthesis.cli import synthesise_command, worker_command

    return [drafts_cli, feedback_cli, synthesise_command, worker_command, export_cli, demo_command]


def _make_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=True, load_dotenv=False)
def cli() -> None:
    """Plenary: stakeholder consultation and drafting."""


def main() -> None:
    from app import ROOT
    from app.config import ConfigError, load_config

    try:
        load_config(ROOT / "instance")
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    cli.main(prog_name="plenary")


if __name__ == "__main__":  # pragma: no cover
    main()

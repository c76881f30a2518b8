"""Helpers shared by the command-line groups: one clear line and exit 2 for a user's mistake,
and the `plenary export` group that several domains add their exports to."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
from flask.cli import AppGroup

from app.core.db import db
from app.core.errors import DomainError

export_cli = AppGroup("export", help="Export syntheses, lineage and rounds.")


def fail(message: str) -> NoReturn:
    """Roll back whatever the command wrote, print one line on stderr and exit with status 2."""
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into one line on stderr and exit status 2, with nothing written."""

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            detail = error.detail
            if isinstance(detail, list):
                for line in detail:
                    click.echo(f"  {line}", err=True)
            fail(error.message)

    return wrapped

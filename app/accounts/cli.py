"""`plenary users ...` and `plenary tokens ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import CATEGORIES, ROLES
from app.core.cli import fail, user_errors
from app.core.db import db

users_cli = AppGroup("users", help="Manage accounts.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")
groups_cli = AppGroup("groups", help="Manage working groups.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--org", "organisation", default=None, help="Organisation.")
@click.option("--category", type=click.Choice(CATEGORIES), default="other")
@click.option("--role", type=click.Choice(ROLES), default="participant")
@click.option(
    "--group", "groups", multiple=True, help="wg1, wg1:chair or wg1:vice_chair; repeatable."
)
@user_errors
def create_user(
    email: str,
    name: str,
    organisation: str | None,
    category: str,
    role: str,
    groups: tuple[str, ...],
) -> None:
    """Create an account and print its one-time invitation link."""
    specs = [services.parse_group_spec(g) for g in groups]
    user = services.create_user(
        email, name, organisation=organisation, category=category, role=role, groups=specs
    )
    invited = services.invite(user, actor=None)
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")
    if invited.link:
        click.echo(f"invitation link (valid once): {invited.link}")
    else:
        click.echo("invitation mailed")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", help="A name to recognise the token by.")
@user_errors
def create_token(email: str, name: str) -> None:
    """Print a new personal API token for that account, alone on the last line."""
    user = services.find_user(email)
    if user is None:
        fail(f"there is no account with the email {email}")
    _token, secret = services.create_token(user, name)
    db.session.commit()
    click.echo(f"token for {user.email} (shown once):")
    click.echo(secret)


@groups_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--description", default="")
@user_errors
def create_group(slug: str, name: str, description: str) -> None:
    """Create a working group."""
    services.create_group(slug, name, description)
    db.session.commit()
    click.echo(f"created working group {slug}")

"""`flask users ...`: create the first administrator from the command line."""

import click
from flask.cli import AppGroup

from app.accounts.services import create_admin
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name", default="Administrator")
@click.password_option()
def create_admin_command(email: str, display_name: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = create_admin(email, password, display_name)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Administrator {user.email} created (id {user.id}).")

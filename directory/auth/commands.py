"""``flask partners …`` and ``flask apikeys …``: organizations, logins and keys from the shell."""

from __future__ import annotations

import uuid

import click
from sqlalchemy import select

from directory.auth import accounts
from directory.cli import apikeys_cli, partners_cli
from directory.extensions import db
from directory.models import ApiKey, Organization, User
from directory.models.accounts import ROLES


def _organization(value: str | None) -> Organization | None:
    if value is None:
        return None
    try:
        organization = db.session.get(Organization, uuid.UUID(value))
    except ValueError:
        organization = None
    if organization is None:
        raise click.BadParameter(f"no organization with id {value}", param_hint="--org")
    return organization


@partners_cli.command("create-org")
@click.argument("name")
def create_org_command(name: str) -> None:
    """Create a partner organization and print its id."""
    organization = accounts.create_organization(db.session, name)
    db.session.commit()
    click.echo(str(organization.id))


@partners_cli.command("create-user")
@click.argument("email")
@click.option("--org", "org_id", help="The organization an editor works for.")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.option("--password", help="Prompted for (hidden) when not given.")
def create_user_command(email: str, org_id: str | None, role: str, password: str | None) -> None:
    """Create a login for an editor of an organization, or for an admin."""
    organization = _organization(org_id)
    if role == "editor" and organization is None:
        raise click.UsageError("an editor needs --org ORG_ID")
    if db.session.scalar(select(User.id).where(User.email == email.strip().lower())):
        raise click.UsageError(f"a user with email {email} already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = accounts.password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    user = accounts.create_user(
        db.session,
        email,
        role=role,
        organization_id=organization.id if organization else None,
        password=password,
    )
    db.session.commit()
    click.echo(f"created {user.role} {user.email} ({user.id})")


@apikeys_cli.command("create")
@click.option("--org", "org_id", required=True, help="The organization the key writes for.")
@click.option("--name", default="API key", show_default=True, help="A label for the key.")
def create_key_command(org_id: str, name: str) -> None:
    """Create an API key and print it once; only its hash is kept."""
    organization = _organization(org_id)
    api_key, key = accounts.create_api_key(db.session, organization.id, name)
    db.session.commit()
    click.echo(key)
    click.echo(f"(prefix {api_key.prefix}; store the key now, it cannot be shown again)", err=True)


@apikeys_cli.command("revoke")
@click.argument("prefix")
def revoke_key_command(prefix: str) -> None:
    """Revoke the key whose visible prefix is PREFIX."""
    keys = db.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).all()
    if len(keys) != 1:
        raise click.UsageError(f"{len(keys)} keys have the prefix {prefix}; give exactly one")
    accounts.revoke_api_key(keys[0])
    db.session.commit()
    click.echo(f"revoked {prefix}")

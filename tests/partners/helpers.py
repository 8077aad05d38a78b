"""Helpers shared by the partner, moderation, auth and write-API tests: logins and keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, g
from itsdangerous import URLSafeTimedSerializer

from directory.auth import accounts
from directory.extensions import db
from directory.models import Organization, User
from tests.factories import OrganizationFactory

PASSWORD = "correct horse battery staple"


def make_user(email: str, *, role: str = "editor", organization: Organization | None = None):
    user = accounts.create_user(
        db.session,
        email,
        role=role,
        organization_id=organization.id if organization else None,
        password=PASSWORD,
    )
    db.session.commit()
    return user


def make_key(organization: Organization, name: str = "test system") -> str:
    _api_key, key = accounts.create_api_key(db.session, organization.id, name)
    db.session.commit()
    return key


def forget_request_globals() -> None:
    """Test clients share the test's app context, so ``g`` outlives a request: clear what
    Flask-WTF and Flask-Login cache there before another client makes its request."""
    g.pop("csrf_token", None)
    g.pop("_login_user", None)


def log_in(client, email: str, password: str = PASSWORD):
    """Log the test client in through the real form, CSRF token and all."""
    forget_request_globals()
    client.get("/auth/login")
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
    )


def csrf_token(client, path: str = "/auth/login") -> str:
    """A valid CSRF token for the client's session (Flask-WTF keeps the raw one in it)."""
    with client.session_transaction() as session:
        missing = "csrf_token" not in session
    if missing:
        forget_request_globals()
        client.get(path)
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(
        raw
    )


@dataclass
class World:
    """Two partner organizations, an editor and an API key for each, and an admin."""

    org_a: Organization
    org_b: Organization
    editor_a: User
    editor_b: User
    admin: User
    key_a: str
    key_b: str


def make_world() -> World:
    org_a = OrganizationFactory(name="Org A", is_partner=True)
    org_b = OrganizationFactory(name="Org B", is_partner=True)
    return World(
        org_a=org_a,
        org_b=org_b,
        editor_a=make_user("a@example.org", organization=org_a),
        editor_b=make_user("b@example.org", organization=org_b),
        admin=make_user("admin@example.org", role="admin"),
        key_a=make_key(org_a),
        key_b=make_key(org_b),
    )


VERSION_INPUT = re.compile(r'name="(version|seen_revision)" type="hidden" value="([^"]*)"')


def version_fields(client, url: str) -> dict[str, str]:
    """The hidden version fields of an edit form, as a browser would send them back."""
    forget_request_globals()
    page = client.get(url).get_data(as_text=True)
    return dict(VERSION_INPUT.findall(page))

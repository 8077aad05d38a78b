"""A partner's session ends on the server: a cookie copied before logout, a password change or
the account being disabled no longer works, and a stolen cookie cannot borrow its owner's
address through a forged X-Forwarded-For."""

from __future__ import annotations

import uuid

import pytest

from directory.auth import accounts
from directory.extensions import db
from directory.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple 42"
OWNER_ADDRESS = "198.51.100.7"
THIEF_ADDRESS = "203.0.113.9"
BROWSER = "Mozilla/5.0 (owner's phone)"


@pytest.fixture
def site(make_app):
    """Its own app, named so that the suite's autouse fixture does not hold its context open
    across requests (which would keep the first request's user in ``g``)."""
    return make_app(WTF_CSRF_ENABLED=False, PASSWORD_HASH_PROFILE="CHEAPEST")


@pytest.fixture
def owner(site) -> str:
    with site.app_context():
        user = UserFactory(
            email="owner@example.org", password_hash=accounts.hash_password(PASSWORD)
        )
        db.session.commit()
        return str(user.id)


def logged_in_client(site, address: str = OWNER_ADDRESS):
    client = site.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": BROWSER})
    response = client.post("/auth/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/partners/").status_code == 200
    return client


def copy_of_cookie(site, client, address: str = OWNER_ADDRESS, headers: dict | None = None):
    """Another client holding the same session cookie (as a thief who copied it would)."""
    thief = site.test_client()
    thief.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": BROWSER})
    thief.environ_base.update(
        {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    )
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_logout_stops_working(site, owner):
    client = logged_in_client(site)
    copy = copy_of_cookie(site, client)
    assert copy.get("/partners/").status_code == 200
    client.post("/auth/logout")
    assert copy.get("/partners/").status_code == 302


def test_a_session_cookie_copied_before_a_password_change_stops_working(site, owner):
    client = logged_in_client(site)
    copy = copy_of_cookie(site, client)
    new = "a much longer new password"
    client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert client.get("/partners/").status_code == 200
    assert copy.get("/partners/").status_code == 302


def test_disabling_an_account_ends_its_sessions(site, owner):
    client = logged_in_client(site)
    with site.app_context():
        db.session.get(User, uuid.UUID(owner)).active = False
        db.session.commit()
    assert client.get("/partners/").status_code == 302


def test_a_stolen_cookie_cannot_borrow_its_owners_address_through_x_forwarded_for(site, owner):
    client = logged_in_client(site)
    thief = copy_of_cookie(site, client, THIEF_ADDRESS, {"X-Forwarded-For": OWNER_ADDRESS})
    assert thief.get("/partners/").status_code == 302
    # The owner, at their own address, is still logged in.
    assert client.get("/partners/").status_code == 200

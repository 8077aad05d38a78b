"""Partners and staff log in safely: hashed passwords, lockouts, rate limits, one-time invites."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from directory import create_app
from directory.auth import accounts
from directory.extensions import db
from directory.models import ApiKey, Organization, User
from tests.factories import OrganizationFactory
from tests.partners.helpers import PASSWORD, csrf_token, forget_request_globals, log_in


def test_passwords_are_stored_as_argon2id_hashes(world):
    user = db.session.get(User, world.editor_a.id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_the_default_hashing_profile_is_argon2_low_memory(app, monkeypatch):
    monkeypatch.delitem(app.config, "PASSWORD_HASH_PROFILE")
    assert accounts.hash_password("x" * 12).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_editor_logs_in_and_lands_on_the_dashboard(client, world):
    response = log_in(client, world.editor_a.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/partners/")
    assert "Org A" in client.get("/partners/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, world):
    response = log_in(client, world.editor_a.email, "wrong password!")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    unknown = log_in(client, "nobody@example.org", "wrong password!")
    assert unknown.get_data(as_text=True).count("do not match an account") == 1


def test_failed_logins_never_lock_the_account(client, world):
    for _ in range(10):
        log_in(client, world.editor_a.email, "wrong password!")
    assert log_in(client, world.editor_a.email).status_code == 302


def test_login_redirects_only_to_same_site_paths(client, world):
    client.get("/auth/login")
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={
            "email": world.editor_a.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/partners/"


def test_a_login_form_without_a_csrf_token_is_refused(client, world):
    response = client.post(
        "/auth/login", data={"email": world.editor_a.email, "password": PASSWORD}
    )
    assert response.status_code in (400, 401)
    assert client.get("/partners/").status_code == 302


def test_logging_out_ends_the_session(client, world):
    log_in(client, world.editor_a.email)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/partners/").status_code == 302


def test_a_user_changes_their_password(client, world):
    log_in(client, world.editor_a.email)
    new = "a much longer new password"
    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert accounts.check_password(db.session.get(User, world.editor_a.id), new)


def test_a_short_new_password_is_refused_next_to_the_field(client, world):
    log_in(client, world.editor_a.email)
    page = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": csrf_token(client),
        },
    ).get_data(as_text=True)
    assert 'id="new_password-error"' in page


def test_an_invitation_link_sets_a_password_once(client, world):
    log_in(client, world.admin.email)
    page = client.post(
        "/admin/invite",
        data={
            "email": "new@example.org",
            "role": "editor",
            "organization_id": str(world.org_a.id),
            "csrf_token": csrf_token(client),
        },
    ).get_data(as_text=True)
    link = page.split('<code id="invite-link">')[1].split("</code>")[0]
    path = link.removeprefix("http://localhost")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    forget_request_globals()
    invitee = client.application.test_client()
    assert invitee.get(path).status_code == 200
    new = "my own long password"
    response = invitee.post(
        path,
        data={
            "new_password": new,
            "confirm_password": new,
            "csrf_token": csrf_token(invitee, path),
        },
    )
    assert response.status_code == 302
    assert invitee.get(path).status_code == 410
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.organization_id == world.org_a.id


def test_a_forged_invitation_token_is_refused(client, world):
    assert client.get("/auth/invite/not-a-token").status_code == 410


def test_login_attempts_are_rate_limited(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    client = app.test_client()
    statuses = [
        client.post("/auth/login", data={"email": "x@example.org", "password": "y"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_session_cookies_are_http_only_and_same_site(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_cli_creates_an_organization_a_user_and_a_key(runner):
    result = runner.invoke(args=["partners", "create-org", "Street Outreach NYC"])
    assert result.exit_code == 0, result.output
    org_id = result.output.strip()
    organization = db.session.get(Organization, uuid.UUID(org_id))
    assert organization.name == "Street Outreach NYC"

    result = runner.invoke(
        args=[
            "partners",
            "create-user",
            "ed@example.org",
            "--org",
            org_id,
            "--role",
            "editor",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(select(User).where(User.email == "ed@example.org")).organization_id
        == organization.id
    )

    result = runner.invoke(args=["apikeys", "create", "--org", org_id, "--name", "CRM sync"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    api_key = db.session.scalar(select(ApiKey))
    assert api_key.key_hash == accounts.hash_key(key)
    assert key.startswith(api_key.prefix)
    assert key not in api_key.key_hash


def test_create_user_prompts_for_the_password_when_not_given(runner):
    org = OrganizationFactory()
    result = runner.invoke(
        args=["partners", "create-user", "p@example.org", "--org", str(org.id)],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "p@example.org")).password_hash


@pytest.mark.parametrize("args", [["--role", "editor"], ["--org", "not-an-id"]])
def test_create_user_refuses_an_editor_without_a_real_organization(runner, args):
    result = runner.invoke(
        args=[
            "partners",
            "create-user",
            "q@example.org",
            "--password",
            "a long enough password",
            *args,
        ]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(User.id)) is None


def test_an_admin_can_be_created_without_an_organization(runner):
    result = runner.invoke(
        args=[
            "partners",
            "create-user",
            "staff@example.org",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "javascript:alert(1)"]
)
def test_login_never_redirects_to_a_path_a_browser_would_read_as_another_site(
    client, world, target
):
    client.get("/auth/login")
    response = client.post(
        "/auth/login?" + urlencode({"next": target}),
        data={
            "email": world.editor_a.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/partners/"


def test_the_cli_revokes_a_key_by_its_visible_prefix(runner, world, client):
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.organization_id == world.org_a.id))
    result = runner.invoke(args=["apikeys", "revoke", api_key.prefix])
    assert result.exit_code == 0, result.output
    response = client.post(
        "/api/v1/locations", json={"name": "x"}, headers={"Authorization": f"Bearer {world.key_a}"}
    )
    assert response.status_code == 401


def test_changing_the_password_logs_out_the_other_browsers(app, world):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, world.editor_a.email)
    log_in(phone, world.editor_a.email)
    new = "a much longer new password"
    laptop.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": csrf_token(laptop),
        },
    )
    forget_request_globals()
    assert laptop.get("/partners/").status_code == 200
    forget_request_globals()
    assert phone.get("/partners/").status_code == 302

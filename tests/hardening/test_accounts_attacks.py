"""Attacks on forms and accounts: CSRF, cookie theft, open redirects, leaked secrets, guessing."""

from __future__ import annotations

import logging
import re
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from directory.auth import accounts
from directory.extensions import db
from directory.models import Revision
from tests.factories import LocationFactory, OrganizationFactory, UserFactory

PASSWORD = "correct horse battery staple 42"
CSRF_FIELD = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
OFF_SITE_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "/\t/evil.example/",
    "javascript:alert(1)",
    "http://localhost@evil.example/",
]


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def make_user(**kwargs):
    return UserFactory(password_hash=accounts.hash_password(PASSWORD), **kwargs)


def log_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    query = f"?{urlencode({'next': next_url})}" if next_url is not None else ""
    token = csrf_token(client, "/auth/login")
    return client.post(
        f"/auth/login{query}",
        data={"email": email, "password": password, "csrf_token": token},
    )


def form_rules(app: Flask) -> list[str]:
    """Every POST route outside the key-authenticated JSON APIs and the SMS gateway's signed
    webhook (tests/sms/test_webhook.py), with placeholder ids."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/hsds", "/sms/")):
            continue
        arguments = {}
        for name in rule.arguments:
            choices = getattr(rule._converters.get(name), "items", None)
            arguments[name] = sorted(choices)[0] if choices else str(uuid.uuid4())
        with app.test_request_context():
            urls.append(rule.build(arguments, append_unknown=False)[1])
    return urls


def test_every_form_refuses_a_post_without_its_csrf_token(app, client):
    urls = form_rules(app)
    assert "/auth/login" in urls
    for url in urls:
        response = client.post(url, data={"email": "a@example.org", "password": PASSWORD})
        assert response.status_code == 400, url
        assert response.mimetype == "text/html", url
        assert "CSRF" in response.get_data(as_text=True), url


def test_a_csrf_token_from_another_visitor_is_refused(app):
    make_user(email="victim@example.org")
    attacker = app.test_client()
    stolen = csrf_token(attacker, "/auth/login")
    victim = app.test_client()
    response = victim.post(
        "/auth/login",
        data={"email": "victim@example.org", "password": PASSWORD, "csrf_token": stolen},
    )
    assert response.status_code == 400


def test_the_session_cookie_is_http_only_and_same_site(app, client):
    make_user(email="cookie@example.org")
    response = log_in(client, "cookie@example.org")
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def test_over_https_the_session_cookie_is_also_secure(monkeypatch, make_app):
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    app = make_app()
    with app.app_context():
        make_user(email="secure@example.org")
        client = app.test_client()
        page = client.get("/auth/login", base_url="https://localhost")
        assert page.headers["Strict-Transport-Security"]
        cookies = [c for c in page.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert cookies
        assert all("Secure" in c and "HttpOnly" in c for c in cookies)


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_logging_in_never_redirects_off_site(app, target):
    user = make_user()
    client = app.test_client()
    response = log_in(client, user.email, next_url=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    # Browsers read a backslash as a slash and drop tabs: judge the URL as they would.
    seen_by_browser = location.replace("\\", "/").replace("\t", "")
    parts = urlsplit(seen_by_browser)
    assert parts.scheme in ("", "http")
    assert parts.netloc in ("", "localhost"), location
    assert not seen_by_browser.startswith("//")


def test_logging_in_keeps_a_same_site_next_page(app):
    user = make_user()
    response = log_in(app.test_client(), user.email, next_url="/partners/?tab=locations")
    assert response.headers["Location"].endswith("/partners/?tab=locations")


def test_passwords_are_never_logged_or_echoed(app, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.DEBUG)
    user = make_user()
    client = app.test_client()
    wrong = log_in(client, user.email, password="wrong " + PASSWORD)
    right = log_in(client, user.email)
    assert wrong.status_code == 401
    assert right.status_code == 302
    for response in (wrong, right):
        assert PASSWORD not in response.get_data(as_text=True)
        assert PASSWORD not in str(response.headers)
    assert PASSWORD not in caplog.text
    assert user.password_hash not in caplog.text


def test_api_keys_are_never_logged_stored_or_echoed(app, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.DEBUG)
    organization = OrganizationFactory()
    _, key = accounts.create_api_key(db.session, organization.id, "integration")
    db.session.commit()
    client = app.test_client()
    created = client.post(
        "/api/v1/locations",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "name": "Key test site",
            "address": {
                "address_1": "1 Example St",
                "city": "New York",
                "state": "NY",
                "postal_code": "10001",
            },
        },
    )
    assert created.status_code == 201, created.json
    refused = client.post(
        "/api/v1/locations",
        headers={"Authorization": f"Bearer {key}x"},
        json={"name": "Nope"},
    )
    assert refused.status_code == 401
    history = client.get(f"/api/v1/locations/{created.json['id']}/revisions")
    for response in (created, refused, history):
        assert key not in response.get_data(as_text=True)
        assert key not in str(response.headers)
    assert key not in caplog.text
    labels = db.session.scalars(select(Revision.actor_label)).all()
    assert labels
    assert all(key not in label for label in labels)


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    with app.app_context():
        yield app


def test_guessing_passwords_is_rate_limited(limited_app):
    make_user(email="target@example.org")
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/auth/login", data={"email": f"guess{n}@example.org", "password": "guess"}
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = client.post("/auth/login", data={"email": "x@example.org", "password": "x"})
    assert limited.mimetype == "text/html"
    assert "Retry-After" in limited.headers


def test_a_forged_forwarded_for_header_does_not_escape_the_login_limit(limited_app):
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/auth/login",
            data={"email": "x@example.org", "password": "guess"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


def test_reporting_a_problem_is_rate_limited(limited_app):
    location = LocationFactory()
    client = limited_app.test_client()
    url = f"/locations/{location.id}/report"
    statuses = [
        client.post(url, data={"kind": "closed", "message": f"report {n}"}).status_code
        for n in range(7)
    ]
    assert 429 not in statuses[:5]
    assert statuses[5:] == [429, 429]

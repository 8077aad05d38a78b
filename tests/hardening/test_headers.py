"""Every answer carries the security headers, pages run no inline script, searches set no cookie."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.hardening.test_accounts_attacks import log_in, make_user

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
# Swagger UI's page is the one documented exception with its own, stricter-elsewhere policy.
INLINE_ALLOWED = {"/api/docs"}


@pytest.fixture
def listing(app):
    location = LocationFactory()
    service = ServiceFactory(categories=["naloxone"], locations=[location])
    ScheduleFactory(location=location)
    return location, service


def get_urls(app: Flask, location, service) -> list[str]:
    """One URL per GET route, its path arguments filled with real ids where we have them."""
    values = {
        "location_id": str(location.id),
        "service_id": str(service.id),
        "organization_id": str(location.organization_id),
        "org_id": str(location.organization_id),
        "listing_id": str(location.id),
        "id": str(service.id),
        "code": "NY",
        "filename": "vendor/leaflet/leaflet.css",
        "kind": "locations",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        arguments = {}
        for name in rule.arguments:
            # An <any(a, b):kind> argument takes one of its own words.
            choices = getattr(rule._converters.get(name), "items", None)
            arguments[name] = sorted(choices)[0] if choices else values.get(name, str(uuid.uuid4()))
        with app.test_request_context():
            urls.append(rule.build(arguments, append_unknown=False)[1])
    return [*sorted(set(urls)), "/no-such-page", "/api/v1/no-such-thing", "/search?radius=x"]


def test_every_page_and_api_answer_carries_the_security_headers(app, client, listing):
    missing = []
    for url in get_urls(app, *listing):
        response = client.get(url)
        response.close()  # static files are streamed from disk
        for name, value in HEADERS.items():
            if response.headers.get(name) != value:
                missing.append(f"{url} ({response.status_code}): {name}")
        csp = response.headers.get("Content-Security-Policy", "")
        strict = "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        if not strict and url not in INLINE_ALLOWED:
            missing.append(f"{url}: CSP {csp!r}")
        if "Permissions-Policy" not in response.headers:
            missing.append(f"{url}: Permissions-Policy")
        if "Strict-Transport-Security" in response.headers:
            missing.append(f"{url}: HSTS over plain HTTP")
    assert not missing


def test_answers_over_https_add_strict_transport_security(app, listing):
    client = app.test_client()
    for url in ["/", "/healthz", "/api/v1/taxonomy", f"/locations/{listing[0].id}"]:
        response = client.get(url, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000"), url


def test_no_page_carries_inline_script_handlers_or_styles_the_policy_would_block(
    app, client, listing
):
    offenders = []
    for url in get_urls(app, *listing):
        response = client.get(url)
        response.close()
        if response.mimetype != "text/html" or url in INLINE_ALLOWED:
            continue
        page = response.get_data(as_text=True)
        for name, pattern in [
            ("inline script", INLINE_SCRIPT),
            ("inline handler", INLINE_HANDLER),
            ("inline style", INLINE_STYLE),
        ]:
            if match := pattern.search(page):
                offenders.append(f"{url}: {name} {match.group(0)[:80]!r}")
    assert not offenders


def test_searching_and_reading_listings_sets_no_cookie(client, listing):
    location, _ = listing
    for url in [
        "/",
        "/?lang=es",
        "/search?near=10001",
        f"/locations/{location.id}",
        "/states/NY",
        "/api/v1/search?near=10001",
        f"/api/v1/locations/{location.id}",
        "/hsds/service_at_locations?postcode=10001",
    ]:
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url


def test_portal_and_admin_pages_carry_the_headers_and_no_inline_script(app, listing):
    admin = make_user(role="admin", organization=None)
    client = app.test_client()
    assert log_in(client, admin.email).status_code == 302
    offenders = []
    portal = [url for url in get_urls(app, *listing) if url.startswith(("/partners", "/admin"))]
    assert portal
    for url in portal:
        response = client.get(url)
        page = response.get_data(as_text=True)
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            offenders.append(f"{url}: headers")
        for name, pattern in [("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER)]:
            if match := pattern.search(page):
                offenders.append(f"{url}: inline {name} {match.group(0)[:80]!r}")
    assert not offenders

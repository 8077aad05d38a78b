"""Searching leaves no trace in the browser, loads nothing from elsewhere and stays light."""

from __future__ import annotations

import re

import pytest

from directory.config import PROJECT_ROOT
from tests.factories import LegalityNoteFactory, LocationFactory, ServiceFactory

STATIC = PROJECT_ROOT / "directory" / "static"


@pytest.fixture
def listed_place():
    place = LocationFactory()
    ServiceFactory(categories=["naloxone"], locations=[place])
    LegalityNoteFactory()
    return place


def public_pages(place) -> list[str]:
    return [
        "/",
        "/?lang=es",
        "/search?near=10001",
        "/search?near=10001&service=naloxone&lang=es",
        "/search?near=Nowhere%2C+ZZ",
        f"/locations/{place.id}",
        "/states/NY",
        "/about",
    ]


def test_searching_sets_no_cookie(client, listed_place):
    for path in public_pages(listed_place):
        response = client.get(path)
        assert response.status_code in {200, 422}, path
        assert "Set-Cookie" not in response.headers, path


def test_pages_send_no_referrer_and_forbid_inline_script_and_style(client, listed_place):
    for path in public_pages(listed_place):
        response = client.get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = response.get_data(as_text=True)
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert not re.search(
            r"""(src|href)="(https?:)?//(?!www\.openstreetmap\.org/directions)""",
            html.replace('href="https://example.org/law"', ""),
        ), path


def test_pages_vary_by_accept_language(client):
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_browser_language_picks_spanish_without_a_cookie(client):
    response = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_language_switch_is_a_link_to_the_same_page_in_the_other_language(client):
    html = client.get("/search?near=10001&radius=10").get_data(as_text=True)
    assert 'href="/search?near=10001&amp;radius=10&amp;lang=es" hreflang="es"' in html
    spanish = client.get("/search?near=10001&radius=10&lang=es").get_data(as_text=True)
    assert 'href="/search?near=10001&amp;radius=10&amp;lang=en" hreflang="en"' in spanish
    assert 'href="/about?lang=es"' in spanish


def test_a_full_results_page_weighs_under_100_kb_with_its_css_and_scripts(client):
    for n in range(25):
        place = LocationFactory(name=f"Example place with a long name {n:02d}")
        ServiceFactory(
            name="Naloxone, test strips and syringe services",
            categories=["naloxone", "fentanyl_test_strips", "syringe_services", "free"],
            locations=[place],
        )
    LegalityNoteFactory(topic="fentanyl_test_strips")
    response = client.get("/search?near=10001&service=fentanyl_test_strips")
    html = response.get_data(as_text=True)
    assert html.count('class="card"') == 20
    assets = re.findall(r'(?:src|href)="/static/([^"?]+)"', html)
    weight = len(response.data) + sum((STATIC / asset).stat().st_size for asset in assets)
    assert weight < 100_000, f"{weight} bytes"


def test_stylesheet_has_a_print_layout_and_uses_system_fonts():
    css = (STATIC / "css" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css
    assert "system-ui" in css
    assert "@font-face" not in css

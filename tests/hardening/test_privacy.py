"""Privacy audit: the place a person searches from is kept nowhere — no table, no log line.

Searches by ZIP and by coordinates go through the API, the pages and HSDS; afterwards every
column of every table and everything logged (the app's loggers at DEBUG, werkzeug's, and the
gunicorn access log of a real server) is scanned for the searched ZIP and coordinates.
"""

from __future__ import annotations

import logging
import urllib.request
from pathlib import Path

import pytest

from bench.load_server import gunicorn
from directory.extensions import db
from directory.models import Address
from tests.factories import LocationFactory, ServiceFactory
from tests.hardening.conftest import build_app
from tests.stored import stored_text

# Kalispell, MT is searched; the only listing is in Whitefish (another ZIP), 15 miles north.
SEARCHED_ZIP = "59901"
SEARCHED_LAT, SEARCHED_LNG = "48.19563", "-114.31284"
NEEDLES = [SEARCHED_ZIP, SEARCHED_LAT, SEARCHED_LNG, SEARCHED_LAT[:6], SEARCHED_LNG[:7]]
SEARCHES = [
    f"/api/v1/search?near={SEARCHED_ZIP}",
    f"/api/v1/search?near={SEARCHED_ZIP}&service=naloxone&open_now=true",
    f"/api/v1/search?lat={SEARCHED_LAT}&lng={SEARCHED_LNG}&radius=30",
    f"/search?near={SEARCHED_ZIP}",
    f"/search?lat={SEARCHED_LAT}&lng={SEARCHED_LNG}&lang=es",
    f"/hsds/service_at_locations?postcode={SEARCHED_ZIP}",
    f"/hsds/service_at_locations?lat={SEARCHED_LAT}&lng={SEARCHED_LNG}",
]


def add_whitefish_listing() -> None:
    location = LocationFactory(
        name="Whitefish Harm Reduction",
        latitude=48.4106,
        longitude=-114.3528,
        timezone="America/Denver",
        address=Address(
            address_1="2 Central Ave",
            city="Whitefish",
            state_province="MT",
            postal_code="59937",
        ),
    )
    ServiceFactory(categories=["naloxone"], locations=[location])


def test_searched_places_are_kept_in_no_table_and_no_log(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.DEBUG)
    add_whitefish_listing()
    for url in SEARCHES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
    # No shared cache (CDN, proxy) may keep an answer whose URL holds the searched place.
    assert client.get(SEARCHES[0]).headers["Cache-Control"] == "no-store"
    assert "private" in client.get(SEARCHES[3]).headers["Cache-Control"]
    found = client.get(f"/api/v1/search?near={SEARCHED_ZIP}").json
    assert [hit["location"]["name"] for hit in found["results"]] == ["Whitefish Harm Reduction"]

    db.session.expire_all()
    stored = stored_text()
    logged = caplog.text
    for needle in NEEDLES:
        assert needle not in stored, f"{needle} is stored in the database"
        assert needle not in logged, f"{needle} is in the log"


@pytest.mark.slow
def test_the_server_access_log_records_no_searched_place(scratch_database_url, tmp_path: Path):
    app = build_app(scratch_database_url)
    with app.app_context():
        add_whitefish_listing()
        db.session.remove()
        db.engine.dispose()
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(
        scratch_database_url,
        log_path,
        app_spec='directory:create_app({"RATELIMIT_ENABLED": False})',
        env={"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"},
    ) as server:
        for url in SEARCHES:
            with urllib.request.urlopen(server.base_url + url, timeout=30) as response:  # noqa: S310 - 127.0.0.1
                assert response.status == 200, url
    log = log_path.read_text()
    assert '"GET /api/v1/search"' in log  # requests are logged, without their query
    for needle in NEEDLES:
        assert needle not in log, f"{needle} is in the access log"
    assert "127.0.0.1" not in log.replace(f"127.0.0.1:{server.port}", "")


@pytest.mark.parametrize(
    "url",
    [
        "/hsds/service_at_locations?postcode=10001&proximity=5000",
        "/hsds/services?search=methadone",
    ],
)
def test_hsds_searches_by_place_or_words_are_never_kept_by_shared_caches(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_hsds_ndjson_lines_are_html_safe(client, session):
    ServiceFactory(name="<script>alert(1)</script>")
    body = client.get("/hsds/services?format=ndjson").get_data(as_text=True)
    assert "<script>" not in body
    assert "\\u003cscript\\u003e" in body


def test_rate_limit_counters_never_hold_a_client_address(app):
    from directory.extensions import client_key

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        key = client_key()
    assert "203.0.113.7" not in key
    assert len(key) == 32
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.8"}):
        assert client_key() != key

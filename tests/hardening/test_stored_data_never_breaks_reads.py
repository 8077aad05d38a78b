"""Issue 23.1 / 19.6: a bad value already in the database degrades its listing, never a read.

The bad values are written straight into the database, as an old import, a hand edit or a bug
elsewhere could leave them, and then every read that shows the listing is requested: search
(page, API, GeoJSON, open now up to statewide), the location page, its record, the state page,
the printable sheet and HSDS. Each must answer 200; the place's hours read as unknown, and the
operator gets one warning naming the listing's zone, never the searcher's place.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from directory import hours
from directory.extensions import db
from directory.models import Location, Organization, Service
from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory

BAD_ZONES = ["Mars/Olympus_Mons", "Not/AZone", "", "../../etc/passwd", "America/New_York\x00"]
BAD_URLS = ["http://", "not a url", "javascript:alert(1)", "http://[::1", "https://\u00a0"]


def planted(zone: str, url: str) -> tuple[Location, Service]:
    """A listed place open every weekday, whose zone and URLs are then broken in place."""
    if "\x00" in zone + url and db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL byte, so it cannot be read back either")
    place = LocationFactory(name="Planted Place")
    ScheduleFactory(location=place)
    service = ServiceFactory(name="Planted naloxone", categories=["naloxone"], locations=[place])
    db.session.execute(update(Location).where(Location.id == place.id).values(timezone=zone))
    db.session.execute(update(Service).where(Service.id == service.id).values(url=url))
    db.session.execute(
        update(Organization).where(Organization.id == place.organization_id).values(website=url)
    )
    db.session.commit()
    db.session.expire_all()
    return place, service


def read_routes(place: Location, service: Service) -> list[str]:
    return [
        "/search?near=10001",
        "/search?near=10001&open_now=1",
        "/search?state=NY&open_now=1",
        "/search?near=10001&open_at=2026-12-01T10:00",
        "/api/v1/search?near=10001",
        "/api/v1/search?near=10001&open_now=true",
        "/api/v1/search?state=NY&open_now=true",
        "/api/v1/search?near=10001&open_at=2026-12-01T10:00",
        "/api/v1/search?near=10001&format=geojson",
        f"/locations/{place.id}",
        f"/api/v1/locations/{place.id}",
        f"/api/v1/services/{service.id}",
        f"/api/v1/organizations/{place.organization_id}",
        f"/api/v1/locations/{place.id}/revisions",
        "/states/NY",
        "/hsds/services",
        f"/hsds/services/{service.id}",
        f"/hsds/organizations/{place.organization_id}",
        "/hsds/service_at_locations?postcode=10001",
        "/hsds/service_at_locations",
    ]


@pytest.mark.parametrize("zone", BAD_ZONES)
def test_a_bad_stored_time_zone_reads_as_hours_unknown_and_never_fails_a_read(client, zone, caplog):
    place, service = planted(zone, "https://example.org/")
    caplog.set_level(logging.WARNING)
    for route in read_routes(place, service):
        response = client.get(route)
        assert response.status_code == 200, (route, response.status_code)
    page = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "Planted Place" in page
    assert "Hours unknown" in page or "hours unknown" in page.lower()
    found = client.get("/api/v1/search?near=10001").json["results"]
    assert [result["open_now"] for result in found] == [None]


def test_the_operator_is_warned_of_a_bad_zone_without_the_searchers_place(client, caplog):
    planted("Mars/Olympus_Mons", "https://example.org/")
    hours.stored_zone.cache_clear()  # warned once per process: forget earlier tests' warning
    caplog.set_level(logging.WARNING)
    client.get("/api/v1/search?near=10001&open_now=true")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("Mars/Olympus_Mons" in message for message in warnings), warnings
    assert not any("10001" in message for message in warnings)


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_stored_url_never_fails_a_read_and_is_not_linked(client, url):
    place, service = planted("America/New_York", url)
    for route in read_routes(place, service):
        response = client.get(route)
        assert response.status_code == 200, (route, response.status_code)
    page = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert 'href="javascript:' not in page
    assert 'href="http://"' not in page

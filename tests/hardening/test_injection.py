"""SQL injection through any search parameter is harmless; stored script in a listing is inert."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import (
    Address,
    Location,
    Organization,
    Phone,
    Revision,
    Schedule,
    Service,
)
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.hardening.conftest import SEARCH_PARAMETERS

SQL_PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE locations; --",
    '" OR 1=1 --',
    "1) UNION SELECT id, name FROM users --",
    "10001' AND (SELECT count(*) FROM users) > 0 --",
    "%' OR name LIKE '%",
    "1; UPDATE services SET status='defunct'",
    "\\'; DELETE FROM organizations; --",
    "NY' || pg_sleep(5) || '",
    "naloxone') OR ('a'='a",
]
SEARCH_ENDPOINTS = ["/api/v1/search", "/search", "/hsds/service_at_locations"]
XSS_MARK = "xss-probe"
XSS_PAYLOADS = [
    f'<script>alert("{XSS_MARK}")</script>',
    f'"><img src=x onerror=alert("{XSS_MARK}")>',
    f"'><svg onload=alert('{XSS_MARK}')>",
]
DANGEROUS_HTML = re.compile(
    r"<script>alert|<img src=x onerror|<svg onload|href=\"javascript:", re.IGNORECASE
)


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Organization, Location, Address, Service, Schedule, Phone, Revision)
    }


@pytest.fixture
def listing(app):
    location = LocationFactory()
    ServiceFactory(categories=["naloxone"], locations=[location])
    return location


@pytest.mark.parametrize("endpoint", SEARCH_ENDPOINTS)
def test_sql_injection_in_any_search_parameter_is_harmless(client, listing, endpoint):
    before = table_counts()
    names_before = db.session.scalars(select(Location.name)).all()
    for parameter in SEARCH_PARAMETERS:
        for payload in SQL_PAYLOADS:
            base = {} if parameter in ("near", "lat", "lng", "state") else {"near": "10001"}
            response = client.get(endpoint, query_string={**base, parameter: payload})
            assert response.status_code < 500, (parameter, payload)
    db.session.expire_all()
    assert table_counts() == before
    assert db.session.scalars(select(Location.name)).all() == names_before


def test_keywords_that_look_like_sql_wildcards_match_nothing_extra(client, listing):
    for keyword in ["%", "_", "%%", "' OR '1'='1"]:
        response = client.get("/api/v1/search", query_string={"near": "10001", "q": keyword})
        assert response.status_code == 200
        assert response.json["pagination"]["total"] == 0, keyword


@pytest.fixture
def hostile_listing(app):
    """A listing whose every text field carries script, as a careless import could store."""
    script, image, svg = XSS_PAYLOADS
    organization = OrganizationFactory(name=f"Org {script}", description=image)
    location = LocationFactory(
        organization=organization,
        name=f"Site {script}",
        alternate_name=svg,
        description=f"Come in {image}",
        transportation=script,
        position_description=svg,
        address=Address(
            address_1=f"1 {script} St",
            address_2=image,
            city="New York",
            state_province="NY",
            postal_code="10001",
        ),
    )
    location.phones.append(Phone(number="212-555-0100", description=script))
    location.schedules.append(
        Schedule(byday="MO,TU,WE,TH,FR", opens_at=time(9), closes_at=time(17), description=image)
    )
    service = ServiceFactory(
        organization=organization,
        name=f"Naloxone {script}",
        alternate_name=svg,
        description=image,
        url="javascript:alert('xss-probe')",
        email=f"{XSS_MARK}@example.org",
        eligibility_description=script,
        application_process=image,
        fees_description=svg,
        categories=["naloxone"],
        locations=[location],
    )
    db.session.commit()
    return location, service


def test_stored_script_in_every_listing_field_is_inert_on_pages(client, hostile_listing):
    location, _ = hostile_listing
    for url in ["/search?near=10001", f"/locations/{location.id}", "/states/NY"]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert not DANGEROUS_HTML.search(page), (url, DANGEROUS_HTML.search(page).group(0))
    # The text is still shown, as text.
    location_page = client.get(f"/locations/{location.id}").get_data(as_text=True)
    assert "Site &lt;script&gt;" in location_page


def test_stored_script_in_every_listing_field_is_inert_in_the_apis(client, hostile_listing):
    location, service = hostile_listing
    urls = [
        "/api/v1/search?near=10001",
        f"/api/v1/locations/{location.id}",
        f"/api/v1/services/{service.id}",
        f"/api/v1/organizations/{location.organization_id}",
        f"/hsds/services/{service.id}",
        "/hsds/services",
        "/hsds/service_at_locations?postcode=10001",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.is_json
        raw = response.get_data(as_text=True)
        for tag in ("<script", "<img", "<svg"):
            assert tag not in raw, url
    # The data itself is unchanged: consumers decode the original text.
    record = client.get(f"/api/v1/locations/{location.id}").json
    assert record["name"] == f"Site {XSS_PAYLOADS[0]}"


def test_stored_script_is_inert_in_hsds_ndjson_exports(client, hostile_listing):
    for url in ["/hsds/services?format=ndjson", "/hsds/organizations?format=ndjson"]:
        response = client.get(url)
        assert response.status_code == 200, url
        raw = response.get_data(as_text=True)
        assert XSS_MARK in raw  # the listing is there…
        for tag in ("<script", "<img", "<svg"):
            assert tag not in raw, url  # …as inert text

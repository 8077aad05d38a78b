"""Issue 20: one validator for a listing, whatever route it comes by.

The same bad listing — an unknown time zone, a phone nobody can dial, a state or ZIP code that
is not one, a bare ``http://`` URL — sent through the write API, the partner CSV upload and an
HSDS package's rows gets the same errors under the same field names on each route
(``validation.listing_problems``), and nothing is written.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from directory import validation
from directory.extensions import db
from directory.models import Location, Phone, Revision, Service
from directory.operations import Actor, bulk
from directory.sources import cleaning
from tests.partners.helpers import csrf_token, log_in, make_world

PHONE = validation.PHONE_RULE
GOOD = {
    "name": "Harlem Drop-in",
    "address_1": "1 W 125th St",
    "city": "New York",
    "state": "NY",
    "postal_code": "10027",
    "timezone": "America/New_York",
    "phone": "212-555-0100",
}
# Each bad listing, and the errors every route must give for it.
BAD = {
    "time zone": ({"timezone": "Not/AZone"}, {"timezone": [validation.ZONE_RULE]}),
    "phone": ({"phone": "call us"}, {"phones": [f"'call us': {PHONE}"]}),
    "state": ({"state": "ZZ"}, {"address.state": [validation.STATE_RULE]}),
    "ZIP code": ({"postal_code": "1002"}, {"address.postal_code": [validation.ZIP_RULE]}),
    "all of them": (
        {"timezone": "Not/AZone", "phone": "call us", "state": "ZZ", "postal_code": "1002"},
        {
            "timezone": [validation.ZONE_RULE],
            "phones": [f"'call us': {PHONE}"],
            "address.state": [validation.STATE_RULE],
            "address.postal_code": [validation.ZIP_RULE],
        },
    ),
}
ADDRESS = ("address_1", "city", "state", "postal_code")


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    return make_world()


def written() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Location, Phone, Service, Revision)
    }


def through_the_api(client, key: str, listing: dict) -> dict:
    body = {
        "name": listing["name"],
        "timezone": listing["timezone"],
        "address": {column: listing[column] for column in ADDRESS},
        "phones": [{"number": listing["phone"]}],
    }
    answer = client.post("/api/v1/locations", json=body, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    return answer.get_json()["errors"]


def as_csv(listing: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", *ADDRESS, "timezone", "phones"])
    writer.writerow([listing[c] for c in ("name", *ADDRESS, "timezone", "phone")])
    return buffer.getvalue()


def through_the_csv_upload(client, world, listing: dict) -> dict:
    text = as_csv(listing)
    report = bulk.run(db.session, world.org_a, text, Actor.system(), apply=True)
    db.session.rollback()
    assert not report.ok
    [row] = report.rows
    # The portal's apply says the same, naming the field on the row.
    log_in(client, world.editor_a.email)
    page = client.post(
        f"/partners/organizations/{world.org_a.id}/bulk/apply",
        data={"csv_text": text, "csrf_token": csrf_token(client)},
    )
    assert page.status_code == 422
    for field in row.errors:
        assert field in page.get_data(as_text=True)
    return row.errors


def through_hsds_rows(listing: dict) -> dict:
    """What ``validation.hsds_row_problems`` says of the package rows this listing becomes."""
    rows = {
        "locations": {"name": listing["name"], "timezone": listing["timezone"]},
        "addresses": {
            "address_1": listing["address_1"],
            "city": listing["city"],
            "state_province": listing["state"],
            "postal_code": listing["postal_code"],
            "country": "US",
        },
        "phones": {"number": listing["phone"]},
    }
    errors: dict[str, list[str]] = {}
    for table, row in rows.items():
        errors |= validation.hsds_row_problems(table, row)
    return errors


@pytest.mark.parametrize("bad", BAD, ids=list(BAD))
def test_a_bad_listing_gets_the_same_field_named_errors_on_every_route(client, world, bad):
    change, expected = BAD[bad]
    listing = {**GOOD, **change}
    before = written()

    assert through_the_api(client, world.key_a, listing) == expected
    assert through_the_csv_upload(client, world, listing) == expected
    assert through_hsds_rows(listing) == expected
    assert written() == before


def test_the_good_listing_passes_every_route(client, world):
    assert validation.listing_problems({"name": GOOD["name"], "timezone": GOOD["timezone"]}) == {}
    assert through_hsds_rows(GOOD) == {}
    report = bulk.run(db.session, world.org_a, as_csv(GOOD), Actor.system(), apply=True)
    assert report.ok, [row.errors for row in report.rows]
    location = db.session.scalars(select(Location)).one()
    assert (location.timezone, [p.number for p in location.phones]) == (
        "America/New_York",
        ["212-555-0100"],
    )


def test_a_bare_http_url_is_refused_naming_url_by_the_api_and_the_hsds_rows(client, world):
    service = {"name": "Naloxone", "categories": ["naloxone"], "url": "http://"}
    answer = client.post(
        "/api/v1/services", json=service, headers={"Authorization": f"Bearer {world.key_a}"}
    )
    expected = {"url": [validation.URL_RULE]}
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == expected
    assert validation.hsds_row_problems("services", {"name": "Naloxone", "url": "http://"}) == (
        expected
    )
    assert validation.hsds_row_problems("organizations", {"website": "http://"}) == {
        "website": [validation.URL_RULE]
    }
    assert written()["services"] == 0


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("call us", None),
        ("x12", None),
        ("1-800-662-HELP", ("1-800-662-HELP", None)),
        ("(212) 555-0100 ext. 4", ("212-555-0100", "4")),
    ],
)
def test_a_source_file_keeps_only_phones_every_route_accepts(cell, kept):
    assert cleaning.phone_number(cell) == kept
    if kept:
        assert validation.phone_problem(kept[0]) is None


@pytest.mark.parametrize("cell", ["http://", "http://localhost:x/", "https://exa mple.org", "n/a"])
def test_a_source_file_drops_a_url_every_route_refuses(cell):
    assert cleaning.web_address(cell) is None
    assert validation.url_problem(cell) == validation.URL_RULE

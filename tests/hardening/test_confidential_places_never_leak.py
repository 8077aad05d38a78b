"""Issue 19.5: a confidential place's address and coordinates appear in no public answer.

A shelter listed as confidential is created the way partners create listings (through the
operations, so its history records every field), edited by a person and by an API key, then
every public route of the app — read from the URL map, so a new route is walked without anyone
listing it — is requested, as JSON, NDJSON, GeoJSON and pages, and so is the HSDS CSV export.
No answer may carry the street, the coordinates, an editor's email or a key's label; the
organization's own history page still shows who made each change.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from bench.load_server import gunicorn
from directory.auth import accounts
from directory.auth.permissions import actor_for
from directory.extensions import db
from directory.hsds.package import export_package
from directory.models import Organization, ServiceAtLocation
from directory.operations import listings

STREET = "77 Hidden Refuge Lane"
LATITUDE, LONGITUDE = 40.77731, -73.95482
EDITOR_EMAIL = "shelter.editor@refuge.example"
KEY_LABEL = "Refuge intake system"
NEEDLES = [
    STREET,
    "Hidden Refuge",
    "40.7773",
    "73.9548",
    "40.777",
    "73.955",
    EDITOR_EMAIL,
    KEY_LABEL,
]
PRIVATE_PREFIXES = ("/partners", "/admin", "/auth", "/static", "/api/docs")
# Query strings that make a route show the place: by ZIP, by state, by keyword, as NDJSON.
VARIANTS = {
    "/search": ["?near=10021", "?state=NY", "?near=10021&service=naloxone", "?q=refuge&state=NY"],
    "/api/v1/search": [
        "?near=10021",
        "?near=10021&format=geojson",
        "?state=NY&q=refuge",
        "?lat=40.78&lng=-73.95&radius=1",
    ],
    "/sheets": ["?near=10021", "?near=10021&service=naloxone"],
    "/hsds/service_at_locations": ["", "?postcode=10021", "?format=ndjson", "?minimal=true"],
    "/hsds/services": ["", "?format=ndjson", "?search=refuge"],
    "/hsds/organizations": ["", "?format=ndjson"],
}


def add_confidential_shelter() -> dict[str, str]:
    organization = Organization(name="Refuge Network", is_partner=True)
    db.session.add(organization)
    db.session.flush()
    user = accounts.create_user(
        db.session, EDITOR_EMAIL, role="editor", organization_id=organization.id, password=None
    )
    api_key, _secret = accounts.create_api_key(db.session, organization.id, KEY_LABEL)
    editor, key = actor_for(user), actor_for(api_key)
    shelter = listings.create_location(
        db.session,
        organization,
        {
            "name": "Refuge Shelter",
            "confidential": True,
            "front_door": "Call the intake line: 212-555-0147.",
            "address": {
                "address_1": STREET,
                "city": "New York",
                "state": "NY",
                "postal_code": "10021",
            },
            "latitude": LATITUDE,
            "longitude": LONGITUDE,
            "position_description": "Behind Hidden Refuge garden",
            "phones": [{"number": "212-555-0147"}],
            "schedules": [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}],
        },
        editor,
    )
    listings.update_location(
        db.session, shelter, {"latitude": LATITUDE + 0.00001, "longitude": LONGITUDE}, key
    )
    service = listings.create_service(
        db.session,
        organization,
        {
            "name": "Refuge naloxone",
            "categories": ["naloxone"],
            "location_ids": [str(shelter.id)],
        },
        key,
    )
    listings.update_service(db.session, service, {"description": "Free kits"}, editor)
    db.session.commit()
    link = db.session.query(ServiceAtLocation).filter_by(service_id=service.id).one()
    return {
        "location_id": str(shelter.id),
        "listing_id": str(shelter.id),
        "service_id": str(service.id),
        "organization_id": str(organization.id),
        "service_at_location": str(link.id),
        "code": "NY",
    }


def public_urls(app: Flask, ids: dict[str, str]) -> list[str]:
    """Every public GET route, its arguments filled with the shelter's ids, plus variants."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(PRIVATE_PREFIXES):
            continue
        if rule.endpoint.split(".")[-1] == "static":
            continue
        values = {}
        for argument in rule.arguments:
            if argument == "id":
                values["id"] = id_for_hsds(rule.rule, ids)
            else:
                assert argument in ids, f"the access matrix cannot fill {rule.rule}: add it"
                values[argument] = ids[argument]
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[^:<>]+:)?{name}(?:\([^)]*\))?>", value, path)
        urls.extend(path + variant for variant in VARIANTS.get(path, [""]))
    return sorted(set(urls))


def id_for_hsds(rule: str, ids: dict[str, str]) -> str:
    if "service_at_locations" in rule:
        return ids["service_at_location"]
    if "/services/" in rule:
        return ids["service_id"]
    if "/organizations/" in rule:
        return ids["organization_id"]
    return ids["service_id"]  # taxonomies and terms: any id, a 404 is fine


def leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


@pytest.fixture
def shelter_app(make_app):
    app = make_app()
    with app.app_context():
        ids = add_confidential_shelter()
    return app, ids


def test_no_public_route_answers_with_a_confidential_address_coordinates_or_editor(shelter_app):
    app, ids = shelter_app
    client = app.test_client()
    urls = public_urls(app, ids)
    assert f"/api/v1/locations/{ids['location_id']}/revisions" in urls
    assert f"/hsds/service_at_locations/{ids['service_at_location']}" in urls
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        found[url] = leaks(response.get_data(as_text=True))
    leaked = {url: needles for url, needles in found.items() if needles}
    assert not leaked, "\n".join(f"{url}: {needles}" for url, needles in leaked.items())
    # The walk did see the shelter: its name and front door are public.
    assert "Refuge Shelter" in client.get(f"/locations/{ids['location_id']}").get_data(as_text=True)


def test_public_revisions_name_the_organization_not_the_person_or_key(shelter_app):
    app, ids = shelter_app
    client = app.test_client()
    history = client.get(f"/api/v1/locations/{ids['location_id']}/revisions").get_json()
    labels = {revision["actor_label"] for revision in history["revisions"]}
    assert labels == {"Refuge Network"}
    fields = {c["field"] for revision in history["revisions"] for c in revision["changes"]}
    assert "name" in fields  # the history is still there, only the place is withheld
    service = client.get(f"/api/v1/services/{ids['service_id']}/revisions").get_json()
    assert {revision["actor_label"] for revision in service["revisions"]} == {"Refuge Network"}


def test_the_hsds_csv_export_holds_no_confidential_address_or_coordinates(shelter_app, tmp_path):
    app, _ids = shelter_app
    with app.app_context():
        export_package(db.session, tmp_path / "package")
    for path in (tmp_path / "package").iterdir():
        assert leaks(path.read_text(encoding="utf-8")) == [], path.name
    assert "Refuge Shelter" in (tmp_path / "package" / "locations.csv").read_text()


@pytest.mark.slow
def test_no_public_route_leaks_through_the_real_server(shelter_app, tmp_path: Path):
    app, ids = shelter_app
    with app.app_context():
        database_url = str(db.engine.url.render_as_string(hide_password=False))
        db.session.remove()
        db.engine.dispose()
    with gunicorn(
        database_url,
        tmp_path / "gunicorn.log",
        app_spec='directory:create_app({"RATELIMIT_ENABLED": False})',
        env={"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"},
    ) as server:
        for url in public_urls(app, ids):
            status, body = fetch(server.base_url + url)
            assert status < 500, url
            assert leaks(body) == [], url


def fetch(url: str) -> tuple[int, str]:
    """Status and text of a GET to our own server on 127.0.0.1, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")

"""Map apps can take search results as GeoJSON and plot them directly."""

from __future__ import annotations

import pytest

from tests.factories import LocationFactory, ServiceFactory


@pytest.fixture
def naloxone_site(session):
    location = LocationFactory(name="Harbor Drop-in", latitude=40.7506, longitude=-73.9972)
    ServiceFactory(categories=["naloxone"], locations=[location])
    return location


@pytest.mark.parametrize(
    ("query", "headers"),
    [("&format=geojson", {}), ("", {"Accept": "application/geo+json"})],
)
def test_search_answers_a_feature_collection_of_points(client, naloxone_site, query, headers):
    response = client.get(f"/api/v1/search?near=10001&service=naloxone{query}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.json
    assert body["type"] == "FeatureCollection"
    [feature] = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-73.9972, 40.7506]}
    assert feature["id"] == str(naloxone_site.id)
    assert feature["properties"]["location"]["name"] == "Harbor Drop-in"
    assert body["pagination"]["total"] == 1
    assert response.headers["Cache-Control"] == "no-store"


def test_a_confidential_place_is_a_feature_without_a_position(client, session):
    hidden = LocationFactory(confidential=True, front_door="Call 555-0100 for the address")
    ServiceFactory(categories=["naloxone"], locations=[hidden])
    body = client.get("/api/v1/search?near=10001&format=geojson").json
    assert [feature["geometry"] for feature in body["features"]] == [None]


def test_plain_json_stays_the_default(client, naloxone_site):
    response = client.get("/api/v1/search?near=10001")
    assert response.mimetype == "application/json"
    assert "results" in response.json


def test_an_unknown_format_is_a_422_naming_it(client):
    response = client.get("/api/v1/search?near=10001&format=kml")
    assert response.status_code == 422
    assert "format" in response.json["errors"]

"""GET /api/v1/search: the response shape, paging with Link headers, and 422s naming the field."""

from __future__ import annotations

from datetime import time

import pytest

from directory.geo import zip_centroid
from directory.models import Phone, Source
from tests.search.helpers import place, save, service

NEAR_10001 = zip_centroid("10001")


def nearby(count: int) -> None:
    save(
        *(place(f"Site {n:02d}", NEAR_10001.lat + n * 0.001, NEAR_10001.lng) for n in range(count))
    )


def test_a_search_answers_in_the_documented_shape(client):
    source = Source(code="example", name="Example list", vintage="2024 extract")
    offered = service("Kits", codes=["naloxone", "free", "walk_in"], languages=["es"])
    site = place(
        "Storefront",
        NEAR_10001.lat,
        NEAR_10001.lng + 0.01,
        offered,
        hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))],
    )
    site.source = source
    save(site)
    response = client.get("/api/v1/search?near=10001&service=naloxone")
    assert response.status_code == 200
    body = response.json
    assert body["origin"] == {
        "lat": NEAR_10001.lat,
        "lng": NEAR_10001.lng,
        "label": "New York, NY 10001",
        "kind": "zip",
        "state": "NY",
        "centre_of": None,
    }
    assert set(body) >= {"origin", "results", "remote_services", "legality", "pagination"}
    (result,) = body["results"]
    assert set(result) >= {
        "location",
        "organization",
        "services",
        "distance_miles",
        "open_now",
        "last_verified",
        "open_status",
        "source",
        "precision",
    }
    assert result["location"]["address"] == {
        "address_1": "1 Test Street",
        "address_2": None,
        "city": "Testville",
        "state": "NY",
        "postal_code": "10001",
    }
    assert result["location"]["timezone"] == "America/New_York"
    assert result["services"][0]["categories"] == ["naloxone"]
    assert result["services"][0]["cost"] == ["free"]
    assert result["services"][0]["access"] == ["walk_in"]
    assert result["services"][0]["languages"] == ["es"]
    assert result["open_now"] is True
    assert result["open_status"]["state"] == "open"
    assert result["source"]["name"] == "Example list"
    assert 0.4 < result["distance_miles"] < 0.6
    assert body["pagination"] == {"total": 1, "total_pages": 1, "page": 1, "per_page": 20}
    assert response.headers["Cache-Control"] == "no-store"


def test_each_result_carries_the_places_phones_main_line_first(client):
    site = place(
        "Clinic", NEAR_10001.lat, NEAR_10001.lng, service("Buprenorphine", codes=["buprenorphine"])
    )
    site.phones = [
        Phone(number="212-555-0199", type="voice", description="Intake (appointments)"),
        Phone(number="212-555-0100", type="voice", description="Main line"),
    ]
    save(site)
    body = client.get("/api/v1/search?near=10001&service=buprenorphine").json
    phones = body["results"][0]["location"]["phones"]
    assert [phone["number"] for phone in phones] == ["212-555-0100", "212-555-0199"]
    assert phones[1]["description"] == "Intake (appointments)"
    page = client.get("/search?near=10001&service=buprenorphine").get_data(as_text=True)
    assert 'href="tel:+12125550100"' in page or 'href="tel:2125550100"' in page


def test_nearest_is_empty_when_the_radius_has_results(client):
    save(place("Close", NEAR_10001.lat, NEAR_10001.lng))
    body = client.get("/api/v1/search?near=10001").json
    assert body["pagination"]["total"] == 1
    assert body["nearest"] == []


def test_an_empty_radius_answers_the_three_nearest_matches_within_250_miles(client):
    save(
        place("48 miles north", 41.44, -73.99),
        place("60 miles north", 41.62, -73.99),
        place("Wrong need", 41.30, -73.99, service("Housing", codes=["housing"])),
        place("100 miles north", 42.20, -73.99),
        place("Farther still", 42.50, -73.99),
        place("Too far (Maine)", 44.80, -68.80),
    )
    body = client.get("/api/v1/search?near=10001&service=naloxone").json
    assert body["results"] == []
    assert body["pagination"]["total"] == 0
    names = [hit["location"]["name"] for hit in body["nearest"]]
    assert names == ["48 miles north", "60 miles north", "100 miles north"]
    distances = [hit["distance_miles"] for hit in body["nearest"]]
    assert distances == sorted(distances)
    assert 40 < distances[0] < 55
    assert body["nearest"][0]["services"][0]["categories"] == ["naloxone"]
    nothing = client.get("/api/v1/search?near=04401&service=housing&radius=5").json
    assert [hit["location"]["name"] for hit in nothing["nearest"]] == []


def test_a_confidential_place_shows_its_front_door_not_its_address(client):
    save(place("Safe house", NEAR_10001.lat, NEAR_10001.lng, confidential=True))
    location = client.get("/api/v1/search?near=10001").json["results"][0]["location"]
    assert location["address"] is None
    assert location["latitude"] is None
    assert location["longitude"] is None
    assert location["front_door"] == "Call 555-0100 first"


def test_pages_carry_totals_and_link_headers(client):
    nearby(45)
    first = client.get("/api/v1/search?near=10001&per_page=20")
    assert first.json["pagination"] == {"total": 45, "total_pages": 3, "page": 1, "per_page": 20}
    assert 'rel="next"' in first.headers["Link"]
    assert 'rel="prev"' not in first.headers["Link"]
    assert "page=2" in first.headers["Link"]
    middle = client.get("/api/v1/search?near=10001&per_page=20&page=2")
    assert "page=3" in middle.headers["Link"]
    assert "page=1" in middle.headers["Link"]
    last = client.get("/api/v1/search?near=10001&per_page=20&page=3")
    assert len(last.json["results"]) == 5
    assert 'rel="next"' not in last.headers["Link"]
    names = [r["location"]["name"] for page in (first, middle, last) for r in page.json["results"]]
    assert names == [f"Site {n:02d}" for n in range(45)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=10001&radius=0", "radius"),
        ("near=10001&radius=1000", "radius"),
        ("near=10001&service=unicorns", "service"),
        ("near=10001&cost=cheap", "cost"),
        ("lat=abc&lng=-73.9", "lat"),
        ("lat=40.7", "lng"),
        ("lng=-73.9", "lat"),
        ("lat=95&lng=0", "lat"),
        ("near=10001&per_page=101", "per_page"),
        ("near=10001&page=0", "page"),
        ("near=10001&open_at=yesterday", "open_at"),
        ("near=10001&language=spanish!", "language"),
        ("state=XX", "state"),
        ("radius=5", "near"),
        ("near=99999", "near"),
    ],
)
def test_bad_parameters_answer_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422
    assert field in body["errors"], body


def test_an_ambiguous_place_answers_422_with_suggestions(client):
    response = client.get("/api/v1/search?near=Springfield")
    assert response.status_code == 422
    assert response.json["errors"]["near"]
    assert "Springfield, IL" in response.json["suggestions"]
    assert "Springfield, MA" in response.json["suggestions"]


def test_repeated_and_comma_separated_services_are_any_of(client):
    save(
        place("Kits", NEAR_10001.lat, NEAR_10001.lng, service("K", codes=["naloxone"])),
        place(
            "Strips", NEAR_10001.lat, NEAR_10001.lng, service("S", codes=["fentanyl_test_strips"])
        ),
    )
    for query in (
        "service=naloxone&service=fentanyl_test_strips",
        "service=naloxone,fentanyl_test_strips",
    ):
        response = client.get(f"/api/v1/search?near=10001&{query}")
        assert response.json["pagination"]["total"] == 2


def test_a_state_search_without_a_place_lists_the_state(client):
    nearby(3)
    body = client.get("/api/v1/search?state=ny").json
    assert body["origin"] is None
    assert [r["location"]["name"] for r in body["results"]] == ["Site 00", "Site 01", "Site 02"]
    assert all(r["distance_miles"] is None for r in body["results"])


def test_the_search_is_described_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    parameters = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"near", "lat", "lng", "radius", "service", "open_now", "page", "per_page"} <= parameters


def test_a_place_with_nothing_nearby_answers_an_empty_first_page(client):
    body = client.get("/api/v1/search?near=59001").json
    assert body["results"] == []
    assert body["pagination"] == {"total": 0, "total_pages": 0, "page": 1, "per_page": 20}

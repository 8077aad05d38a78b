"""/hsds/service_at_locations?postcode=&proximity= is the one search seen through HSDS: the same
places, the same visibility, the same order, in HSDS pages of service-at-locations."""

from __future__ import annotations

import json

import pytest

from directory.geo import zip_centroid
from tests.hsds.conftest import assert_valid
from tests.search.helpers import place, save, service

NEAR_10001 = zip_centroid("10001")
# One degree of latitude is ~69 miles (~111 km).
KM_PER_DEGREE = 111.2


def north(km: float) -> float:
    return NEAR_10001.lat + km / KM_PER_DEGREE


def near(proximity_metres: float, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/hsds/service_at_locations?postcode=10001&proximity={proximity_metres:g}&{query}"


def names(body: dict) -> list[str]:
    return [item["location"]["name"] for item in body["contents"]]


def test_places_come_nearest_first_in_the_order_the_search_api_ranks_them(client):
    save(
        place("Three km", north(3), NEAR_10001.lng),
        place("One km", north(1), NEAR_10001.lng),
        place("Two km", north(2), NEAR_10001.lng, service("Kits"), service("Strips")),
    )
    body = client.get(near(10_000)).get_json()
    assert names(body) == ["One km", "Two km", "Two km", "Three km"]
    api = client.get("/api/v1/search?near=10001&radius=6.2").get_json()
    expected = [hit["location"]["name"] for hit in api["results"] for _service in hit["services"]]
    assert names(body) == expected
    for item in body["contents"]:
        assert_valid(item, "compiled/service_at_location_list.json")


def test_only_places_within_the_proximity_are_listed(client):
    save(place("Two km", north(2), NEAR_10001.lng), place("Eight km", north(8), NEAR_10001.lng))
    assert names(client.get(near(5_000)).get_json()) == ["Two km"]
    assert names(client.get(near(10_000)).get_json()) == ["Two km", "Eight km"]


def test_a_proximity_beyond_the_searchs_reach_is_searched_at_250_miles(client):
    # 420 km (261 miles) is within 500 km but beyond what /api/v1/search reaches.
    save(place("Two km", north(2), NEAR_10001.lng), place("Far", north(420), NEAR_10001.lng))
    assert names(client.get(near(500_000)).get_json()) == ["Two km"]


def test_archived_and_closed_services_and_archived_places_are_not_listed(client):
    save(
        place(
            "Open door",
            north(1),
            NEAR_10001.lng,
            service("Kits"),
            service("Old kits", archived=True),
            service("Gone", status="defunct"),
        ),
        place("Closed door", north(2), NEAR_10001.lng, archived=True),
    )
    body = client.get(near(10_000)).get_json()
    assert [item["service"]["name"] for item in body["contents"]] == ["Kits"]
    assert body["total_items"] == 1


def test_a_confidential_place_is_listed_as_the_search_lists_it_without_address_or_position(
    client,
):
    save(place("Safe house", north(1), NEAR_10001.lng, confidential=True))
    listed = client.get(near(5_000)).get_json()
    assert names(listed) == ["Safe house"]
    assert "latitude" not in listed["contents"][0]["location"]
    full = client.get(near(5_000, full="true")).get_json()["contents"][0]
    assert_valid(full, "compiled/service_at_location.json")
    assert full["location"]["addresses"] == []
    assert "latitude" not in full["location"]
    assert "longitude" not in full["location"]
    assert full["location"]["description"] == "Call 555-0100 first"
    stream = client.get(near(5_000, full="true", format="ndjson")).get_data(as_text=True)
    assert "Test Street" not in stream
    assert f"{north(1):.4f}"[:7] not in stream


def test_pages_split_the_service_at_locations_without_overlap(client):
    save(
        *(
            place(f"Site {n}", north(n + 1), NEAR_10001.lng, service(f"A{n}"), service(f"B{n}"))
            for n in range(3)
        )
    )
    first = client.get(near(10_000, per_page="4")).get_json()
    second = client.get(near(10_000, per_page="4", page="2")).get_json()
    beyond = client.get(near(10_000, per_page="4", page="3")).get_json()
    assert (first["total_items"], first["total_pages"], first["size"]) == (6, 2, 4)
    assert first["first_page"]
    assert not first["last_page"]
    assert first["page_number"] == 1
    assert (second["size"], second["last_page"], second["first_page"]) == (2, True, False)
    assert beyond["empty"]
    assert beyond["contents"] == []
    ids = [item["id"] for item in first["contents"] + second["contents"]]
    assert len(set(ids)) == 6
    whole = client.get(near(10_000, format="ndjson")).get_data(as_text=True).splitlines()
    assert [json.loads(line)["id"] for line in whole] == ids


def test_a_postcode_with_nothing_near_is_an_empty_page_not_the_nearest_beyond(client):
    save(place("Far away", north(100), NEAR_10001.lng))
    body = client.get(near(5_000)).get_json()
    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_hsds_filters_the_search_has_no_field_for_narrow_the_places_found(client):
    mine, other = service("Mine"), service("Theirs")
    save(place("Shared", north(1), NEAR_10001.lng, mine, other))
    body = client.get(near(5_000, organization_id=str(mine.organization_id))).get_json()
    assert [item["service"]["name"] for item in body["contents"]] == ["Mine"]


@pytest.mark.parametrize("proximity", ["-5", "abc", "500001", "nan"])
def test_a_bad_proximity_is_a_json_422_naming_the_field(client, proximity):
    response = client.get(f"/hsds/service_at_locations?postcode=10001&proximity={proximity}")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"proximity"}

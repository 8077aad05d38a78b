"""Radius search returns exactly the locations a full scan finds, in the same order."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.geo import place_at, resolve_place, zip_centroid
from directory.queries import SearchFilters, search
from tests.search.helpers import brute_force, place, save, service

# Around New York City: dense enough that radii from 1 to 250 miles cut through the crowd.
CENTER = (40.75, -73.99)


def scatter(count: int, seed: int) -> None:
    """count locations within about 3 degrees of the center, some hidden in the usual ways."""
    rng = random.Random(seed)
    locations = []
    for _ in range(count):
        lat = CENTER[0] + rng.uniform(-3, 3)
        lng = CENTER[1] + rng.uniform(-3, 3)
        roll = rng.random()
        status = "defunct" if roll < 0.05 else "inactive" if roll < 0.1 else "active"
        name = f"Site {rng.randrange(50):02d}"  # repeated names exercise the tie-break on id
        offered = service(f"{name} service", status=status)
        locations.append(place(name, lat, lng, offered, archived=0.1 <= roll < 0.15))
    # Several at exactly the same point: equal distances ordered by name, then id.
    for name in ("Same spot B", "Same spot A", "Same spot A"):
        locations.append(place(name, 40.7, -74.1))
    save(*locations)


def names_and_miles(filters: SearchFilters) -> list[tuple[str, float]]:
    everything = SearchFilters(**{**filters.__dict__, "per_page": 100})
    found = []
    page = 1
    while True:
        result = search(SearchFilters(**{**everything.__dict__, "page": page}))
        found += [(hit.location.name, hit.distance_miles) for hit in result.hits]
        if page >= result.total_pages:
            assert len(found) == result.total
            return found
        page += 1


def test_every_location_within_the_radius_is_found_in_distance_order(app):
    scatter(300, seed=1)
    rng = random.Random(2)
    for _ in range(25):
        lat, lng = CENTER[0] + rng.uniform(-3, 3), CENTER[1] + rng.uniform(-3, 3)
        radius = rng.choice((1, 5, 10, 25, 50, 100, 250))
        found = names_and_miles(SearchFilters(origin=place_at(lat, lng), radius_miles=radius))
        assert found == brute_force(lat, lng, radius)


def test_locations_at_the_same_distance_are_ordered_by_name(app):
    scatter(0, seed=3)
    found = names_and_miles(SearchFilters(origin=place_at(40.7, -74.1), radius_miles=1))
    assert [name for name, _ in found] == ["Same spot A", "Same spot A", "Same spot B"]
    assert {miles for _, miles in found} == {0.0}


def test_radius_search_agrees_with_a_full_scan_for_any_origin_and_radius(app):
    scatter(200, seed=4)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        lat=st.floats(CENTER[0] - 4, CENTER[0] + 4),
        lng=st.floats(CENTER[1] - 4, CENTER[1] + 4),
        radius=st.floats(0.01, 250),
    )
    def agrees(lat, lng, radius):
        found = names_and_miles(SearchFilters(origin=place_at(lat, lng), radius_miles=radius))
        assert found == brute_force(lat, lng, radius)

    agrees()


def test_a_zip_search_is_centred_on_the_zip_and_counts_only_what_is_inside(app):
    centroid = zip_centroid("10001")
    inside = place("Inside", centroid.lat + 0.1, centroid.lng)  # about 7 miles north
    outside = place("Outside", centroid.lat + 0.5, centroid.lng)  # about 35 miles north
    save(inside, outside)
    result = search(SearchFilters(origin=centroid, radius_miles=25))
    assert [hit.location.name for hit in result.hits] == ["Inside"]
    assert result.total == 1
    assert 6.5 < result.hits[0].distance_miles < 7.5


def test_a_state_search_lists_that_states_locations_by_name(app):
    save(
        place("b clinic", 40.7, -74.0),
        place("A clinic", 43.0, -76.0),
        place("Newark site", 40.73, -74.17, state="NJ", postal_code="07102"),
    )
    result = search(SearchFilters(state="NY"))
    assert [hit.location.name for hit in result.hits] == ["A clinic", "b clinic"]
    assert all(hit.distance_miles is None for hit in result.hits)


def test_postal_and_virtual_locations_are_not_places_to_walk_into(app):
    save(
        place("Door", 40.75, -73.99),
        place("Mail only", 40.75, -73.99, location_type="postal"),
        place("Website", 40.75, -73.99, location_type="virtual"),
    )
    result = search(SearchFilters(origin=place_at(40.75, -73.99)))
    assert [hit.location.name for hit in result.hits] == ["Door"]


def test_a_state_narrows_a_radius_search_to_that_state(app):
    save(
        place("Manhattan", 40.75, -73.99),
        place("Hoboken", 40.744, -74.032, state="NJ", postal_code="07030"),
    )
    result = search(SearchFilters(origin=zip_centroid("10001"), state="NJ"))
    assert [hit.location.name for hit in result.hits] == ["Hoboken"]


def test_a_state_typed_as_the_place_lists_that_state(app):
    save(
        place("Manhattan", 40.75, -73.99),
        place("Hoboken", 40.744, -74.032, state="NJ", postal_code="07030"),
    )
    result = search(SearchFilters(origin=resolve_place("New Jersey")))
    assert [hit.location.name for hit in result.hits] == ["Hoboken"]
    assert result.legality == []
    assert result.state == "NJ"

"""Point lookups: ZIP centroids, what lies at given coordinates, timezones, online geocoding."""

from typing import ClassVar

import geopy.geocoders
import pytest
from geopy.exc import GeocoderUnavailable

from directory.geo import PlaceNotFound, place_at, resolve_place, timezone_for, zip_centroid


def test_a_known_zip_has_a_centroid():
    place = zip_centroid("60601")
    assert place is not None
    assert place.state == "IL"
    assert place.county == "Cook"
    assert place.timezone == "America/Chicago"


def test_a_zip_plus_four_has_the_centroid_of_its_zip():
    place = zip_centroid("60601-1234")
    assert place is not None
    assert place.postal_code == "60601"


@pytest.mark.parametrize("code", ["00000", "09001", "ABCDE", "", "606011"])
def test_unknown_or_unlocated_zips_have_no_centroid(code):
    assert zip_centroid(code) is None


def test_coordinates_on_land_take_state_county_zip_and_timezone_from_the_nearest_zip():
    place = place_at(41.8781, -87.6298)
    assert place.kind == "coordinates"
    assert (place.lat, place.lng) == (41.8781, -87.6298)
    assert place.label == "41.8781, -87.6298"
    assert place.state == "IL"
    assert place.county == "Cook"
    assert place.postal_code is not None
    assert place.postal_code.startswith("606")
    assert place.timezone == "America/Chicago"


def test_coordinates_in_the_open_ocean_have_no_state():
    place = place_at(30.0, -40.0)
    assert place.state is None
    assert place.postal_code is None
    assert place.timezone is None


def test_a_point_across_the_antimeridian_from_the_aleutians_gets_alaskan_time():
    # 179.9°E is 128 miles west of Adak, AK (ZIP 99546, 177.1°W): beyond place_at's reach, but
    # the timezone fallback searches on, across 180°, instead of stopping at the map's edge.
    assert place_at(51.9, 179.9).state is None
    assert timezone_for(51.9, 179.9) == "America/Adak"


@pytest.mark.parametrize(("lat", "lng"), [(90.5, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -200.0)])
def test_place_at_refuses_coordinates_off_the_globe(lat, lng):
    with pytest.raises(PlaceNotFound):
        place_at(lat, lng)


def test_timezone_comes_from_the_zip_when_given():
    # 79821 (Anthony, TX) keeps Mountain time in a Central-time state.
    assert timezone_for(0.0, 0.0, "TX", "79821") == "America/Denver"


def test_timezone_comes_from_the_nearest_zip_on_land():
    assert timezone_for(34.05, -118.24) == "America/Los_Angeles"
    assert timezone_for(39.77, -86.16) == "America/Indiana/Indianapolis"


def test_timezone_offshore_falls_back_to_the_state_then_to_the_nearest_zip_anywhere():
    assert timezone_for(25.0, -60.0, "NY") == "America/New_York"
    assert timezone_for(25.0, -60.0).startswith("America/")


def test_offline_resolution_never_calls_geopy(monkeypatch):
    def refuse(_name):
        raise AssertionError("geopy was called while offline")

    monkeypatch.setattr(geopy.geocoders, "get_geocoder_for_service", refuse)
    for geocoder in (None, "offline", ""):
        with pytest.raises(PlaceNotFound, match="ZIP code, or the city and state"):
            resolve_place("123 Main Street", geocoder=geocoder)
        assert resolve_place("1 Main St, Springfield, IL", geocoder=geocoder).state == "IL"


class FakeGeocoder:
    """Stands in for a geopy geocoder class: records what it was asked, answers from a dict."""

    asked: ClassVar[list[str]] = []
    answers: ClassVar[dict[str, tuple[float, float]]] = {
        "350 5th Ave, New York": (40.7484, -73.9857)
    }

    def __init__(self, user_agent: str) -> None:
        assert user_agent

    def geocode(self, query: str, timeout: float):
        FakeGeocoder.asked.append(query)
        if query not in self.answers:
            return None
        lat, lng = self.answers[query]
        return type("Location", (), {"latitude": lat, "longitude": lng})()


def test_an_online_geocoder_places_a_street_address_that_has_no_zip(monkeypatch):
    monkeypatch.setattr(geopy.geocoders, "get_geocoder_for_service", lambda name: FakeGeocoder)
    place = resolve_place("350 5th Ave, New York", geocoder="nominatim")
    assert place.kind == "address"
    assert place.label == "350 5th Ave, New York"
    assert (place.lat, place.lng) == (40.7484, -73.9857)
    assert place.state == "NY"


def test_an_online_geocoder_is_not_asked_about_zips_or_city_names(monkeypatch):
    FakeGeocoder.asked.clear()
    monkeypatch.setattr(geopy.geocoders, "get_geocoder_for_service", lambda name: FakeGeocoder)
    resolve_place("12207", geocoder="nominatim")
    resolve_place("1 Main St, Albany, NY 12207", geocoder="nominatim")
    resolve_place("Albany, NY", geocoder="nominatim")
    assert FakeGeocoder.asked == []


def test_a_failing_online_geocoder_falls_back_to_the_offline_lookup(monkeypatch):
    class Unavailable(FakeGeocoder):
        def geocode(self, query: str, timeout: float):
            raise GeocoderUnavailable("no network")

    monkeypatch.setattr(geopy.geocoders, "get_geocoder_for_service", lambda name: Unavailable)
    place = resolve_place("1 Main St, Springfield, IL", geocoder="nominatim")
    assert place.kind == "address"
    assert place.state == "IL"


def test_an_unknown_geocoder_name_is_a_configuration_error():
    with pytest.raises(ValueError, match="Unknown geocoder"):
        resolve_place("1 Main St, Springfield, IL", geocoder="no-such-geocoder")

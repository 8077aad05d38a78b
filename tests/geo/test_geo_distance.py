"""Distances in miles and the bounding box that prefilters a radius search."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from directory.geo import bounding_box, haversine_miles
from directory.geo.distance import EARTH_RADIUS_MILES

NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)


def test_new_york_to_los_angeles_is_about_2445_miles():
    assert haversine_miles(*NEW_YORK, *LOS_ANGELES) == pytest.approx(2445, rel=0.005)


def test_distance_is_zero_to_itself_symmetric_and_half_the_globe_at_most():
    assert haversine_miles(*NEW_YORK, *NEW_YORK) == 0
    assert haversine_miles(*NEW_YORK, *LOS_ANGELES) == haversine_miles(*LOS_ANGELES, *NEW_YORK)
    assert haversine_miles(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_MILES)
    assert haversine_miles(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_MILES)


def test_one_degree_of_latitude_is_about_69_miles():
    assert haversine_miles(40, -100, 41, -100) == pytest.approx(69.09, abs=0.01)


def test_distance_across_the_antimeridian_takes_the_short_way():
    assert haversine_miles(51.9, 179.9, 51.85, -177.09) == pytest.approx(128, abs=1)


def destination(lat: float, lng: float, bearing: float, miles: float) -> tuple[float, float]:
    """The point miles away from lat, lng along the initial bearing (degrees), on the sphere."""
    phi, lam, theta = math.radians(lat), math.radians(lng), math.radians(bearing)
    delta = miles / EARTH_RADIUS_MILES
    sin_phi2 = math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    lng2 = (math.degrees(lam2) + 540) % 360 - 180
    return math.degrees(phi2), lng2


@settings(max_examples=2000, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lng=st.floats(-180, 180),
    radius=st.one_of(st.floats(0, 300), st.floats(0, 13000)),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_every_point_within_the_radius_is_inside_the_bounding_box(
    lat, lng, radius, bearing, fraction
):
    point_lat, point_lng = destination(lat, lng, bearing, radius * fraction)
    assume(haversine_miles(lat, lng, point_lat, point_lng) <= radius)
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    assert min_lat <= point_lat <= max_lat
    assert min_lng <= point_lng <= max_lng


@given(lat=st.floats(-60, 60), lng=st.floats(-170, 170), radius=st.floats(0.1, 250))
def test_the_bounding_box_is_not_much_bigger_than_the_circle(lat, lng, radius):
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    degrees = math.degrees(radius / EARTH_RADIUS_MILES)
    assert max_lat - min_lat == pytest.approx(2 * degrees, rel=1e-6)
    assert max_lng - min_lng <= 2 * degrees / math.cos(math.radians(lat)) * 1.01


def test_the_box_stays_on_the_globe_near_a_pole():
    _min_lat, max_lat, min_lng, max_lng = bounding_box(89.5, 10.0, 100)
    assert max_lat == 90
    assert (min_lng, max_lng) == (-180, 180)


def test_a_box_that_would_cross_the_antimeridian_spans_all_longitudes():
    # Around Adak, AK a 250-mile search reaches the far side of 180°.
    assert bounding_box(51.85, -177.09, 250)[2:] == (-180, 180)
    assert bounding_box(51.85, -177.09, 50)[2:] != (-180, 180)


def test_a_negative_radius_is_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        bounding_box(40, -74, -1)

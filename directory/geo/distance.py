"""Great-circle distance and the bounding box a radius search prefilters with.

Search narrows candidates with a latitude/longitude box on an index, then ranks them by exact
haversine distance; the box must therefore never leave out a point that is within the radius.
"""

import math

EARTH_RADIUS_MILES = 3958.7613

# Widen the box by a hair so that rounding in the trigonometry can never cut off a point that is
# exactly on the circle.
_BOX_SLACK = 1e-9


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles between two points on a sphere of Earth's mean radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) containing every point within radius_miles of lat, lng.

    Latitudes are clamped to [-90, 90] and longitudes to [-180, 180]. When the circle reaches a
    pole, or would cross the antimeridian (the western Aleutians sit on both sides of 180°), the
    longitude range becomes the whole [-180, 180]: a wider box costs a few extra candidates, a
    split box would need two range queries in every caller.
    """
    if radius_miles < 0:
        raise ValueError("radius_miles must not be negative")
    angular = radius_miles / EARTH_RADIUS_MILES
    dlat = math.degrees(angular) * (1 + _BOX_SLACK) + _BOX_SLACK
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # The widest longitude offset on a circle of angular radius r around latitude phi is
    # asin(sin r / cos phi), reached north of the centre's parallel (not on it).
    ratio = math.sin(min(angular, math.pi / 2)) / math.cos(math.radians(lat))
    if ratio >= 1:
        return min_lat, max_lat, -180.0, 180.0
    dlng = math.degrees(math.asin(ratio)) * (1 + _BOX_SLACK) + _BOX_SLACK
    min_lng, max_lng = lng - dlng, lng + dlng
    if min_lng < -180 or max_lng > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lng, max_lng

"""Offline place resolution, distance and bounding boxes for radius search.

Everything the search, the pages and the partner portal need from geography is imported from
here. ZIP data: the `zipcodes` package (MIT), coordinates from GeoNames (CC BY 4.0); cities and
counties: seed/geo (GeoNames CC BY 4.0, US Census Bureau public domain).
"""

from directory.geo.distance import bounding_box, haversine_miles
from directory.geo.parse import MAX_PLACE_CHARS, resolve_place
from directory.geo.places import (
    AmbiguousPlace,
    Place,
    PlaceError,
    PlaceNotFound,
    place_at,
    timezone_for,
    zip_centroid,
)
from directory.geo.states import STATES

__all__ = [
    "MAX_PLACE_CHARS",
    "STATES",
    "AmbiguousPlace",
    "Place",
    "PlaceError",
    "PlaceNotFound",
    "bounding_box",
    "haversine_miles",
    "place_at",
    "resolve_place",
    "timezone_for",
    "zip_centroid",
]

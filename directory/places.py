"""Where a place is, as the public may see it: the one rule every face applies.

A confidential location (a clinic in a shelter, a program run from someone's home) shows only
its front door, a phone number or intake instructions: never its street address, coordinates or
position, whoever asks, so that nobody can find the building from the directory. The results
page, the location page, the API (JSON and GeoJSON), HSDS and its data package all show a place
through :func:`public_place`, whether they hold a ``Location`` or a search's ``CardLocation``.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlencode

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions?"


class PublicPlace(NamedTuple):
    """What may be shown of where a place is; ``None`` where nothing may be (or is known)."""

    confidential: bool
    address: Any | None  # the street address (an ``Address`` or a ``CardAddress``)
    latitude: float | None
    longitude: float | None
    position_description: str | None  # the street corner of a mobile stop
    front_door: str | None  # how to reach a confidential place; never set for another


def public_place(location: Any) -> PublicPlace:
    """Where ``location`` is, as anyone may see it."""
    if location.confidential:
        return PublicPlace(True, None, None, None, None, location.front_door)
    return PublicPlace(
        False,
        getattr(location, "address", None),  # a table row (the HSDS export) has none of its own
        location.latitude,
        location.longitude,
        location.position_description,
        None,
    )


def street_line(address: Any | None) -> str | None:
    """The address as one line a map search understands, or None without a street."""
    if address is None or not (address.address_1 or "").strip():
        return None
    region = " ".join(part for part in (address.state_province, address.postal_code) if part)
    parts = (address.address_1, address.city, region)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def directions_url(location: Any) -> str | None:
    """OpenStreetMap directions to the door; none when confidential or with nothing to go by.

    A pin placed at a ZIP or street-corner centre is approximate but the street address is
    not, so such a place gets directions to its address text (OpenStreetMap's ``to=`` field,
    which it looks up itself); an exact pin gets its coordinates.
    """
    place = public_place(location)
    street = street_line(place.address)
    if street and (location.precision != "exact" or place.latitude is None):
        return OSM_DIRECTIONS + urlencode({"to": street})
    if place.latitude is None:
        return None
    return OSM_DIRECTIONS + urlencode({"route": f";{place.latitude:.5f},{place.longitude:.5f}"})

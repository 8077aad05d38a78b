"""Places a search can be centred on, the errors a place lookup raises, and point lookups."""

import re
from dataclasses import dataclass

from directory.geo.index import get_index
from directory.geo.records import CityRecord, CountyRecord, ZipRecord
from directory.geo.states import STATES

# Farther than this from every ZIP centroid is open sea (or Canada/Mexico): no state, no county.
NEAREST_ZIP_MAX_MILES = 60.0

_ZIP_CODE = re.compile(r"([0-9]{5})(?:-?[0-9]{4})?")

# Far enough to reach a US ZIP from anywhere on Earth, for the last-resort timezone guess.
_ANYWHERE_MILES = 12500.0


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved search origin. kind: zip, city, county, state, address or coordinates."""

    lat: float
    lng: float
    label: str
    kind: str
    state: str | None
    county: str | None = None
    postal_code: str | None = None
    timezone: str | None = None
    # For an address that could not be placed itself: the city, county or ZIP whose centre it
    # was placed at ("Seattle, WA"), so a page can say its distances are from there.
    centre_of: str | None = None


class PlaceError(ValueError):
    """A place could not be resolved; message is shown to the person, suggestions are clickable."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions or [])


class PlaceNotFound(PlaceError):
    """Nothing matches the text (unknown ZIP, misspelt city, malformed coordinates, too long)."""


class AmbiguousPlace(PlaceError):
    """Several places match equally well; suggestions name them, most populous first."""


def zip_label(record: ZipRecord) -> str:
    return f"{record.city}, {record.state} {record.code}"


def place_from_zip(record: ZipRecord, label: str | None = None, kind: str = "zip") -> Place:
    return Place(
        lat=record.lat,
        lng=record.lng,
        label=label or zip_label(record),
        kind=kind,
        state=record.state,
        county=record.county,
        postal_code=record.code,
        timezone=record.timezone,
    )


def place_from_city(city: CityRecord, label: str | None = None, kind: str = "city") -> Place:
    nearest = get_index().nearest_zip(city.lat, city.lng, NEAREST_ZIP_MAX_MILES)
    county = nearest[0].county if nearest and nearest[0].state == city.state else None
    return Place(
        lat=city.lat,
        lng=city.lng,
        label=label or f"{city.name}, {city.state}",
        kind=kind,
        state=city.state,
        county=county,
        timezone=city.timezone or timezone_for(city.lat, city.lng, city.state),
    )


def place_from_county(county: CountyRecord, label: str | None = None) -> Place:
    return Place(
        lat=county.lat,
        lng=county.lng,
        label=label or county.label,
        kind="county",
        state=county.state,
        county=county.name,
        timezone=timezone_for(county.lat, county.lng, county.state),
    )


def place_from_state(code: str) -> Place:
    index = get_index()
    lat, lng = index.state_centers[code]
    return Place(
        lat=lat,
        lng=lng,
        label=STATES[code][0],
        kind="state",
        state=code,
        timezone=index.state_timezones[code],
    )


def zip_centroid(code: str) -> Place | None:
    """The centroid of a ZIP or ZIP+4 code, or None if unknown or without a location (0,0)."""
    match = _ZIP_CODE.fullmatch(code.strip())
    record = get_index().zips.get(match[1]) if match else None
    return place_from_zip(record) if record else None


def check_coordinates(lat: float, lng: float) -> None:
    """Raise PlaceNotFound naming the coordinate that is out of range (or not a number)."""
    if not -90 <= lat <= 90:
        raise PlaceNotFound(f"Latitude {lat} is outside -90 to 90.")
    if not -180 <= lng <= 180:
        raise PlaceNotFound(f"Longitude {lng} is outside -180 to 180.")


def place_at(lat: float, lng: float) -> Place:
    """A coordinates place, with state, county, ZIP and timezone of the nearest ZIP centroid.

    Those are None when no ZIP centroid is within about 60 miles (at sea, or outside the US).
    """
    check_coordinates(lat, lng)
    label = f"{_coordinate(lat)}, {_coordinate(lng)}"
    nearest = get_index().nearest_zip(lat, lng, NEAREST_ZIP_MAX_MILES)
    if nearest is None:
        return Place(lat=lat, lng=lng, label=label, kind="coordinates", state=None)
    record = nearest[0]
    return Place(
        lat=lat,
        lng=lng,
        label=label,
        kind="coordinates",
        state=record.state,
        county=record.county,
        postal_code=record.code,
        timezone=record.timezone,
    )


def _coordinate(value: float) -> str:
    """Five decimals (about a metre) without trailing zeros: "40.75", not "40.75000"."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def timezone_for(
    lat: float, lng: float, state: str | None = None, postal_code: str | None = None
) -> str:
    """IANA timezone: the ZIP's, else the nearest ZIP's (within ~60 mi), else the state's main
    zone, else the zone of the nearest ZIP anywhere."""
    index = get_index()
    record = index.zips.get(postal_code[:5]) if postal_code else None
    if record is not None:
        return record.timezone
    nearest = index.nearest_zip(lat, lng, NEAREST_ZIP_MAX_MILES)
    if nearest is not None:
        return nearest[0].timezone
    if state in index.state_timezones:
        return index.state_timezones[state]
    anywhere = index.nearest_zip(lat, lng, _ANYWHERE_MILES)
    assert anywhere is not None, "the ZIP index is never empty"
    return anywhere[0].timezone

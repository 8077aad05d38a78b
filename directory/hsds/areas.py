"""Service areas between the directory's meaning and HSDS's.

The directory keeps an area as a kind and a code (``ServiceArea.extent_type``: nationwide, state
"NY", county "NY:Kings", postal_code "10001"), so "does this service reach the searcher?" is an
indexed equality. HSDS 3.0 means something else by ``extent_type``: the *format* of ``extent``
(``geojson``, ``topojson``, ``kml``, or ``text`` for systems without geometries). The directory
has no polygons, so every area is written as ``extent_type: "text"`` with the area named in
``name`` and defined in ``extent`` ("US", "US-NY", "Kings County, NY", "10001"); the kind and
code travel exactly in the package's extension file. An outside package's text areas are read
back the same way; an area given as a geometry, or as text we cannot place, is reported and
left out (the directory could not answer "does it serve this place?" with it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from directory.geo import STATES
from directory.models import ServiceArea

TEXT = "text"
HSDS_EXTENT_TYPES = ("geojson", "topojson", "kml", TEXT)
NATION = "United States"
STATE_NAMES = {code: name for code, (name, _fips) in STATES.items()}


@dataclass(frozen=True)
class Area:
    """An area as the directory keeps it."""

    kind: str  # nationwide | state | county | postal_code
    code: str | None


def hsds_name(row: ServiceArea) -> str:
    """The area as a person reads it: "United States", "New York", "Kings County, NY"."""
    if row.extent_type == "nationwide" or not row.code:
        return NATION
    if row.extent_type == "state":
        return STATE_NAMES.get(row.code, row.code)
    if row.extent_type == "county":
        state, _, county = row.code.partition(":")
        return f"{county} County, {state}"
    return f"ZIP code {row.code}"


def hsds_extent(row: ServiceArea) -> str:
    """The area's textual definition (``extent_type: "text"``)."""
    if row.extent_type == "nationwide" or not row.code:
        return "US"
    if row.extent_type == "state":
        return f"US-{row.code}"
    if row.extent_type == "county":
        state, _, county = row.code.partition(":")
        return f"{county} County, {state}"
    return row.code


_ZIP = re.compile(r"^(?:ZIP(?: code)?\s*)?(\d{5})$", re.IGNORECASE)
_STATE = re.compile(r"^(?:US-)?([A-Z]{2})$")
_COUNTY = re.compile(r"^(.+?) County,\s*([A-Z]{2})$")
_NATION = {"us", "usa", "united states", "united states of america", "nationwide"}
_STATE_CODES = {name.lower(): code for code, name in STATE_NAMES.items()}


def area_from_text(text: str | None) -> Area | None:
    """The directory's area for an HSDS text extent or name, or None when it names no state,
    county, ZIP code or the nation."""
    text = (text or "").strip()
    if not text:
        return None
    if text.lower() in _NATION:
        return Area("nationwide", None)
    if match := _ZIP.match(text):
        return Area("postal_code", match.group(1))
    if (match := _STATE.match(text)) and match.group(1) in STATE_NAMES:
        return Area("state", match.group(1))
    if code := _STATE_CODES.get(text.lower()):
        return Area("state", code)
    if (match := _COUNTY.match(text)) and match.group(2) in STATE_NAMES:
        return Area("county", f"{match.group(2)}:{match.group(1)}")
    return None


def area_from_hsds(row: dict) -> Area | None:
    """The directory's area for an imported ``service_areas`` row: the extension columns when
    the package has them (our own export), else its text extent, else its name."""
    if row.get("area_kind"):
        code = None if row["area_kind"] == "nationwide" else row.get("code")
        return Area(row["area_kind"], code)
    if row.get("extent_type") not in (None, TEXT):
        return None
    return area_from_text(row.get("extent")) or area_from_text(row.get("name"))


def unplaced(row: dict) -> str | None:
    """Why an imported service area cannot be kept, or None when it can."""
    if area_from_hsds(row) is not None:
        return None
    if row.get("extent_type") not in (None, TEXT):
        return (
            f"a {row['extent_type']} extent: the directory keeps areas as states, counties, "
            "ZIP codes or the nation; the area is left out"
        )
    return "names no state, county, ZIP code or the nation; the area is left out"

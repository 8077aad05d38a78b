"""Finding the location a source row describes, so one facility becomes one listing.

Two rows are the same place when their normalized names and street addresses agree (in the
same ZIP or city); when their house number, street and ZIP agree (one street may add a suite or
a street type: "210 South Adams" is "210 South Adams Avenue") and their names or their
organizations' names are alike; or when both are exactly placed within about 50 metres of each
other, their names are alike and their house numbers do not differ. ZIP-centroid points are
never matched by distance: every pharmacy in a ZIP shares one.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from directory.geo import haversine_miles

MATCH_METRES = 50.0
# Geocodes of one address agree; a name+address match farther apart than this is two places.
SAME_ADDRESS_MAX_MILES = 1.0
_METRES_PER_MILE = 1609.344
# Cells of 0.002° (at least 60 m east–west even in Alaska): 50 m lies within 3×3 cells.
_CELLS_PER_DEGREE = 500
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Hawaiian and Queens house numbers have two parts ("15-2714", "130-20"); both must agree.
_HOUSE_NUMBER = re.compile(r"^\s*(\d+(?:-\d+)?)")
_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "route": "rte",
    "saint": "st",
    "fort": "ft",
    "mount": "mt",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "floor": "fl",
    "building": "bldg",
    "center": "ctr",
    "centre": "ctr",
}
# Words that say what kind of body a name belongs to, not which one it is.
_NAME_NOISE = {"inc", "llc", "pllc", "pc", "corp", "co", "ltd", "the", "of", "and", "dba", "a"}


@lru_cache(maxsize=200_000)
def normalize(text: str | None) -> str:
    tokens = _NON_ALNUM.sub(" ", (text or "").casefold().replace("&", " and ")).split()
    return " ".join(_STREET_WORDS.get(token, token) for token in tokens)


def name_tokens(name: str) -> frozenset[str]:
    return frozenset(normalize(name).split()) - _NAME_NOISE


def names_alike(a: str, b: str) -> bool:
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return False
    if tokens_a <= tokens_b or tokens_b <= tokens_a:
        return True
    if len(tokens_a & tokens_b) / len(tokens_a | tokens_b) >= 0.6:
        return True
    return (
        SequenceMatcher(None, " ".join(sorted(tokens_a)), " ".join(sorted(tokens_b))).ratio()
        >= 0.85
    )


def _overlap(a: str, b: str) -> float:
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return 0.0
    return len(tokens_a & tokens_b) / len(tokens_a | tokens_b)


def house_number(address: str) -> str | None:
    match = _HOUSE_NUMBER.match(address)
    return match.group(1) if match else None


def _far_apart(candidate: Candidate, latitude: float, longitude: float, precision: str) -> bool:
    """Both exactly placed yet more than a mile apart: the same words name two doors."""
    if precision != "exact" or candidate.precision != "exact":
        return False
    return (
        haversine_miles(latitude, longitude, candidate.latitude, candidate.longitude)
        > SAME_ADDRESS_MAX_MILES
    )


@dataclass
class Candidate:
    """A location already in the directory (or created earlier in this run), or a geocoded
    row of a superseded extract lending its point (``id`` None until a row takes it)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    address_1: str
    city: str
    postal_code: str
    latitude: float
    longitude: float
    precision: str
    source_id: uuid.UUID | None
    organization_name: str = ""


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    how: str  # "name and address" or "23 m, similar name"


class MatchIndex:
    """In-memory index of locations by name+address key and by grid cell."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str, str], Candidate] = {}
        self._by_number: dict[tuple[str, str], list[Candidate]] = {}
        self._grid: dict[tuple[int, int], list[Candidate]] = {}
        self._archived: set[uuid.UUID] = set()
        # Source ids to codes, for saying where a merged row went.
        self.source_codes: dict[uuid.UUID | None, str] = {}
        # Superseded extracts whose geocoded rows are in the index as points to lend.
        self.lenders: set[str] = set()

    def forget(self, location_ids: set[uuid.UUID]) -> None:
        """Archived locations take no more rows."""
        self._archived |= location_ids

    def add(self, candidate: Candidate) -> None:
        for key in self._keys(
            candidate.name, candidate.address_1, candidate.city, candidate.postal_code
        ):
            self._by_key.setdefault(key, candidate)
        number = house_number(candidate.address_1)
        if number:
            self._by_number.setdefault((number, candidate.postal_code[:5]), []).append(candidate)
        if candidate.precision == "exact":
            self._grid.setdefault(self._cell(candidate.latitude, candidate.longitude), []).append(
                candidate
            )

    def find(
        self,
        name: str,
        address_1: str,
        city: str,
        postal_code: str,
        latitude: float,
        longitude: float,
        precision: str,
        organization_name: str = "",
    ) -> Match | None:
        """The listed location this row describes; failing one, a superseded extract's row
        lending its point (a listing always wins over a lender, however it matched)."""
        args = (name, address_1, city, postal_code, latitude, longitude, precision)
        return self._find(*args, organization_name, lenders=False) or self._find(
            *args, organization_name, lenders=True
        )

    def _find(
        self,
        name: str,
        address_1: str,
        city: str,
        postal_code: str,
        latitude: float,
        longitude: float,
        precision: str,
        organization_name: str,
        *,
        lenders: bool,
    ) -> Match | None:
        for position, key in enumerate(self._keys(name, address_1, city, postal_code)):
            found = self._by_key.get(key)
            if found is None or found.id in self._archived or (found.id is None) != lenders:
                continue
            # The same name at the same street in the same ZIP (the first key) is one place,
            # however far apart two geocoders put it; in one city it may be two doors.
            if position == 0 or not _far_apart(found, latitude, longitude, precision):
                return Match(found, "name and address")
        street = normalize(address_1).split()
        number = house_number(address_1)
        for found in self._by_number.get((number or "", postal_code[:5]), ()):
            if found.id in self._archived or (found.id is None) != lenders:
                continue
            other = normalize(found.address_1).split()
            shorter = min(len(street), len(other))
            if shorter < 2 or street[:shorter] != other[:shorter]:
                continue
            if names_alike(name, found.name) or (
                organization_name
                and found.organization_name
                and names_alike(organization_name, found.organization_name)
            ):
                return Match(found, "street, ZIP and a similar name")
            if street == other and _overlap(name, found.name) >= 0.4:
                return Match(found, "the same street and ZIP, a name in part the same")
        if precision != "exact":
            return None
        number = house_number(address_1)
        row, column = self._cell(latitude, longitude)
        best: tuple[float, Candidate] | None = None
        for d_row in (-1, 0, 1):
            for d_column in (-1, 0, 1):
                for candidate in self._grid.get((row + d_row, column + d_column), ()):
                    metres = _METRES_PER_MILE * haversine_miles(
                        latitude, longitude, candidate.latitude, candidate.longitude
                    )
                    if metres > MATCH_METRES or (best is not None and metres >= best[0]):
                        continue
                    if candidate.id in self._archived or (candidate.id is None) != lenders:
                        continue
                    other_number = house_number(candidate.address_1)
                    if number and other_number and number != other_number:
                        continue
                    if names_alike(name, candidate.name):
                        best = (metres, candidate)
        if best is None:
            return None
        return Match(best[1], f"{best[0]:.0f} m, similar name")

    @staticmethod
    def _keys(name: str, address_1: str, city: str, postal_code: str) -> list[tuple[str, str, str]]:
        name_key, street_key = normalize(name), normalize(address_1)
        if not street_key:
            # A placeholder address ("- - -": the address is not published) says nothing about
            # the door, but one name in one ZIP without an address is one listing.
            return [(name_key, "", postal_code[:5])]
        return [(name_key, street_key, postal_code[:5]), (name_key, street_key, normalize(city))]

    @staticmethod
    def _cell(latitude: float, longitude: float) -> tuple[int, int]:
        return math.floor(latitude * _CELLS_PER_DEGREE), math.floor(longitude * _CELLS_PER_DEGREE)

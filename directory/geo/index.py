"""In-memory indexes of ZIP codes, cities, counties and states, built once per process.

ZIP codes come from the `zipcodes` package (MIT; coordinates from GeoNames, CC BY 4.0); cities and
counties from seed/geo (GeoNames CC BY 4.0; US Census public domain, see seed/geo/README.md).
Building takes about a second, so it happens lazily on first use; afterwards every lookup is a
dict access or a scan of a few grid cells.
"""

import csv
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import zipcodes

from directory.geo.distance import bounding_box, haversine_miles
from directory.geo.records import CityRecord, CountyRecord, ZipRecord, place_key
from directory.geo.states import OTHER_NAMES, SPANISH_NAMES, STATES

SEED_DIR = Path(__file__).resolve().parents[2] / "seed" / "geo"

# 0.1° cells: a dense city cell holds a few dozen ZIPs, and a 60-mile search visits a few hundred
# cells at most.
_CELLS_PER_DEGREE = 10

_GRID_PRIORITY = {"STANDARD": 0, "PO BOX": 1, "UNIQUE": 2}

_CITY_ALIASES = {("nyc", "NY"): ("new york city", "NY")}


@dataclass
class GeoIndex:
    zips: dict[str, ZipRecord] = field(default_factory=dict)
    known_bad_zips: set[str] = field(default_factory=set)
    sorted_zips: list[str] = field(default_factory=list)
    grid: dict[tuple[int, int], list[ZipRecord]] = field(default_factory=dict)
    grid_rows: dict[int, list[ZipRecord]] = field(default_factory=dict)
    cities: dict[tuple[str, str], CityRecord] = field(default_factory=dict)
    cities_by_key: dict[str, list[CityRecord]] = field(default_factory=dict)
    city_keys_by_state: dict[str, list[str]] = field(default_factory=dict)
    city_keys_by_initial: dict[str, list[str]] = field(default_factory=dict)
    counties: dict[tuple[str, str], CountyRecord] = field(default_factory=dict)
    counties_by_key: dict[str, list[CountyRecord]] = field(default_factory=dict)
    state_codes_by_key: dict[str, str] = field(default_factory=dict)
    state_centers: dict[str, tuple[float, float]] = field(default_factory=dict)
    state_timezones: dict[str, str] = field(default_factory=dict)

    def nearest_zip(
        self, lat: float, lng: float, max_miles: float
    ) -> tuple[ZipRecord, float] | None:
        """The ZIP centroid nearest to lat, lng and its distance, or None beyond max_miles.

        Searches boxes of doubling radius: a candidate no farther than the current radius is
        the nearest overall, because the box holds every point within that radius.
        """
        cos_lat = math.cos(math.radians(lat))
        radius = min(2.0, max_miles)
        while True:
            best, best_key = None, math.inf
            for record in self._in_box(bounding_box(lat, lng, radius)):
                dlng = (record.lng - lng + 540.0) % 360.0 - 180.0
                key = (record.lat - lat) ** 2 + (dlng * cos_lat) ** 2
                if key < best_key:
                    best, best_key = record, key
            if best is not None:
                miles = haversine_miles(lat, lng, best.lat, best.lng)
                if miles <= radius:
                    return best, miles
            if radius >= max_miles:
                return None
            radius = min(radius * 2, max_miles)

    def _in_box(self, box: tuple[float, float, float, float]) -> Iterator[ZipRecord]:
        min_lat, max_lat, min_lng, max_lng = box
        rows = range(
            math.floor(min_lat * _CELLS_PER_DEGREE), math.floor(max_lat * _CELLS_PER_DEGREE) + 1
        )
        if max_lng - min_lng >= 360:
            for row in rows:
                yield from self.grid_rows.get(row, ())
            return
        columns = range(
            math.floor(min_lng * _CELLS_PER_DEGREE), math.floor(max_lng * _CELLS_PER_DEGREE) + 1
        )
        for row in rows:
            for column in columns:
                yield from self.grid.get((row, column), ())


def _county_name(raw: str) -> str | None:
    """zipcodes says "Cook County", Place.county says "Cook"; parishes and boroughs keep theirs."""
    return raw.removesuffix(" County") or None


def _valid_timezone(name: str) -> bool:
    # The zipcodes data has blanks and at least one town name ("Napakiak") where a zone belongs.
    return "/" in name


def _load_zips(index: GeoIndex) -> dict[tuple[str, str], list[ZipRecord]]:
    """Fill the ZIP and grid indexes; return the ZIPs grouped by (city key, state)."""
    raw_zips = zipcodes.list_all()
    zone_votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for raw in raw_zips:
        if _valid_timezone(raw["timezone"]):
            zone_votes[(raw["state"], raw["zip_code"][:3])][raw["timezone"]] += 1
            zone_votes[(raw["state"], "")][raw["timezone"]] += 1
    index.state_timezones = {
        state: zone_votes[(state, "")].most_common(1)[0][0]
        for state in STATES
        if zone_votes[(state, "")]
    }
    by_city: dict[tuple[str, str], list[ZipRecord]] = defaultdict(list)
    grid_candidates: list[tuple[int, ZipRecord]] = []
    city_keys: dict[str, str] = {}
    for raw in raw_zips:
        lat, lng, state = float(raw["lat"]), float(raw["long"]), raw["state"]
        # Military APO/FPO codes (states AA, AE, AP) are not places, and 0,0 means "no location".
        if state not in STATES or (lat == 0 and lng == 0):
            index.known_bad_zips.add(raw["zip_code"])
            continue
        timezone = raw["timezone"]
        if not _valid_timezone(timezone):
            # The zone most ZIPs sharing this one's 3-digit prefix use, else the state's.
            votes = zone_votes[(state, raw["zip_code"][:3])] or zone_votes[(state, "")]
            timezone = votes.most_common(1)[0][0]
        record = ZipRecord(
            code=raw["zip_code"],
            lat=lat,
            lng=lng,
            city=raw["city"],
            state=state,
            county=_county_name(raw["county"]),
            timezone=timezone,
        )
        index.zips[record.code] = record
        grid_candidates.append((_GRID_PRIORITY.get(raw["zip_code_type"], 3), record))
        if raw["zip_code_type"] != "MILITARY":
            if raw["city"] not in city_keys:
                city_keys[raw["city"]] = place_key(raw["city"])
            by_city[(city_keys[raw["city"]], state)].append(record)
    index.sorted_zips = sorted(index.zips)
    # Dozens of PO box and single-company ZIPs share one point in big cities; one ZIP per point,
    # a delivery ZIP where there is one, keeps grid cells short and place_at's answer useful.
    seen_points: set[tuple[float, float]] = set()
    for _priority, record in sorted(grid_candidates, key=lambda pair: (pair[0], pair[1].code)):
        if (record.lat, record.lng) in seen_points:
            continue
        seen_points.add((record.lat, record.lng))
        row = math.floor(record.lat * _CELLS_PER_DEGREE)
        column = math.floor(record.lng * _CELLS_PER_DEGREE)
        index.grid.setdefault((row, column), []).append(record)
        index.grid_rows.setdefault(row, []).append(record)
    return by_city


def _load_cities(index: GeoIndex, zips_by_city: dict[tuple[str, str], list[ZipRecord]]) -> None:
    with (SEED_DIR / "cities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            city = CityRecord(
                name=row["name"],
                state=row["state"],
                lat=float(row["lat"]),
                lng=float(row["lng"]),
                population=int(row["population"]),
                timezone=row["timezone"] or None,
            )
            index.cities.setdefault((place_key(row["ascii_name"]), city.state), city)
    # Towns under 1,000 people (and all of Puerto Rico and the other territories) are missing
    # from the GeoNames extract; the centroid of their ZIP codes stands in.
    for (key, state), records in zips_by_city.items():
        if (key, state) in index.cities:
            continue
        zones = Counter(record.timezone for record in records)
        index.cities[(key, state)] = CityRecord(
            name=records[0].city,
            state=state,
            lat=sum(record.lat for record in records) / len(records),
            lng=sum(record.lng for record in records) / len(records),
            population=0,
            timezone=zones.most_common(1)[0][0],
        )
    for alias, target in _CITY_ALIASES.items():
        index.cities[alias] = index.cities[target]
    by_key: dict[str, list[CityRecord]] = defaultdict(list)
    keys_by_state: dict[str, list[str]] = defaultdict(list)
    for (key, state), city in index.cities.items():
        by_key[key].append(city)
        keys_by_state[state].append(key)
    index.cities_by_key = {
        key: sorted(cities, key=lambda c: (-c.population, c.state))
        for key, cities in by_key.items()
    }
    index.city_keys_by_state = dict(keys_by_state)
    by_initial: dict[str, list[str]] = defaultdict(list)
    for key in index.cities_by_key:
        by_initial[key[0]].append(key)
    index.city_keys_by_initial = dict(by_initial)


def _load_counties(index: GeoIndex) -> list[CountyRecord]:
    counties: list[CountyRecord] = []
    by_key: dict[str, list[CountyRecord]] = defaultdict(list)
    with (SEED_DIR / "counties.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            county = CountyRecord(
                geoid=row["geoid"],
                name=row["name"],
                state=row["state"],
                lat=float(row["lat"]),
                lng=float(row["lng"]),
            )
            counties.append(county)
            names = [row["name"], *filter(None, row["aliases"].split(";"))]
            for name in names:
                index.counties[(place_key(name), county.state)] = county
                by_key[place_key(name)].append(county)
    index.counties_by_key = {
        key: sorted(matches, key=lambda c: c.state) for key, matches in by_key.items()
    }
    return counties


def _load_states(index: GeoIndex, counties: list[CountyRecord]) -> None:
    names = {code: code for code in STATES}
    names |= {name: code for code, (name, _fips) in STATES.items()}
    names |= SPANISH_NAMES | OTHER_NAMES
    index.state_codes_by_key = {place_key(name): code for name, code in names.items()}
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for county in counties:
        points[county.state].append((county.lat, county.lng))
    # Territories have no rows in the county gazetteer extract: use their ZIP centroids.
    states_with_counties = set(points)
    for record in index.zips.values():
        if record.state not in states_with_counties:
            points[record.state].append((record.lat, record.lng))
    index.state_centers = {
        state: (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        for state, pts in points.items()
    }


def build_index() -> GeoIndex:
    index = GeoIndex()
    zips_by_city = _load_zips(index)
    _load_cities(index, zips_by_city)
    _load_states(index, _load_counties(index))
    return index


_lock = threading.Lock()
_index: GeoIndex | None = None


def get_index() -> GeoIndex:
    """The process-wide index, built on first use (thread-safe, built once)."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = build_index()
    return _index

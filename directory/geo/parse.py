"""Turn what someone typed in the "ZIP, city or address" box into a Place, offline.

Accepted: a ZIP or ZIP+4; "lat,lng"; an address containing a ZIP (its centroid); "City, ST",
"City ST" or "city, state name"; "X County, ST"; a state code or name (English or Spanish); an
address with a city and state but no ZIP (the city's centre). Anything else raises PlaceNotFound
or AmbiguousPlace with suggestions a person can click, never an empty answer.
"""

import bisect
import difflib
import re
import unicodedata
from dataclasses import replace

from directory.geo.index import GeoIndex, get_index
from directory.geo.online import OFFLINE, geocode_online
from directory.geo.places import (
    AmbiguousPlace,
    Place,
    PlaceNotFound,
    check_coordinates,
    place_at,
    place_from_city,
    place_from_county,
    place_from_state,
    place_from_zip,
)
from directory.geo.records import CityRecord, place_key
from directory.geo.states import STATES

# Longer than any real US address; longer input is refused before any work is done on it.
MAX_PLACE_CHARS = 200
MAX_SUGGESTIONS = 10
# A city name shared across states resolves to the biggest one only when it dwarfs the rest
# ("Denver" is Denver, CO; "Portland" and "Springfield" need a state).
DOMINANT_POPULATION_RATIO = 20

_NUMBER = r"[+-]?[0-9]{1,3}(?:\.[0-9]+)?"
_COORDINATES = re.compile(rf"({_NUMBER})\s*(?:,|\s)\s*({_NUMBER})")
_ZIP = re.compile(r"([0-9]{5})(?:-?[0-9]{4})?")
_ZIP_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{5})(?:-[0-9]{4})?(?![0-9])")
_COUNTRY_KEYS = {"us", "usa", "united states", "united states of america", "estados unidos", "eeuu"}
_COUNTY_SUFFIXES = (
    " city and borough",
    " census area",
    " municipality",
    " municipio",
    " borough",
    " parish",
    " county",
)


def resolve_place(text: str, geocoder: str | None = None) -> Place:
    """Resolve a ZIP, coordinates, county, city, state or address to a Place.

    Offline unless geocoder names a geopy geocoder, which is then asked only about street
    addresses that have no ZIP code. Raises PlaceNotFound or AmbiguousPlace (both PlaceError).
    """
    if not isinstance(text, str):
        raise TypeError("resolve_place expects a string")
    if len(text) > MAX_PLACE_CHARS:
        raise PlaceNotFound(f"That place is too long (over {MAX_PLACE_CHARS} characters).")
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split())
    if not cleaned:
        raise PlaceNotFound("Enter a ZIP code, a city and state, or an address.")
    if match := _COORDINATES.fullmatch(cleaned):
        lat, lng = float(match[1]), float(match[2])
        check_coordinates(lat, lng)
        return place_at(lat, lng)
    if match := _ZIP.fullmatch(cleaned):
        return _zip_place(match[1])
    return _text_place(cleaned, geocoder)


def _zip_place(code: str) -> Place:
    index = get_index()
    record = index.zips.get(code)
    if record is not None:
        return place_from_zip(record)
    if code in index.known_bad_zips:
        raise PlaceNotFound(
            f"ZIP code {code} has no map location (military or special-use code). "
            "Try a nearby ZIP code or a city."
        )
    raise PlaceNotFound(f"ZIP code {code} was not found.", _nearby_zips(index, code))


def _nearby_zips(index: GeoIndex, code: str) -> list[str]:
    """Known ZIP codes numerically closest to code within its 3-digit area, closest first."""
    at = bisect.bisect_left(index.sorted_zips, code)
    around = index.sorted_zips[max(0, at - 3) : at + 3]
    same_area = [known for known in around if known[:3] == code[:3]]
    return sorted(same_area, key=lambda known: abs(int(known) - int(code)))


def _text_place(cleaned: str, geocoder: str | None) -> Place:
    index = get_index()
    zips = list(_ZIP_IN_TEXT.finditer(cleaned))
    zip_error = None
    if zips:
        last = zips[-1]
        record = index.zips.get(last[1])
        rest = (cleaned[: last.start()] + cleaned[last.end() :]).strip(" ,")
        if record is not None and not rest:
            return place_from_zip(record)
        if record is not None and last.start() > 0:
            return _at_zip_centre(record, cleaned)
        if last.start() == 0 and rest:
            # "12345 Main St, Springfield, IL" starts with a house number, "10001 New York"
            # with a ZIP: it is a ZIP when it lies in the place the rest of the text names.
            try:
                named = _named_place(rest, cleaned)
            except PlaceNotFound:
                named = None
            if record is not None and (named is None or named.state == record.state):
                return _at_zip_centre(record, cleaned)
            if named is not None:
                return named
        if record is None:
            zip_error = PlaceNotFound(f"ZIP code {last[1]} was not found.")
        cleaned = rest or cleaned
    if geocoder not in OFFLINE and re.search(r"[0-9]", cleaned):
        found = geocode_online(cleaned, geocoder)
        if found is not None:
            place = place_at(*found)
            if place.state is not None:
                return replace(place, label=cleaned, kind="address")
    try:
        return _named_place(cleaned, cleaned)
    except PlaceNotFound:
        if zip_error is not None:
            raise zip_error from None
        raise


def _named_place(text: str, label: str) -> Place:
    """A state, county or city named in text; with a street before it, an address."""
    index = get_index()
    segments = [segment.strip() for segment in text.split(",")]
    segments = [segment for segment in segments if segment]
    while segments and place_key(segments[-1]) in _COUNTRY_KEYS:
        segments.pop()
    if not segments:
        raise PlaceNotFound("Enter a ZIP code, a city and state, or an address.")
    if len(segments) == 1 and (code := index.state_codes_by_key.get(place_key(segments[0]))):
        return place_from_state(code)
    state, name_key, street = _split_state(index, segments)
    try:
        place = _city_or_county(index, name_key, state, label)
    except PlaceNotFound:
        if state is None and len(segments) > 1:
            _raise_if_misspelt_state(index, segments)
        raise
    if street:
        return replace(place, label=label, kind="address", centre_of=place.label)
    return place


def _at_zip_centre(record, label: str) -> Place:
    """An address with a ZIP code, placed at the ZIP's centre (offline, streets are unknown)."""
    return replace(
        place_from_zip(record, label=label, kind="address"), centre_of=place_from_zip(record).label
    )


def _split_state(index: GeoIndex, segments: list[str]) -> tuple[str | None, str, list[str]]:
    """(state code or None, key of the place name before it, street segments before that)."""
    codes = index.state_codes_by_key
    if len(segments) > 1 and (code := codes.get(place_key(segments[-1]))):
        return code, place_key(segments[-2]), segments[:-2]
    tokens = place_key(segments[-1]).split()
    for state_words in (3, 2, 1):
        if len(tokens) > state_words and (code := codes.get(" ".join(tokens[-state_words:]))):
            return code, " ".join(tokens[:-state_words]), segments[:-1]
    return None, " ".join(tokens), segments[:-1]


def _raise_if_misspelt_state(index: GeoIndex, segments: list[str]) -> None:
    """Suggest the same place in the states the last part resembles ("Springfield, Ilinois")."""
    last_key = place_key(segments[-1])
    close = difflib.get_close_matches(last_key, list(index.state_codes_by_key))
    codes = list(dict.fromkeys(index.state_codes_by_key[key] for key in close))
    if codes or re.fullmatch(r"[a-z]{2}", last_key):
        raise PlaceNotFound(
            f"“{segments[-1]}” is not a US state or territory.",
            [f"{segments[-2]}, {code}" for code in codes],
        )


def _city_or_county(index: GeoIndex, key: str, state: str | None, label: str) -> Place:
    county_key = _strip_county_suffix(key)
    if county_key != key:
        # Only Louisiana has parishes: "Orleans Parish" needs no state.
        if state is None and key.endswith(" parish"):
            state = "LA"
        return _county(index, county_key, state, label)
    if state is not None:
        city = index.cities.get((key, state))
        if city is not None:
            return place_from_city(city)
        # "Baltimore city, MD", "Wade Hampton, AK": county names written without "County".
        county = index.counties.get((key, state))
        if county is not None:
            return place_from_county(county)
        raise PlaceNotFound(
            f"No place matching “{label}” was found in {STATES[state][0]}.",
            _close_cities(index, key, state),
        )
    cities = index.cities_by_key.get(key)
    if not cities:
        raise PlaceNotFound(_not_found_message(label), _close_cities(index, key, None))
    return _pick_city(cities)


def _strip_county_suffix(key: str) -> str:
    if key.startswith("condado de "):
        return key.removeprefix("condado de ")
    for suffix in _COUNTY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


def _county(index: GeoIndex, key: str, state: str | None, label: str) -> Place:
    if state is not None:
        county = index.counties.get((key, state))
        if county is None:
            suggestions = difflib.get_close_matches(
                key, [k for (k, s) in index.counties if s == state], n=5, cutoff=0.75
            )
            raise PlaceNotFound(
                f"No county matching “{label}” was found in {STATES[state][0]}.",
                [index.counties[(k, state)].label for k in suggestions],
            )
        return place_from_county(county)
    counties = index.counties_by_key.get(key, [])
    if len(counties) == 1:
        return place_from_county(counties[0])
    if counties:
        raise AmbiguousPlace(
            f"More than one state has a county called “{counties[0].name}”. Which one?",
            [county.label for county in counties[:MAX_SUGGESTIONS]],
        )
    suggestions = difflib.get_close_matches(key, list(index.counties_by_key), n=5, cutoff=0.75)
    raise PlaceNotFound(
        _not_found_message(label),
        [county.label for k in suggestions for county in index.counties_by_key[k][:2]],
    )


def _pick_city(cities: list[CityRecord]) -> Place:
    """The only city of that name, or the one far bigger than the others, else AmbiguousPlace."""
    first = cities[0]
    if len(cities) == 1 or first.population >= DOMINANT_POPULATION_RATIO * max(
        cities[1].population, 1
    ):
        return place_from_city(first)
    raise AmbiguousPlace(
        f"There is more than one {first.name}. Which one?",
        [f"{city.name}, {city.state}" for city in cities[:MAX_SUGGESTIONS]],
    )


def _close_cities(index: GeoIndex, key: str, state: str | None) -> list[str]:
    """Cities (and states) whose names look like key, for "did you mean" links."""
    if len(key) < 3:
        return []
    if state is not None:
        matches = _close_keys(key, index.city_keys_by_state.get(state, []))
        return [f"{index.cities[(k, state)].name}, {state}" for k in matches]
    states = difflib.get_close_matches(key, list(index.state_codes_by_key), n=2, cutoff=0.8)
    state_names = dict.fromkeys(STATES[index.state_codes_by_key[k]][0] for k in states)
    # Comparing against every city name takes tens of milliseconds; people rarely get the first
    # letter wrong, so only names with the same initial are compared.
    matches = _close_keys(key, index.city_keys_by_initial.get(key[0], []), n=3)
    cities = [f"{city.name}, {city.state}" for k in matches for city in index.cities_by_key[k][:3]]
    return [*state_names, *cities]


def _close_keys(key: str, candidates: list[str], n: int = 5) -> list[str]:
    # Suggestions are for typos, which change a name's length by a letter or two; comparing only
    # names of about the same length keeps this to a few hundred comparisons.
    similar_length = [c for c in candidates if abs(len(c) - len(key)) <= 3]
    return difflib.get_close_matches(key, similar_length, n=n)


def _not_found_message(label: str) -> str:
    if re.search(r"[0-9]", label):
        return (
            f"No place matching “{label}” was found. "
            "Add the ZIP code, or the city and state, to a street address."
        )
    return f"No place matching “{label}” was found. Try a ZIP code or “City, ST”."

"""Whatever is typed into the place box, the answer is a Place or a PlaceError, never a crash."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.geo import MAX_PLACE_CHARS, PlaceError, resolve_place
from directory.geo.index import get_index

PIECES = [
    "Springfield",
    "IL",
    "illinois",
    "County",
    "Parish",
    "Condado de",
    ",",
    ", ",
    "New York",
    "Nueva",
    "St.",
    "Mt",
    "12207",
    "12207-1234",
    "00000",
    "-",
    "+",
    ".",
    "40.75",
    "-73.99",
    "USA",
    "0",
    "999",
    "🙂",
    "ß",
    "\u0301",
    "\x00",
    "ʻ",
    "Kansas City",
    "Washington",
    "DC",
]


@pytest.fixture(scope="module", autouse=True)
def indexes_built():
    get_index()


def answers_or_explains(text: str) -> None:
    try:
        place, error = resolve_place(text), None
    except PlaceError as raised:
        place, error = None, raised
    if error is not None:
        assert error.message
        assert all(isinstance(s, str) and s for s in error.suggestions)
    else:
        assert place is not None
        assert -90 <= place.lat <= 90
        assert -180 <= place.lng <= 180
        assert place.kind in {"zip", "city", "county", "state", "address", "coordinates"}
        assert place.label


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_PLACE_CHARS + 20))
def test_arbitrary_text_gives_a_place_or_a_place_error(text):
    answers_or_explains(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join))
def test_jumbled_place_words_give_a_place_or_a_place_error(text):
    answers_or_explains(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[0-9 ,.+-]{0,24}\Z"))
def test_number_like_text_gives_a_place_or_a_place_error(text):
    answers_or_explains(text)


def test_every_zip_in_the_index_resolves_to_itself():
    for code in get_index().zips:
        place = resolve_place(code)
        assert (place.kind, place.postal_code) == ("zip", code)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(sorted(get_index().zips)),
    plus_four=st.from_regex(r"\A[0-9]{4}\Z"),
    hyphen=st.booleans(),
    padding=st.sampled_from(["", " ", "  "]),
)
def test_every_zip_plus_four_resolves_to_its_zip(code, plus_four, hyphen, padding):
    text = f"{padding}{code}{'-' if hyphen else ''}{plus_four}{padding}"
    assert resolve_place(text).postal_code == code


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-90, 90), lng=st.floats(-180, 180))
def test_typed_coordinates_resolve_to_those_coordinates(lat, lng):
    text = f"{lat:.5f},{lng:.5f}"
    place = resolve_place(text)
    assert place.kind == "coordinates"
    assert (place.lat, place.lng) == (float(f"{lat:.5f}"), float(f"{lng:.5f}"))

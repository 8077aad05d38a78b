"""What the "ZIP, city or address" box understands, and what it says when it cannot help."""

import pytest

from directory.geo import (
    MAX_PLACE_CHARS,
    AmbiguousPlace,
    PlaceError,
    PlaceNotFound,
    resolve_place,
)
from directory.geo.index import get_index


def test_a_zip_code_resolves_to_its_centroid_with_city_state_and_timezone():
    place = resolve_place("10001")
    assert place.kind == "zip"
    assert place.postal_code == "10001"
    assert place.state == "NY"
    assert place.county == "New York"
    assert place.timezone == "America/New_York"
    assert place.label == "New York, NY 10001"
    assert place.lat == pytest.approx(40.7484)
    assert place.lng == pytest.approx(-73.9967)


@pytest.mark.parametrize("text", ["10001-1234", "100011234", "  10001-1234 "])
def test_a_zip_plus_four_resolves_to_the_five_digit_zip(text):
    place = resolve_place(text)
    assert place.kind == "zip"
    assert place.postal_code == "10001"


@pytest.mark.parametrize("text", ["10001,", ", 10001", "10001 USA"])
def test_a_zip_with_stray_commas_or_country_still_resolves_to_the_zip(text):
    assert resolve_place(text).postal_code == "10001"


@pytest.mark.parametrize(
    "text", ["Springfield, IL", "Springfield IL", "springfield, illinois", "SPRINGFIELD  il"]
)
def test_a_city_with_its_state_resolves_with_or_without_a_comma(text):
    place = resolve_place(text)
    assert place.kind == "city"
    assert place.label == "Springfield, IL"
    assert place.state == "IL"
    assert place.county == "Sangamon"
    assert place.timezone == "America/Chicago"
    assert place.lat == pytest.approx(39.80, abs=0.01)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Saint Louis, MO", "St. Louis, MO"),
        ("Mt Vernon NY", "Mount Vernon, NY"),
        ("Charleston West Virginia", "Charleston, WV"),
        ("Washington DC", "Washington, DC"),
        ("Hawaii Kai, HI", "Hawai‘i Kai, HI"),
        ("Kihei", "Kīhei, HI"),
        ("NYC", "New York City, NY"),
        ("Springfield, IL, USA", "Springfield, IL"),
    ],
)
def test_city_names_match_whatever_the_spelling_of_saint_mount_accents_or_country(text, label):
    assert resolve_place(text).label == label


def test_a_town_too_small_for_the_city_list_is_found_through_its_zip_codes():
    place = resolve_place("Mayagüez, PR")
    assert place.kind == "city"
    assert place.state == "PR"
    assert place.timezone == "America/Puerto_Rico"


@pytest.mark.parametrize("text", ["NY", "New York", "new york", "Nueva York"])
def test_a_state_code_or_name_in_english_or_spanish_resolves_to_the_state(text):
    place = resolve_place(text)
    assert place.kind == "state"
    assert place.state == "NY"
    assert place.label == "New York"
    assert 40 < place.lat < 45
    assert -80 < place.lng < -72


@pytest.mark.parametrize("text", ["Cook County, IL", "cook county illinois", "Condado de Cook, IL"])
def test_a_county_resolves_to_its_centroid(text):
    place = resolve_place(text)
    assert place.kind == "county"
    assert place.label == "Cook County, IL"
    assert place.county == "Cook"
    assert place.state == "IL"
    assert place.timezone == "America/Chicago"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Kusilvak Census Area, AK", "Kusilvak Census Area, AK"),
        ("Wade Hampton, AK", "Kusilvak Census Area, AK"),
        ("Anchorage Municipality", "Anchorage Municipality, AK"),
        ("Shannon County, SD", "Oglala Lakota County, SD"),
        ("Orleans Parish", "Orleans Parish, LA"),
        ("Baltimore city, MD", "Baltimore city, MD"),
        ("Baltimore County, MD", "Baltimore County, MD"),
    ],
)
def test_renamed_counties_parishes_and_independent_cities_resolve(text, label):
    assert resolve_place(text).label == label


def test_an_address_with_a_zip_is_placed_at_the_zip_centroid_and_keeps_what_was_typed():
    place = resolve_place("123 Main St, Albany, NY 12207")
    assert place.kind == "address"
    assert place.label == "123 Main St, Albany, NY 12207"
    assert place.postal_code == "12207"
    assert place.state == "NY"
    assert (place.lat, place.lng) == (resolve_place("12207").lat, resolve_place("12207").lng)


def test_a_leading_house_number_is_not_mistaken_for_a_zip_code():
    # 12345 is a real ZIP (Schenectady, NY), but here it is a house number in Illinois.
    place = resolve_place("12345 Main St, Springfield, IL")
    assert place.kind == "address"
    assert place.state == "IL"
    assert place.postal_code is None


def test_an_address_with_a_city_but_no_zip_is_placed_at_the_city_offline():
    place = resolve_place("1 Main St, Springfield, IL")
    assert place.kind == "address"
    assert place.label == "1 Main St, Springfield, IL"
    assert (place.lat, place.lng) == (39.80172, -89.64371)


@pytest.mark.parametrize("text", ["40.75,-73.99", "40.75, -73.99", "40.75 -73.99", "+40.75,-73.99"])
def test_coordinates_resolve_with_the_state_county_and_zip_around_them(text):
    place = resolve_place(text)
    assert place.kind == "coordinates"
    assert (place.lat, place.lng) == (40.75, -73.99)
    assert place.state == "NY"
    assert place.county == "New York"
    assert place.timezone == "America/New_York"


@pytest.mark.parametrize(("text", "named"), [("91,-73", "Latitude"), ("40,-181", "Longitude")])
def test_out_of_range_coordinates_are_refused_naming_the_bad_one(text, named):
    with pytest.raises(PlaceNotFound, match=named):
        resolve_place(text)


def test_springfield_alone_is_ambiguous_and_suggests_the_biggest_springfields_first():
    with pytest.raises(AmbiguousPlace) as caught:
        resolve_place("Springfield")
    suggestions = caught.value.suggestions
    assert suggestions[:3] == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]
    assert 3 < len(suggestions) <= 10
    assert "Springfield" in caught.value.message
    # Every suggestion, clicked, resolves.
    assert all(resolve_place(s).kind == "city" for s in suggestions)


def test_a_city_far_bigger_than_its_namesakes_needs_no_state():
    assert resolve_place("Denver").label == "Denver, CO"


def test_a_county_name_shared_by_many_states_is_ambiguous():
    with pytest.raises(AmbiguousPlace) as caught:
        resolve_place("Washington County")
    assert "Washington County, AL" in caught.value.suggestions


@pytest.mark.parametrize("text", ["Sprngfield, IL", "Sprngfield"])
def test_a_misspelt_city_is_not_found_and_suggests_the_right_spelling(text):
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place(text)
    assert "Springfield, IL" in caught.value.suggestions


def test_a_misspelt_state_suggests_the_same_city_in_the_right_state():
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("Springfield, Ilinois")
    assert caught.value.suggestions == ["Springfield, IL"]


def test_an_unknown_zip_is_not_found_and_the_message_names_it():
    with pytest.raises(PlaceNotFound, match="00000"):
        resolve_place("00000")


def test_an_unknown_zip_suggests_real_zips_in_the_same_area():
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("10000")
    assert caught.value.suggestions
    assert all(code.startswith("100") for code in caught.value.suggestions)


@pytest.mark.parametrize("code", ["09001", "96201"])
def test_a_zip_without_a_location_is_treated_as_unknown(code):
    # Military ZIPs; zipcodes gives them 0,0, which would put the search in the Gulf of Guinea.
    with pytest.raises(PlaceNotFound, match=code):
        resolve_place(code)


def test_an_unknown_zip_inside_an_address_is_named_when_nothing_else_matches():
    with pytest.raises(PlaceNotFound, match="00000"):
        resolve_place("1 Main St, Nowhere, NY 00000")


@pytest.mark.parametrize("text", ["", "   ", ",", "USA"])
def test_empty_input_asks_for_a_place(text):
    with pytest.raises(PlaceNotFound, match="Enter a ZIP"):
        resolve_place(text)


def test_a_very_long_input_is_refused_as_too_long():
    text = "Springfield " * 500
    with pytest.raises(PlaceNotFound, match="too long"):
        resolve_place(text)


def test_input_over_the_limit_is_refused_by_its_length_before_it_is_read():
    # A real ZIP padded past the limit would resolve if it were cleaned and parsed first;
    # refusing it shows that no work is done on input over the limit.
    padded = "10001".ljust(MAX_PLACE_CHARS + 1)
    assert resolve_place(padded.strip()).postal_code == "10001"
    with pytest.raises(PlaceNotFound, match="too long"):
        resolve_place(padded)


def test_every_city_in_the_index_resolves_by_name_and_state():
    index = get_index()
    for city in {id(city): city for city in index.cities.values()}.values():
        if "," in city.name:
            continue  # three GeoNames entries such as "Olinda, CDP"
        place = resolve_place(f"{city.name}, {city.state}")
        assert (place.lat, place.lng) == (city.lat, city.lng), city


def test_every_county_resolves_by_its_label():
    for county in get_index().counties.values():
        place = resolve_place(county.label)
        # "Carson City, NV" is a consolidated city-county and resolves as the city: same place.
        assert (place.county, place.state) == (county.name, county.state)


def test_the_longest_accepted_input_is_still_answered():
    with pytest.raises(PlaceError):
        resolve_place("x" * MAX_PLACE_CHARS)


def test_every_place_error_is_a_value_error_whose_text_is_the_message():
    with pytest.raises(ValueError, match="00000") as caught:
        resolve_place("00000")
    assert str(caught.value) == caught.value.message

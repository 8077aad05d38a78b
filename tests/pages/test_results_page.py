"""The results page: cards near a ZIP, filters, the legality banner, and bad input."""

from __future__ import annotations

import html as html_module
import re
from datetime import date

import pytest

from directory.models import Source
from directory.search.presenters import distance_text
from tests.factories import (
    LegalityNoteFactory,
    LocationFactory,
    ServiceAreaFactory,
    ServiceFactory,
)

FAR_AWAY = {"latitude": 34.05, "longitude": -118.24, "timezone": "America/Los_Angeles"}


def strips_nearby(verified_on: date | None = None, **values):
    place = LocationFactory(name="Example Drop-in", assured_date=verified_on, **values)
    ServiceFactory(
        name="Test strip pickup",
        categories=["fentanyl_test_strips"],
        locations=[place],
        assured_date=verified_on,
    )
    return place


def text_of(page) -> str:
    """The page's HTML with entities decoded, so apostrophes read as typed."""
    return html_module.unescape(page.get_data(as_text=True))


def test_search_by_zip_lists_nearby_places_with_distance_and_matching_services(client):
    strips_nearby()
    LocationFactory(name="Far Away Clinic", **FAR_AWAY)
    page = client.get("/search?near=10001&radius=5")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Places near New York, NY 10001" in html
    assert "Example Drop-in" in html
    assert "Test strip pickup" in html
    assert re.search(r"\d\.\d mi", html)
    assert "Far Away Clinic" not in html
    assert "Hours unknown" in html


def test_category_filter_keeps_only_places_offering_it(client):
    strips_nearby()
    other = LocationFactory(name="Treatment Only")
    ServiceFactory(categories=["methadone"], locations=[other])
    html = client.get("/search?near=10001&service=fentanyl_test_strips").get_data(as_text=True)
    assert "Example Drop-in" in html
    assert "Treatment Only" not in html
    assert 'value="fentanyl_test_strips" id="service-fentanyl_test_strips" checked' in html


def test_old_listing_card_says_not_verified_since_with_its_source(client, session):
    source = Source(code="samhsa", name="SAMHSA locator", vintage="2021 extract")
    session.add(source)
    session.commit()
    strips_nearby(verified_on=date(2021, 5, 1), source=source)
    html = client.get("/search?near=10001").get_data(as_text=True)
    assert "Not verified since 2021 (SAMHSA locator, 2021 extract)" in html


def test_approximate_and_confidential_places_say_so_on_their_cards(client):
    strips_nearby(precision="approximate")
    shelter = LocationFactory(name="Private Shelter", confidential=True, latitude=40.76)
    ServiceFactory(categories=["peer_support"], locations=[shelter])
    html = client.get("/search?near=10001").get_data(as_text=True)
    assert "Approximate location — ZIP area" in html
    assert "Address kept private" in html
    assert html.count("1 Example St") == 1


def test_card_has_a_phone_link_and_a_directions_link_without_referrer(client):
    from directory.extensions import db
    from directory.models import Phone

    place = strips_nearby()
    place.phones.append(Phone(number="(212) 555-0101"))
    db.session.commit()
    html = client.get("/search?near=10001").get_data(as_text=True)
    assert 'href="tel:2125550101"' in html
    assert re.search(
        r'href="https://www.openstreetmap.org/directions\?[^"]+" rel="noreferrer"', html
    )


def test_legality_banner_shows_the_searched_topic_for_the_state_with_its_date(client):
    strips_nearby()
    LegalityNoteFactory(
        topic="fentanyl_test_strips",
        summary="Test strips are legal here.",
        law_as_of=date(2022, 11, 1),
    )
    LegalityNoteFactory(topic="naloxone", summary="Naloxone without a prescription.")
    html = client.get("/search?near=10001&service=fentanyl_test_strips").get_data(as_text=True)
    assert "Test strips and drug checking" in html
    assert "Test strips are legal here." in html
    assert "Law as of Nov 1, 2022" in html
    assert 'href="/states/NY"' in html
    assert "Naloxone without a prescription." not in html


def test_remote_services_are_listed_as_available_by_mail(client):
    strips_nearby()
    ServiceAreaFactory(
        service=ServiceFactory(name="Strips by mail", categories=["fentanyl_test_strips"]),
        extent_type="state",
        code="NY",
        reach="mail",
    )
    html = client.get("/search?near=10001&service=fentanyl_test_strips").get_data(as_text=True)
    assert "Available by mail, phone or online" in html
    assert "Strips by mail" in html


def test_results_are_paged_and_page_links_keep_the_search(client):
    for n in range(23):
        place = LocationFactory(name=f"Place {n:02d}", latitude=40.75 + n / 1000)
        ServiceFactory(categories=["naloxone"], locations=[place])
    first = client.get("/search?near=10001&service=naloxone").get_data(as_text=True)
    assert "— 23 places</span>" in first
    assert "Within 25 miles, nearest first" in first
    assert "Page 1 of 2" in first
    assert 'href="/search?near=10001&amp;page=2&amp;service=naloxone" rel="next"' in first
    second = client.get("/search?near=10001&service=naloxone&page=2").get_data(as_text=True)
    assert second.count('class="card"') == 3


def test_empty_results_suggest_a_wider_area_fewer_filters_and_the_hotlines(client):
    LocationFactory(name="Just outside", latitude=40.95)
    html = client.get("/search?near=10001&radius=5&open_now=1").get_data(as_text=True)
    assert "Nothing matched within 5 miles, nor within 250 miles." in html
    assert "radius=10" in html
    assert "Search again without filters" in html
    assert 'href="tel:211"' in html
    assert "988" in html
    assert "1-800-662-4357" in html
    assert "1-800-484-3731" in html


def test_an_empty_radius_shows_the_nearest_places_beyond_it_with_their_distance(client):
    # About 48 miles north of Midtown Manhattan.
    far = LocationFactory(name="Poughkeepsie-ish Drop-in", latitude=41.44, longitude=-73.99)
    ServiceFactory(name="Naloxone kits", categories=["naloxone"], locations=[far])
    page = text_of(client.get("/search?near=10001&service=naloxone"))
    assert "— 0 places</span>" in page
    assert "Nothing within 25 miles. The nearest place:" in page
    assert "Poughkeepsie-ish Drop-in" in page
    assert "48 mi" in page
    assert "Search a wider area" not in page  # the nearest are already shown


def test_an_empty_page_never_points_at_a_section_that_is_not_there(client):
    page = text_of(client.get("/search?near=10001&service=syringe_services"))
    assert "Available by mail, phone or online" not in page
    assert "services by mail, phone or online below" not in page
    ServiceAreaFactory(
        service=ServiceFactory(name="Supplies by mail", categories=["syringe_services"]),
        extent_type="state",
        code="NY",
        reach="mail",
    )
    page = text_of(client.get("/search?near=10001&service=syringe_services"))
    assert 'href="#remote-title">Look at the services by mail, phone or online below.' in page
    assert "Supplies by mail" in page


def test_an_empty_naloxone_search_says_it_is_sold_without_a_prescription(client):
    page = text_of(client.get("/search?near=10001&service=naloxone"))
    assert "sold without a prescription at most pharmacies" in page
    assert "call 211" in page
    other = text_of(client.get("/search?near=10001&service=peer_support"))
    assert "sold without a prescription" not in other


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("near=Sprngfield%2C+IL", "We couldn't find “Sprngfield, IL”. Did you mean"),
        ("near=Springfield", "There is more than one “Springfield”"),
        ("near=99999", "We couldn't find “99999”"),
        ("near=10001&radius=0", "Choose a distance between 1 and 250 miles."),
        ("near=10001&radius=abc", "Choose a distance between 1 and 250 miles."),
        ("near=10001&service=nonsense", "not known"),
        ("near=" + "x" * 5000, "We couldn't find"),
        ("lat=95&lng=0", "That location is not valid."),
    ],
)
def test_bad_input_re_renders_the_form_with_a_message(client, query, message):
    page = client.get(f"/search?{query}")
    html = text_of(page)
    assert page.status_code == 422
    assert message in html
    assert 'role="alert"' in html
    assert '<form class="filters"' in html


def test_a_misspelt_place_offers_its_suggestions_as_links(client):
    html = client.get("/search?near=Springfield&service=naloxone").get_data(as_text=True)
    assert 'href="/search?near=Springfield%2C+IL&amp;service=naloxone"' in html
    assert 'aria-describedby="near-hint near-error"' in html


def test_a_huge_query_string_is_answered_with_the_form_not_an_error(client):
    noise = "&".join(f"junk{n}={'y' * 40}" for n in range(120))
    page = client.get(f"/search?near=10001&{noise}")
    assert page.status_code == 200
    assert "Places near New York, NY 10001" in page.get_data(as_text=True)


def test_without_a_place_the_page_asks_for_one(client):
    page = client.get("/search?service=naloxone")
    assert page.status_code == 200
    assert "Enter a ZIP code, city or address" in page.get_data(as_text=True)


def test_searching_in_spanish_uses_spanish_labels_and_law_summaries(client):
    strips_nearby()
    LegalityNoteFactory(topic="fentanyl_test_strips", summary="Legal in English.")
    LegalityNoteFactory(topic="fentanyl_test_strips", locale="es", summary="Legal en español.")
    html = client.get("/search?near=10001&service=fentanyl_test_strips&lang=es").get_data(
        as_text=True
    )
    assert '<html lang="es">' in html
    assert "Tiras reactivas de fentanilo" in html
    assert "Legal en español." in html
    assert "Legal in English." not in html
    assert '<input type="hidden" name="lang" value="es">' in html


def test_searching_a_whole_state_lists_its_places_by_name(client):
    strips_nearby()
    html = client.get("/search?near=NY&lang=es").get_data(as_text=True)
    assert "Lugares en Nueva York" in html
    assert "Example Drop-in" in html


def test_a_search_is_never_kept_by_a_shared_cache(client):
    assert client.get("/search?near=10001").headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("miles", "lang", "shown"),
    [
        (0.25, "en", "0.2 mi"),  # halves go to the even digit, as Babel rounds
        (0.35, "en", "0.4 mi"),
        (9.96, "en", "10.0 mi"),  # under ten miles: tenths, even when they round up to ten
        (12.5, "en", "12 mi"),
        (1.25, "es", "1,2 mi"),
        (1234.0, "es", "1234 mi"),
    ],
)
def test_distances_are_shown_rounded_in_the_pages_language(app, miles, lang, shown):
    with app.test_request_context(f"/search?lang={lang}"):
        assert distance_text(miles) == shown


def test_a_text_only_line_opens_a_message_with_its_keyword_instead_of_dialling(client):
    from directory.extensions import db
    from directory.models import Phone

    line = ServiceFactory(name="Crisis Text Line", categories=["hotlines"])
    db.session.add_all(
        [
            Phone(service=line, number="741741", type="text", description="Text HOME"),
            Phone(service=line, number="1-800-555-0100", type="voice", description="Call"),
        ]
    )
    db.session.commit()
    ServiceAreaFactory(service=line, extent_type="nationwide", reach="text")
    page = text_of(client.get("/search?near=10001&service=hotlines"))
    assert '<a href="sms:741741?body=HOME">Text HOME to 741741</a>' in page
    assert 'href="tel:741741"' not in page


def test_one_mile_is_singular_in_the_form_and_the_count(client):
    page = text_of(client.get("/search?near=10001&radius=1"))
    assert '<option value="1" selected>1 mile</option>' in page
    assert "within 1 mile" in page
    assert "1 miles" not in page


def test_the_heading_says_what_where_and_how_many_and_the_form_folds_into_one_line(client):
    strips_nearby()
    page = text_of(
        client.get("/search?near=10001&service=fentanyl_test_strips&cost=free&open_now=1")
    )
    assert "<h1>Fentanyl test strips near New York, NY 10001" in page
    assert '<span class="heading-count"> — 0 places</span>' in page
    assert '<details class="search-summary">' in page  # folded: results come first
    assert "Fentanyl test strips · 25 miles · 2 more filters on" in page
    assert "Change search" in page
    unfolded = text_of(client.get("/search?near=10001&radius=0"))
    assert '<details class="search-summary" open>' in unfolded


def test_the_law_banner_shows_its_status_line_and_folds_the_rest_under_more(client):
    LegalityNoteFactory(state_code="NY", topic="fentanyl_test_strips", status="allowed")
    strips_nearby()
    page = text_of(client.get("/search?near=10001&service=fentanyl_test_strips"))
    banner = page[page.index('<details class="legality legality-compact') :]
    banner = banner[: banner.index("</details>")]
    summary = banner[banner.index("<summary") : banner.index("</summary>")]
    assert "Allowed" in summary
    assert "More" in summary
    assert "More about the law in this state" in banner


def test_a_located_search_keeps_its_coordinates_until_a_place_is_typed(client):
    strips_nearby()
    page = text_of(client.get("/search?lat=40.75&lng=-73.99&service=fentanyl_test_strips"))
    assert '<input type="hidden" name="lat" value="40.75">' in page
    assert '<input type="hidden" name="lng" value="-73.99">' in page
    assert "Searching near your location" in page
    assert 'id="use-location"' in page
    typed = text_of(client.get("/search?near=Albany%2C+NY&lat=40.75&lng=-73.99"))
    assert "Places near Albany, NY" in typed
    assert 'name="lat"' not in typed


def test_an_address_that_cannot_be_placed_says_the_distances_are_from_the_city_centre(client):
    page = text_of(client.get("/search?near=5000+Rainier+Ave+S%2C+Seattle%2C+WA"))
    assert "We couldn't find that exact address" in page
    assert "near the centre of Seattle, WA" in page
    exact_zip = text_of(client.get("/search?near=98101"))
    assert "We couldn't find that exact address" not in exact_zip


def test_filters_offer_only_what_some_listing_offers_and_keep_what_is_ticked(client):
    strips_nearby()
    page = text_of(client.get("/search?near=10001"))
    assert 'id="service-fentanyl_test_strips"' in page
    assert 'id="service-housing"' not in page  # no listing offers housing help
    assert 'id="cost-medicaid"' not in page
    ticked = text_of(client.get("/search?near=10001&service=housing"))
    assert 'id="service-housing" checked' in ticked


def test_in_spanish_a_service_named_after_its_category_reads_as_the_category(client):
    place = LocationFactory(name="Example Drop-in")
    ServiceFactory(name="Syringe services", categories=["syringe_services"], locations=[place])
    ServiceFactory(name="Harm Reduction Van", categories=["naloxone"], locations=[place])
    page = text_of(client.get("/search?near=10001&lang=es"))
    assert "<li>Servicios de jeringas</li>" in page
    assert "<li>Harm Reduction Van</li>" in page  # a listing's own name stays as it is
    english = text_of(client.get("/search?near=10001"))
    assert "<li>Syringe services</li>" in english


def test_the_home_form_sends_the_typed_place_with_the_need_tapped(client):
    home = text_of(client.get("/"))
    form = home[home.index('<form class="search-form"') : home.index("</form>")]
    assert '<select id="service" name="service">' in form
    assert '<button type="submit" name="service" value="naloxone" class="quick-link">' in form
    assert 'id="use-location"' in form
    # Tapping a need with no place typed keeps the need and asks for a place.
    page = text_of(client.get("/search?near=&service=naloxone"))
    assert "Looking for: Naloxone (Narcan)." in page
    assert "Enter a ZIP code, city or address" in page


def test_an_empty_syringe_search_says_the_list_is_incomplete_not_that_nothing_exists(client):
    page = text_of(client.get("/search?near=10001&service=syringe_services"))
    assert "Our list of these services is far from complete" in page
    ServiceAreaFactory(
        service=ServiceFactory(name="Syringe program directory", categories=["syringe_services"]),
        extent_type="nationwide",
        reach="online",
    )
    page = text_of(client.get("/search?near=10001&service=syringe_services"))
    assert "The national pointers below list programs we don't have." in page
    treatment = text_of(client.get("/search?near=10001&service=buprenorphine"))
    assert "far from complete" not in treatment

"""Filters are evaluated per service: a place matches through one service matching them all."""

from __future__ import annotations

from datetime import date, timedelta

from directory.geo import place_at
from directory.models import Organization
from directory.queries import SearchFilters, search
from tests.search.helpers import place, save, service

HERE = (40.75, -73.99)


def found(**filters) -> list[str]:
    result = search(SearchFilters(origin=place_at(*HERE), **filters))
    return [hit.location.name for hit in result.hits]


def shown_services(**filters) -> dict[str, list[str]]:
    result = search(SearchFilters(origin=place_at(*HERE), **filters))
    return {hit.location.name: [s.name for s in hit.services] for hit in result.hits}


def test_a_parent_category_finds_places_offering_its_children(app):
    save(
        place("Clinic", 40.76, -73.99, service("Bupe", codes=["buprenorphine"])),
        place("Drop-in", 40.77, -73.99, service("Kits", codes=["naloxone"])),
    )
    assert found(categories=("moud",)) == ["Clinic"]
    assert found(categories=("treatment",)) == ["Clinic"]


def test_categories_are_any_of_within_their_kind(app):
    save(
        place("Near", 40.751, -73.99, service("Kits", codes=["naloxone"])),
        place("Mid", 40.76, -73.99, service("Needles", codes=["syringe_services"])),
        place("Far", 40.77, -73.99, service("Housing help", codes=["housing"])),
    )
    assert found(categories=("naloxone", "syringe_services")) == ["Near", "Mid"]


def test_different_kinds_must_all_match_the_same_service(app):
    paid_naloxone = service("Paid kits", codes=["naloxone", "private_insurance"])
    free_testing = service("Free testing", codes=["hiv_testing", "free"])
    free_naloxone = service("Free kits", codes=["naloxone", "free"])
    save(
        place("Split across services", 40.751, -73.99, paid_naloxone, free_testing),
        place("One service has both", 40.76, -73.99, free_naloxone),
    )
    assert found(categories=("naloxone",), costs=("free",)) == ["One service has both"]


def test_a_card_shows_only_the_services_that_match(app):
    save(
        place(
            "Health center",
            40.751,
            -73.99,
            service("Kits", codes=["naloxone"]),
            service("Bupe", codes=["buprenorphine"]),
        )
    )
    assert shown_services(categories=("naloxone",)) == {"Health center": ["Kits"]}
    assert shown_services() == {"Health center": ["Bupe", "Kits"]}


def test_defunct_and_inactive_services_are_never_shown(app):
    save(
        place("Closed for good", 40.751, -73.99, service("Old", status="defunct")),
        place("Paused", 40.752, -73.99, service("Idle", status="inactive")),
        place(
            "Mixed",
            40.753,
            -73.99,
            service("Gone", status="defunct"),
            service("Here", status="active"),
        ),
    )
    assert shown_services() == {"Mixed": ["Here"]}


def test_temporarily_closed_services_are_shown_and_flagged(app):
    save(place("Renovating", 40.751, -73.99, service("Kits", status="temporarily_closed")))
    hit = search(SearchFilters(origin=place_at(*HERE))).hits[0]
    assert hit.temporarily_closed
    assert hit.services[0].status == "temporarily_closed"


def test_archived_places_and_services_are_never_shown(app):
    save(
        place("Archived place", 40.751, -73.99, archived=True),
        place("Archived service", 40.752, -73.99, service("Old kits", archived=True)),
        place("Open", 40.753, -73.99),
    )
    assert found() == ["Open"]


def test_verified_within_keeps_recently_checked_services_or_places(app):
    today = date.today()
    save(
        place("Checked last week", 40.751, -73.99, service("A", assured_date=today - timedelta(7))),
        place(
            "Checked long ago", 40.752, -73.99, service("B", assured_date=today - timedelta(400))
        ),
        place("Never checked", 40.753, -73.99, service("C")),
        place("Place checked", 40.754, -73.99, service("D"), assured_date=today - timedelta(3)),
    )
    assert found(verified_within=30) == ["Checked last week", "Place checked"]


def test_keywords_match_names_and_descriptions_of_place_service_and_organization(app):
    org = Organization(name="Bronx Harm Reduction Coalition")
    save(
        place("Storefront", 40.751, -73.99, service("Kits", description="Walk up, NO questions")),
        place("Van", 40.752, -73.99, service("Outreach van", organization=org)),
        place("Clinic", 40.753, -73.99, service("Primary care")),
    )
    assert found(q="no QUESTIONS") == ["Storefront"]
    assert found(q="bronx") == ["Van"]
    assert found(q="outreach coalition") == ["Van"]  # every keyword, anywhere
    assert found(q="100%") == []  # % is a character, not a wildcard


def test_language_matches_the_service_or_the_place(app):
    save(
        place("Service speaks Spanish", 40.751, -73.99, service("Kits", languages=["es"])),
        place("Staff speak Spanish", 40.752, -73.99, service("Kits 2"), languages=["es"]),
        place("English only", 40.753, -73.99, service("Kits 3", languages=["en"])),
    )
    assert found(languages=("es",)) == ["Service speaks Spanish", "Staff speak Spanish"]


def test_access_and_population_filters(app):
    save(
        place("Walk-in", 40.751, -73.99, service("A", codes=["naloxone", "walk_in", "youth"])),
        place("Appointment", 40.752, -73.99, service("B", codes=["naloxone", "adults"])),
    )
    assert found(access=("walk_in",)) == ["Walk-in"]
    assert found(populations=("adults",)) == ["Appointment"]


def test_a_place_without_any_visible_service_is_not_listed(app):
    save(place("Only defunct", 40.751, -73.99, service("Old", status="defunct")))
    assert found() == []

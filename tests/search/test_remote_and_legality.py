"""Services that reach people by mail, phone or online; and the state's law beside the results."""

from __future__ import annotations

from datetime import date

from directory.extensions import db
from directory.geo import resolve_place, zip_centroid
from directory.models import LegalityNote, ServiceArea
from directory.queries import SearchFilters, search
from tests.search.helpers import place, save, service


def remote(name: str, extent_type: str, code: str | None, codes=("naloxone",), reach="mail"):
    offered = service(name, codes=codes)
    offered.service_areas = [ServiceArea(extent_type=extent_type, code=code, reach=reach)]
    db.session.add(offered)
    return offered


def remote_names(filters: SearchFilters) -> list[tuple[str, str]]:
    return [(hit.service.name, hit.serves) for hit in search(filters).remote]


def test_remote_services_covering_the_origin_by_nation_state_county_or_zip(app):
    remote("Hotline", "nationwide", None, reach="phone")
    remote("NY by mail", "state", "NY")
    remote("Brooklyn mail", "county", "NY:Kings")
    remote("ZIP 11201 only", "postal_code", "11201")
    remote("NJ by mail", "state", "NJ")
    remote("Queens mail", "county", "NY:Queens")
    db.session.commit()
    found = remote_names(SearchFilters(origin=zip_centroid("11201")))
    # The most local first: the ZIP's own, the county's, the state's, then nationwide.
    assert found == [
        ("ZIP 11201 only", "11201"),
        ("Brooklyn mail", "NY:Kings"),
        ("NY by mail", "NY"),
        ("Hotline", "nationwide"),
    ]


def test_remote_services_are_not_mixed_into_the_places_nearby(app):
    remote("Hotline", "nationwide", None, reach="phone")
    save(place("Storefront", 40.69, -73.99))
    result = search(SearchFilters(origin=zip_centroid("11201")))
    assert [hit.location.name for hit in result.hits] == ["Storefront"]
    assert [hit.service.name for hit in result.remote] == ["Hotline"]


def test_remote_services_respect_the_category_filter(app):
    remote("Strips by mail", "state", "NY", codes=("fentanyl_test_strips",))
    remote("Naloxone by mail", "state", "NY", codes=("naloxone",))
    db.session.commit()
    filters = SearchFilters(origin=zip_centroid("10001"), categories=("drug_checking",))
    assert remote_names(filters) == [("Strips by mail", "NY")]


def test_a_state_search_gets_that_states_and_nationwide_remote_services(app):
    remote("NY by mail", "state", "NY")
    remote("Everywhere", "nationwide", None)
    remote("NJ by mail", "state", "NJ")
    db.session.commit()
    assert remote_names(SearchFilters(state="NY")) == [
        ("NY by mail", "NY"),
        ("Everywhere", "nationwide"),
    ]


def note(topic: str, locale: str = "en", state: str = "NY") -> LegalityNote:
    return LegalityNote(
        state_code=state,
        topic=topic,
        locale=locale,
        status="allowed",
        summary=f"{topic} in {locale}",
        source_name="Test",
        source_url="https://example.org",
        law_as_of=date(2024, 1, 1),
        reviewed_at=date(2026, 1, 1),
    )


def test_the_origins_state_law_comes_with_the_search_searched_topics_first(app):
    db.session.add_all(
        [note(t) for t in ("naloxone", "syringe_services", "fentanyl_test_strips")]
        + [note("naloxone", state="NJ")]
    )
    db.session.commit()
    result = search(
        SearchFilters(origin=zip_centroid("10001"), categories=("xylazine_test_strips",))
    )
    assert [n.topic for n in result.legality] == [
        "fentanyl_test_strips",
        "naloxone",
        "syringe_services",
    ]
    assert {n.state_code for n in result.legality} == {"NY"}


def test_legality_notes_are_in_the_request_language_falling_back_to_english(app):
    db.session.add_all([note("naloxone"), note("naloxone", "es"), note("syringe_services")])
    db.session.commit()
    result = search(SearchFilters(origin=resolve_place("Albany, NY")), locale="es")
    assert [(n.topic, n.locale) for n in result.legality] == [
        ("naloxone", "es"),
        ("syringe_services", "en"),
    ]


def test_a_search_in_a_state_without_notes_has_none(app):
    db.session.add(note("naloxone"))
    db.session.commit()
    assert search(SearchFilters(origin=zip_centroid("07102"))).legality == []

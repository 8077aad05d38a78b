"""Services that reach people by mail, phone or online; and the state's law beside the results."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select

from directory.extensions import db
from directory.geo import resolve_place, zip_centroid
from directory.models import Attribute, Language, LegalityNote, Service, ServiceArea
from directory.operations import listings
from directory.operations.listings import Actor
from directory.queries import SearchFilters, context, search, snapshot, taxonomy_index
from directory.queries.predicates import service_conditions
from directory.queries.search import remote_choices
from tests.search.helpers import place, save, service, term


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


# --- The index keeps the notes: an edit is on the next search ---------------------------------


def legality_summaries() -> list[str]:
    return [n.summary for n in search(SearchFilters(origin=zip_centroid("10001"))).legality]


def test_an_edited_added_or_deleted_legality_note_is_on_the_next_search(app):
    edited, deleted = note("naloxone"), note("syringe_services")
    db.session.add_all([edited, deleted])
    db.session.commit()
    assert legality_summaries() == ["naloxone in en", "syringe_services in en"]

    listings.update_legality_note(db.session, edited, {"summary": "Edited."}, Actor.system())
    db.session.commit()
    assert legality_summaries() == ["Edited.", "syringe_services in en"]

    db.session.delete(deleted)
    db.session.add(note("fentanyl_test_strips"))
    db.session.commit()
    assert legality_summaries() == ["Edited.", "fentanyl_test_strips in en"]


def test_a_note_replaced_by_one_with_an_older_timestamp_is_on_the_next_search(app):
    # The notes' count and newest modification stay as they were: only the change log, in
    # commit order, tells that they changed.
    old = note("naloxone")
    db.session.add_all([old, note("syringe_services")])
    db.session.commit()
    assert legality_summaries() == ["naloxone in en", "syringe_services in en"]
    newest = db.session.scalar(select(func.max(LegalityNote.last_modified)))

    db.session.delete(old)
    replacement = note("fentanyl_test_strips")
    replacement.last_modified = newest - timedelta(days=30)
    db.session.add(replacement)
    db.session.commit()

    assert db.session.scalar(select(func.max(LegalityNote.last_modified))) == newest
    assert legality_summaries() == ["fentanyl_test_strips in en", "syringe_services in en"]


# --- Remote services come from the search index; SQL is the reference -------------------------


def remote_by_sql(filters: SearchFilters) -> list[tuple]:
    """The reference: the service areas covering the origin of services matching every filter,
    all checked in SQL, chosen as the search chooses."""
    taxonomy = taxonomy_index(db.session)
    today = datetime.now(UTC).date()
    covering = [ServiceArea.extent_type == "nationwide"] + [
        (ServiceArea.extent_type == extent) & (ServiceArea.code == code)
        for extent, code in context.covered_codes(filters)
    ]
    areas = db.session.execute(
        select(
            ServiceArea.service_id,
            ServiceArea.extent_type,
            ServiceArea.code,
            ServiceArea.reach,
            Service.name,
        )
        .join(Service, Service.id == ServiceArea.service_id)
        .where(or_(*covering), *service_conditions(filters, taxonomy, today, at_location=False))
    ).all()
    return context.choose(areas)


def remote_by_index(filters: SearchFilters) -> list[tuple]:
    today = datetime.now(UTC).date()
    return remote_choices(db.session, snapshot(db.session), filters, today)


def test_the_index_picks_the_same_remote_services_as_sql_for_every_filter(app):
    remote("Hotline", "nationwide", None, reach="phone")
    remote("NY strips", "state", "NY", codes=("fentanyl_test_strips", "free"))
    spanish = remote("Brooklyn en español", "county", "NY:Kings", codes=("naloxone", "free"))
    spanish.languages = [Language(code="es", name="Spanish")]
    spanish.assured_date = date.today()
    remote("ZIP only", "postal_code", "11201", codes=("buprenorphine",))
    remote("Closed", "state", "NY").status = "defunct"
    remote("Gone", "nationwide", None).archived_at = datetime.now(UTC)
    both = remote("Two areas", "state", "NY")
    both.service_areas.append(ServiceArea(extent_type="county", code="NY:Kings", reach="online"))
    db.session.commit()
    origins = [zip_centroid("11201"), zip_centroid("10001"), zip_centroid("07302"), None]
    variants = [
        {},
        {"categories": ("naloxone",)},
        {"categories": ("moud",)},
        {"categories": ("drug_checking",), "costs": ("free",)},
        {"languages": ("es",)},
        {"verified_within": 30},
        {"state": "NY"},
        # Keywords: SQL checks them on what the index found, in a name or an organization's.
        {"q": "español"},
        {"q": "STRIPS"},
        {"q": "areas organization"},
        {"q": "two nowhere"},
        {"q": "100%_"},
        {"q": "hotline", "categories": ("naloxone",)},
    ]
    for origin in origins:
        for variant in variants:
            filters = SearchFilters(origin=origin, **variant)
            assert remote_by_index(filters) == remote_by_sql(filters), (origin, variant)
    # And the answers are the expected ones, not merely the same.
    brooklyn = SearchFilters(origin=zip_centroid("11201"))
    assert remote_names(brooklyn) == [
        ("ZIP only", "11201"),
        ("Brooklyn en español", "NY:Kings"),
        ("Two areas", "NY:Kings"),
        ("NY strips", "NY"),
        ("Hotline", "nationwide"),
    ]


def test_a_remote_service_changed_after_the_first_search_is_seen_by_the_next(app):
    strips = remote("Strips by mail", "state", "NJ", codes=("fentanyl_test_strips",))
    db.session.commit()
    newark = SearchFilters(origin=zip_centroid("07102"))
    brooklyn = SearchFilters(origin=zip_centroid("11201"))
    assert remote_names(newark) == [("Strips by mail", "NJ")]
    assert remote_names(brooklyn) == []

    strips.service_areas.append(ServiceArea(extent_type="state", code="NY", reach="mail"))
    db.session.commit()
    assert remote_names(brooklyn) == [("Strips by mail", "NY")]

    strips.attributes.append(Attribute(taxonomy_term=term("naloxone")))
    db.session.commit()
    assert remote_names(replace(brooklyn, categories=("naloxone",))) == [("Strips by mail", "NY")]

    strips.name = "Strips and naloxone by mail"
    db.session.commit()
    assert remote_names(brooklyn) == [("Strips and naloxone by mail", "NY")]

    strips.status = "inactive"
    db.session.commit()
    assert remote_names(newark) == remote_names(brooklyn) == []

"""The state page: what the law says there, remote services reaching it, places by category."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from directory.extensions import db
from directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search.presenters import LEGALITY_TOPIC_LABELS
from tests.factories import (
    LegalityNoteFactory,
    LocationFactory,
    ServiceAreaFactory,
    ServiceFactory,
)


def test_state_page_lists_every_legality_note_with_its_date_and_source(client):
    LegalityNoteFactory(
        topic="naloxone", law_as_of=date.today().replace(year=date.today().year - 1)
    )
    LegalityNoteFactory(
        topic="syringe_services",
        summary="Syringe programs must register.",
        law_as_of=date(2019, 1, 1),
    )
    html = client.get("/states/NY").get_data(as_text=True)
    assert "Harm reduction in New York" in html
    assert "You can get naloxone without a prescription." in html
    assert "Syringe programs must register." in html
    assert "N.Y. Pub. Health Law § 3309" in html
    assert 'href="https://example.org/law" rel="noreferrer"' in html
    assert html.count("more than two years ago") == 1


def test_state_page_in_spanish_shows_the_spanish_summary(client):
    LegalityNoteFactory(topic="naloxone")
    LegalityNoteFactory(
        topic="naloxone", locale="es", summary="Puede conseguir naloxona sin receta."
    )
    html = client.get("/states/ny?lang=es").get_data(as_text=True)
    assert "Nueva York" in html
    assert "Puede conseguir naloxona sin receta." in html
    assert "without a prescription" not in html


def test_state_page_lists_remote_services_and_counts_places_by_category(client):
    ServiceAreaFactory(
        service=ServiceFactory(name="Test strips by mail"),
        extent_type="state",
        code="NY",
        reach="mail",
    )
    ServiceAreaFactory(service=ServiceFactory(name="Only in Ohio"), extent_type="state", code="OH")
    place = LocationFactory()
    ServiceFactory(categories=["buprenorphine"], locations=[place])
    ServiceFactory(categories=["methadone", "naloxone"], locations=[place])
    html = client.get("/states/NY").get_data(as_text=True)
    assert "Test strips by mail" in html
    assert "Available by mail" in html
    assert "Only in Ohio" not in html
    assert "Substance use treatment</a>: 1" in html
    assert "Naloxone (Narcan)</a>: 1" in html


def test_state_page_counts_the_places_a_search_of_the_state_finds(client):
    ServiceFactory(categories=["naloxone"], locations=[LocationFactory(name="Drop-in")])
    ServiceFactory(categories=["naloxone"], locations=[LocationFactory(location_type="postal")])
    ServiceFactory(
        categories=["naloxone"], locations=[LocationFactory(archived_at=datetime.now(UTC))]
    )
    ServiceFactory(categories=["naloxone"], status="defunct", locations=[LocationFactory()])
    found = client.get("/api/v1/search?state=NY&service=naloxone").get_json()
    assert [hit["location"]["name"] for hit in found["results"]] == ["Drop-in"]
    html = client.get("/states/NY").get_data(as_text=True)
    assert "Naloxone (Narcan)</a>: 1" in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_state_page_its_api_record_and_a_search_list_the_law_in_one_order(
    app, client, language
):
    topics = ("treatment_access", "drug_possession", "good_samaritan", "naloxone")
    for topic in topics:
        LegalityNoteFactory(topic=topic)
    LegalityNoteFactory(topic="drug_possession", locale="es", summary="Posesión de drogas.")
    headers = {"Accept-Language": language}

    search = client.get("/api/v1/search?state=NY", headers=headers).get_json()["legality"]
    record = client.get("/api/v1/states/NY", headers=headers).get_json()["legality_notes"]
    page = client.get("/states/NY", headers=headers).get_data(as_text=True)
    with app.test_request_context(headers=headers):
        headings = {topic: f"<strong>{LEGALITY_TOPIC_LABELS[topic]}" for topic in topics}

    # Each topic once, in the fixed order of topics (not alphabetical, not as stored).
    in_order = ["naloxone", "good_samaritan", "drug_possession", "treatment_access"]
    assert [note["topic"] for note in search] == in_order
    assert [note["topic"] for note in record] == in_order
    assert sorted(topics, key=lambda topic: page.index(headings[topic])) == in_order
    spanish = language == "es"
    assert ("Posesión de drogas." in page) is spanish
    assert [note["summary"] == "Posesión de drogas." for note in search] == [
        False,
        False,
        spanish,
        False,
    ]
    assert record == search


def test_unknown_state_is_not_found(client):
    assert client.get("/states/ZZ").status_code == 404
    assert client.get("/states/NEWYORK").status_code == 404


def _places_in(state: str, count: int, city: str) -> None:
    """``count`` places in ``state``, each with a naloxone service, written in one commit."""
    naloxone = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "naloxone"))
    organization = Organization(name=f"Programs of {city}")
    for n in range(count):
        place = Location(
            organization=organization,
            name=f"{city} site {n}",
            latitude=40.0,
            longitude=-82.9,
            timezone="America/New_York",
            address=Address(
                address_1=f"{n} Main St", city=city, state_province=state, postal_code="43215"
            ),
        )
        service = Service(organization=organization, name=f"{city} naloxone {n}")
        service.attributes.append(Attribute(taxonomy_term=naloxone))
        service.location_links.append(ServiceAtLocation(location=place))
        db.session.add(service)
    db.session.commit()


def _database_work(client, url: str) -> int:
    """SQLite virtual-machine steps that the statements ``url`` runs take, replayed one by one
    on a connection of their own: a measure of rows read that no clock noise disturbs."""
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw = sqlite3.connect(db.engine.url.database)
    try:
        raw.set_progress_handler(count, 100)
        for statement, parameters in statements:
            raw.execute(statement, parameters).fetchall()
    finally:
        raw.close()
    return steps


@pytest.mark.skipif(
    os.environ.get("DIRECTORY_TEST_DB") == "postgresql",
    reason="counts SQLite's virtual-machine steps; PostgreSQL plans with statistics",
)
def test_state_page_reads_the_states_own_places_however_many_the_country_has(client):
    _places_in("NY", 3, "Albany")
    _places_in("OH", 3, "Columbus")
    small_country = _database_work(client, "/states/NY")
    _places_in("OH", 300, "Cleveland")
    large_country = _database_work(client, "/states/NY")
    # Reading every service for each of the state's places made /states/NY take 142 s on the
    # national data: the page's work must not grow with the places of other states.
    assert large_country < small_country * 1.5, (small_country, large_country)


def test_state_page_lists_the_sources_each_note_was_checked_against_and_its_review_date(client):
    LegalityNoteFactory(
        topic="treatment_access",
        summary="Any prescriber with a DEA registration can prescribe buprenorphine.",
        reviewed_at=date(2026, 12, 3),
        sources_checked=[
            {"url": "https://example.org/dea-faq", "note": "DEA Q&A on the X-waiver, 2023"},
            {"url": None, "note": "State medical board, by phone"},
            {"url": "javascript:alert(1)", "note": "A stored address that is not a web page"},
        ],
    )
    LegalityNoteFactory(topic="naloxone", reviewed_at=date(2026, 11, 24))
    html = client.get("/states/NY").get_data(as_text=True)
    assert "Getting buprenorphine or methadone" in html
    assert "Last reviewed Dec 3, 2026 · 3 sources checked" in html
    link = '<a href="https://example.org/dea-faq" rel="noreferrer">'
    assert link + "DEA Q&amp;A on the X-waiver, 2023</a>" in html
    assert "<li>State medical board, by phone</li>" in html
    assert "javascript:" not in html
    assert "<li>A stored address that is not a web page</li>" in html
    # A note no review has reached yet shows its date and no empty list.
    assert "Last reviewed Nov 24, 2026</p>" in html
    assert html.count("<details>") == 1

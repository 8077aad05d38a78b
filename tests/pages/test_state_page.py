"""The state page: what the law says there, remote services reaching it, places by category."""

from __future__ import annotations

from datetime import date

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


def test_unknown_state_is_not_found(client):
    assert client.get("/states/ZZ").status_code == 404
    assert client.get("/states/NEWYORK").status_code == 404

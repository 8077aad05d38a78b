"""Treatment and MOUD searches lead with the state's note on getting buprenorphine or methadone."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import LegalityNoteFactory, LocationFactory, ServiceFactory

TREATMENT_SEARCHES = (
    "treatment",
    "moud",
    "buprenorphine",
    "methadone",
    "naltrexone",
    "outpatient_treatment",
    "residential_treatment",
    "withdrawal_management",
)


@pytest.fixture
def new_york_notes():
    """A clinic near 10001 offering every kind of treatment, and three of New York's notes."""
    clinic = LocationFactory(name="Chelsea Recovery Clinic")
    ServiceFactory(name="Treatment", categories=list(TREATMENT_SEARCHES), locations=[clinic])
    LegalityNoteFactory(topic="naloxone", summary="Naloxone without a prescription.")
    LegalityNoteFactory(topic="fentanyl_test_strips", summary="Test strips are legal here.")
    LegalityNoteFactory(
        topic="treatment_access",
        summary="Any prescriber with a DEA registration can prescribe buprenorphine.",
        law_as_of=date(2026, 1, 15),
        reviewed_at=date(2026, 12, 3),
    )


@pytest.mark.parametrize("service", TREATMENT_SEARCHES)
def test_a_treatment_search_in_the_api_lists_the_treatment_access_note_first(
    client, new_york_notes, service
):
    body = client.get(f"/api/v1/search?near=10001&service={service}").get_json()
    assert body["results"], service
    topics = [note["topic"] for note in body["legality"]]
    assert topics[0] == "treatment_access", (service, topics)
    first = body["legality"][0]
    assert first["law_as_of"] == "2026-01-15"
    assert first["reviewed_at"] == "2026-12-03"


def test_a_naloxone_search_still_leads_with_the_naloxone_note(client, new_york_notes):
    ServiceFactory(
        name="Naloxone", categories=["naloxone"], locations=[LocationFactory(name="Drop-in")]
    )
    body = client.get("/api/v1/search?near=10001&service=naloxone").get_json()
    assert body["legality"][0]["topic"] == "naloxone"


@pytest.mark.parametrize("service", ["buprenorphine", "methadone", "residential_treatment"])
def test_a_treatment_search_page_shows_the_treatment_access_banner(client, new_york_notes, service):
    html = client.get(f"/search?near=10001&service={service}").get_data(as_text=True)
    assert "Getting buprenorphine or methadone" in html
    assert "Any prescriber with a DEA registration can prescribe buprenorphine." in html
    assert "Naloxone without a prescription." not in html


def test_the_treatment_banner_reads_in_spanish(client, new_york_notes):
    LegalityNoteFactory(
        topic="treatment_access",
        locale="es",
        summary="Cualquier profesional con registro de la DEA puede recetar buprenorfina.",
    )
    html = client.get("/search?near=10001&service=methadone&lang=es").get_data(as_text=True)
    assert "Cualquier profesional con registro de la DEA puede recetar buprenorfina." in html

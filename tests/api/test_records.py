"""Full records, change history, taxonomy and states under /api/v1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from directory import create_app
from directory.extensions import db
from directory.models import CostOption, Phone, Source, TaxonomyTerm
from directory.operations import Actor, apply_changes, record_creation
from tests.factories import (
    LegalityNoteFactory,
    LocationFactory,
    OrganizationFactory,
    ServiceFactory,
)


@pytest.fixture
def place(app):
    source = Source(code="samhsa-2021", name="SAMHSA locator", vintage="2021 extract")
    organization = OrganizationFactory(name="Harbor Harm Reduction", source=source)
    location = LocationFactory(organization=organization, name="Harbor drop-in", source=source)
    location.phones.append(Phone(number="212-555-0100"))
    shown = ServiceFactory(
        organization=organization,
        name="Naloxone kits",
        categories=["naloxone", "free", "walk_in"],
        locations=[location],
    )
    shown.cost_options.append(CostOption(option="Kit", amount=0))
    ServiceFactory(
        organization=organization, name="Old clinic", status="defunct", locations=[location]
    )
    db.session.commit()
    return location, shown


def test_location_record_has_address_contacts_services_and_source(client, place):
    location, _ = place
    response = client.get(f"/api/v1/locations/{location.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["address"]["postal_code"] == "10001"
    assert body["phones"][0]["number"] == "212-555-0100"
    assert body["organization"]["name"] == "Harbor Harm Reduction"
    assert body["source"]["name"] == "SAMHSA locator"
    assert [s["name"] for s in body["services"]] == ["Naloxone kits"]
    assert body["services"][0]["categories"] == ["naloxone"]
    assert body["services"][0]["cost"] == ["free"]
    assert body["precision"] == "exact"


def test_confidential_location_shows_only_its_front_door(client, place):
    location, _ = place
    location.confidential = True
    location.front_door = "Call 212-555-0100 and we will meet you."
    db.session.commit()
    body = client.get(f"/api/v1/locations/{location.id}").get_json()
    assert body["address"] is None
    assert body["latitude"] is None
    assert body["front_door"] == "Call 212-555-0100 and we will meet you."


def test_service_and_organization_records(client, place):
    location, service = place
    body = client.get(f"/api/v1/services/{service.id}").get_json()
    assert body["name"] == "Naloxone kits"
    assert body["access"] == ["walk_in"]
    assert body["cost_options"][0]["amount"] == 0
    assert [loc["id"] for loc in body["locations"]] == [str(location.id)]
    organization = client.get(f"/api/v1/organizations/{location.organization_id}").get_json()
    assert [s["name"] for s in organization["services"]] == ["Naloxone kits"]
    assert [loc["name"] for loc in organization["locations"]] == ["Harbor drop-in"]


@pytest.mark.parametrize("kind", ["locations", "services", "organizations"])
def test_malformed_and_unknown_ids_are_json_404s(client, kind):
    for record_id in ("123", "99999999999999999999999999", "3fa85f64-5717-4562-b3fc-2c963f66afa6"):
        response = client.get(f"/api/v1/{kind}/{record_id}")
        assert response.status_code == 404
        assert response.get_json()["code"] == 404


def test_archived_records_answer_404(client, place):
    location, service = place
    location.archived_at = service.archived_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(f"/api/v1/locations/{location.id}").status_code == 404
    assert client.get(f"/api/v1/services/{service.id}").status_code == 404


def test_records_carry_an_etag_and_answer_304_until_they_change(client, place):
    location, _ = place
    url = f"/api/v1/locations/{location.id}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    location.name = "Harbor drop-in center"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_revisions_list_who_changed_what_newest_first_with_page_links(client, place):
    location, _ = place
    editor = Actor("user", "editor@example.org")
    record_creation(db.session, location, Actor("source", "SAMHSA locator"))
    for name in ("Harbor one", "Harbor two", "Harbor three"):
        apply_changes(db.session, location, {"name": name}, editor)
    db.session.commit()
    response = client.get(f"/api/v1/locations/{location.id}/revisions?per_page=2")
    body = response.get_json()
    assert body["pagination"] == {"total": 4, "total_pages": 2, "page": 1, "per_page": 2}
    newest = body["revisions"][0]
    # The public history names no person: an editor without an organization is the directory.
    assert newest["actor_label"] == "the directory"
    assert {"field": "name", "old": "Harbor two", "new": "Harbor three"} in newest["changes"]
    assert 'rel="next"' in response.headers["Link"]
    assert "page=2" in response.headers["Link"]
    last = client.get(f"/api/v1/locations/{location.id}/revisions?per_page=2&page=2").get_json()
    assert last["revisions"][-1]["action"] == "create"


def test_service_revisions_and_bad_paging_input(client, place):
    _, service = place
    apply_changes(db.session, service, {"status": "temporarily_closed"}, Actor.system())
    db.session.commit()
    body = client.get(f"/api/v1/services/{service.id}/revisions").get_json()
    assert body["revisions"][0]["changes"] == [
        {"field": "status", "old": "active", "new": "temporarily_closed"}
    ]
    bad = client.get(f"/api/v1/services/{service.id}/revisions?per_page=1000")
    assert bad.status_code == 422
    assert "per_page" in bad.get_json()["errors"]


def test_taxonomy_lists_every_term_with_code_kind_names_and_parent(client):
    terms = client.get("/api/v1/taxonomy").get_json()["terms"]
    assert len(terms) == db.session.scalar(select(func.count(TaxonomyTerm.id)))
    buprenorphine = next(term for term in terms if term["code"] == "buprenorphine")
    assert buprenorphine["parent"] == "moud"
    assert buprenorphine["kind"] == "category"
    assert buprenorphine["name_es"]


@pytest.fixture
def new_york_notes(app):
    LegalityNoteFactory(state_code="NY", topic="naloxone", locale="en", summary="English.")
    LegalityNoteFactory(state_code="NY", topic="naloxone", locale="es", summary="Español.")
    LegalityNoteFactory(state_code="NY", topic="syringe_services", locale="en", summary="Only en.")


def test_state_has_its_legality_notes_in_english_by_default(client, new_york_notes):
    english = client.get("/api/v1/states/NY").get_json()
    assert (english["code"], english["name"], english["fips"]) == ("NY", "New York", "36")
    assert [n["summary"] for n in english["legality_notes"]] == ["English.", "Only en."]
    assert set(english["legality_notes"][0]) == {
        "topic",
        "status",
        "summary",
        "citation",
        "source_name",
        "source_url",
        "law_as_of",
        "reviewed_at",
    }


# Each language is asked in its own test: the test client shares one app context per test, and
# Flask-Babel keeps the first request's locale in it.
def test_state_answers_in_spanish_when_the_browser_asks_for_it(client, new_york_notes):
    spanish = client.get("/api/v1/states/ny", headers={"Accept-Language": "es"}).get_json()
    assert spanish["name"] == "Nueva York"
    assert [n["summary"] for n in spanish["legality_notes"]] == ["Español.", "Only en."]


def test_state_answers_in_spanish_with_lang_es(client, new_york_notes):
    by_arg = client.get("/api/v1/states/NY?lang=es").get_json()
    assert by_arg["legality_notes"][0]["summary"] == "Español."


def test_states_list_and_unknown_state(client):
    states = client.get("/api/v1/states").get_json()["states"]
    assert len(states) == 52
    missing = client.get("/api/v1/states/ZZ")
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "No such state."


def test_cors_preflight_is_open_without_credentials(client):
    response = client.options(
        "/api/v1/taxonomy",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://app.example")
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/taxonomy", "/hsds/taxonomies"])
def test_too_many_requests_is_a_json_429_with_retry_after(app, database_url, path):
    # The shared ``app`` has created the tables; this one has rate limits switched on.
    limited = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "API_RATE_LIMIT": "2 per minute",
        }
    )
    client = limited.test_client()
    try:
        statuses = [client.get(path).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        response = client.get(path)
        assert response.status_code == 429
        assert response.get_json()["code"] == 429
        assert int(response.headers["Retry-After"]) > 0
    finally:
        with limited.app_context():
            db.engine.dispose()

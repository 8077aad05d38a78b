"""Partners keep their listings current in the portal: forms, hours, confirmation, history."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import ApiKey, Location, Revision, Service
from directory.operations import listings
from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.partners.helpers import csrf_token, log_in, version_fields

CLOSED_WEEK = {f"hours-{day}-mode": "closed" for day in range(7)}
ADDRESS = {
    "address_1": "350 5th Ave",
    "city": "New York",
    "state": "NY",
    "postal_code": "10118",
}


@pytest.fixture
def editor(client, world):
    log_in(client, world.editor_a.email)
    return client


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)})


def revisions_of(entity) -> list[Revision]:
    db.session.expire_all()
    return listings.history(db.session, entity)


def test_the_dashboard_says_how_long_each_listing_has_gone_unconfirmed(editor, world):
    LocationFactory(
        organization=world.org_a,
        name="Stale place",
        assured_date=date.today() - timedelta(days=120),
    )
    LocationFactory(organization=world.org_b, name="Someone else's place")
    page = editor.get("/partners/").get_data(as_text=True)
    assert "Stale place" in page
    assert "not confirmed for 120 days" in page
    assert "Someone else" not in page


def test_adding_a_location_with_only_an_address_places_it_at_the_zip_centre(editor, world):
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/locations/new",
        {"name": "Midtown", **ADDRESS, **CLOSED_WEEK},
    )
    assert response.status_code == 302
    location = db.session.scalar(select(Location).where(Location.name == "Midtown"))
    assert location.precision == "approximate"
    assert location.timezone == "America/New_York"
    assert location.address.postal_code == "10118"
    assert [r.action for r in revisions_of(location)] == ["create"]
    assert revisions_of(location)[0].actor_label == world.editor_a.email


def test_the_position_preview_shows_where_the_address_will_be_placed_without_saving(editor, world):
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/locations/new",
        {"name": "Midtown", **ADDRESS, **CLOSED_WEEK, "preview": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Will be placed at" in page
    assert "America/New_York" in page
    assert db.session.scalar(select(Location.id)) is None


def test_validation_messages_name_the_field(editor, world):
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/locations/new",
        {"name": "", "address_1": "1 Main St", **CLOSED_WEEK, "hours-0-mode": "open"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in page
    assert 'id="city-error"' in page
    assert "Give the opening and closing times." in page


def test_an_unknown_zip_asks_for_coordinates_next_to_the_zip_field(editor, world):
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/locations/new",
        {"name": "Nowhere", **ADDRESS, "postal_code": "00000", **CLOSED_WEEK},
    )
    assert 'id="postal_code-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Location.id)) is None


def test_weekly_hours_take_overnight_and_24_hour_days(editor, world):
    location = LocationFactory(organization=world.org_a)
    data = {"name": location.name, **ADDRESS, **CLOSED_WEEK}
    data.update({"hours-0-mode": "open", "hours-0-opens_at": "09:00", "hours-0-closes_at": "17:00"})
    data.update({"hours-1-mode": "open", "hours-1-opens_at": "09:00", "hours-1-closes_at": "17:00"})
    data.update({"hours-4-mode": "open", "hours-4-opens_at": "22:00", "hours-4-closes_at": "06:00"})
    data.update({"hours-6-mode": "24h"})
    data.update(version_fields(editor, f"/partners/locations/{location.id}"))
    assert post(editor, f"/partners/locations/{location.id}", data).status_code == 302
    db.session.expire_all()
    spans = sorted(
        (s.byday, s.opens_at, s.closes_at) for s in db.session.get(Location, location.id).schedules
    )
    assert spans == [
        ("FR", time(22), time(6)),
        ("MO,TU", time(9), time(17)),
        ("SU", time(0), time(0)),
    ]
    form = editor.get(f"/partners/locations/{location.id}").get_data(as_text=True)
    assert 'value="22:00"' in form


def test_still_accurate_sets_today_and_is_recorded_as_a_confirmation(editor, world):
    location = LocationFactory(organization=world.org_a, assured_date=date(2025, 1, 1))
    assert post(editor, f"/partners/locations/{location.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, location.id).assured_date == listings.utc_today()
    confirmation = revisions_of(location)[0]
    assert confirmation.action == "confirm"
    assert confirmation.changes == {
        "assured_date": ["2025-01-01", listings.utc_today().isoformat()]
    }


def test_a_service_can_be_marked_temporarily_closed_and_reopened(editor, world):
    service = ServiceFactory(organization=world.org_a, categories=["naloxone"])
    post(editor, f"/partners/services/{service.id}/close")
    db.session.expire_all()
    assert db.session.get(Service, service.id).status == "temporarily_closed"
    post(editor, f"/partners/services/{service.id}/reopen")
    db.session.expire_all()
    assert db.session.get(Service, service.id).status == "active"
    assert [r.changes["status"][1] for r in revisions_of(service)] == [
        "active",
        "temporarily_closed",
    ]


def test_archiving_keeps_the_listing_and_it_can_be_restored(editor, world):
    location = LocationFactory(organization=world.org_a)
    post(editor, f"/partners/locations/{location.id}/archive")
    db.session.expire_all()
    assert db.session.get(Location, location.id).archived_at is not None
    post(editor, f"/partners/locations/{location.id}/unarchive")
    db.session.expire_all()
    assert db.session.get(Location, location.id).archived_at is None
    assert [r.action for r in revisions_of(location)] == ["restore", "archive"]


def test_a_service_form_saves_categories_locations_and_service_areas(editor, world):
    location = LocationFactory(organization=world.org_a)
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/services/new",
        {
            "name": "Test strips by mail",
            "status": "active",
            "categories": ["fentanyl_test_strips"],
            "cost": ["free"],
            "location_ids": [str(location.id)],
            "service_areas": "mail NY\nphone nationwide",
            "languages": "en, es",
            "phones": "212-555-0100 hotline",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    service = db.session.scalar(select(Service).where(Service.name == "Test strips by mail"))
    doc = listings.document(service)
    assert doc["categories"] == ["fentanyl_test_strips", "free"]
    assert doc["location_ids"] == [str(location.id)]
    assert doc["service_areas"] == [
        {"extent_type": "state", "code": "NY", "reach": "mail"},
        {"extent_type": "nationwide", "code": None, "reach": "phone"},
    ]
    assert doc["languages"] == ["en", "es"]
    assert doc["phones"][0]["type"] == "hotline"


def test_every_listing_shows_its_history(editor, world):
    location = LocationFactory(organization=world.org_a)
    listings.update_location(
        db.session, location, {"description": "Open to all"}, listings.Actor.system("import")
    )
    db.session.commit()
    page = editor.get(f"/partners/locations/{location.id}/history").get_data(as_text=True)
    assert "Open to all" in page
    assert "import" in page


def test_restoring_a_revision_brings_back_the_exact_earlier_values(editor, world):
    location = LocationFactory(organization=world.org_a, name="Original", description="first words")
    ScheduleFactory(location=location, byday="MO", opens_at=time(9), closes_at=time(12))
    actor = listings.Actor.system()
    listings.confirm(db.session, location, actor, today=date(2026, 1, 2))
    db.session.commit()
    earlier = listings.document(location)
    target = revisions_of(location)[0]
    listings.update_location(
        db.session,
        location,
        {
            "name": "Renamed",
            "description": None,
            "schedules": [{"byday": "SA", "opens_at": "10:00", "closes_at": "02:00"}],
            "phones": [{"number": "555-0100"}],
        },
        actor,
    )
    listings.confirm(db.session, location, actor, today=date(2026, 2, 3))
    db.session.commit()
    response = post(editor, f"/partners/locations/{location.id}/revisions/{target.id}/restore")
    assert response.status_code == 302
    db.session.expire_all()
    restored = listings.document(db.session.get(Location, location.id))
    ignore = {"last_modified"}
    assert {k: v for k, v in restored.items() if k not in ignore} == {
        k: v for k, v in earlier.items() if k not in ignore
    }
    latest = revisions_of(location)[0]
    assert latest.action == "restore"
    assert latest.actor_label == world.editor_a.email
    assert latest.changes["name"] == ["Renamed", "Original"]


def test_restoring_the_creation_undoes_every_later_change_of_a_service(world):
    service = listings.create_service(
        db.session,
        world.org_a,
        {"name": "Syringes", "categories": ["syringe_services"]},
        listings.Actor.system(),
    )
    db.session.commit()
    created = listings.document(service)
    creation = listings.history(db.session, service)[0]
    listings.update_service(
        db.session,
        service,
        {"name": "Needles", "categories": ["naloxone", "free"], "status": "inactive"},
        listings.Actor.system(),
    )
    listings.archive(db.session, service, listings.Actor.system())
    db.session.commit()
    listings.restore_revision(db.session, service, creation, listings.Actor.system())
    db.session.commit()
    db.session.expire_all()
    assert listings.document(db.session.get(Service, service.id)) == created


def test_every_write_path_leaves_a_revision(client, world):
    """Portal, API, import (system actor) and moderation all go through the same recording."""
    location = LocationFactory(organization=world.org_a)
    log_in(client, world.editor_a.email)
    post(client, f"/partners/locations/{location.id}/confirm")
    etag = client.get(f"/api/v1/locations/{location.id}").headers["ETag"]
    client.patch(
        f"/api/v1/locations/{location.id}",
        json={"description": "via API"},
        headers={"Authorization": f"Bearer {world.key_a}", "If-Match": etag},
    )
    listings.update_location(
        db.session,
        location,
        {"transportation": "Bus M5"},
        listings.Actor("source", "SAMHSA import"),
    )
    db.session.commit()
    actors = {(r.action, r.actor_type) for r in revisions_of(location)}
    assert actors == {("confirm", "user"), ("update", "api_key"), ("update", "source")}


def test_a_partner_makes_an_api_key_sees_it_once_and_can_revoke_it(editor, client, world):
    page = post(editor, f"/partners/organizations/{world.org_a.id}/keys", {"name": "CRM sync"})
    key = page.get_data(as_text=True).split('<code id="new-key">')[1].split("</code>")[0]
    body = {
        "name": "Via new key",
        "address": {
            "address_1": "1 A St",
            "city": "New York",
            "state": "NY",
            "postal_code": "10001",
        },
    }
    assert (
        editor.post(
            "/api/v1/locations", json=body, headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 201
    )
    listing = editor.get(f"/partners/organizations/{world.org_a.id}/keys").get_data(as_text=True)
    assert key not in listing
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.name == "CRM sync"))
    post(editor, f"/partners/organizations/{world.org_a.id}/keys/{api_key.id}/revoke")
    assert (
        editor.post(
            "/api/v1/locations", json=body, headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 401
    )


def test_a_service_web_page_must_be_a_web_address(editor, world):
    response = post(
        editor,
        f"/partners/organizations/{world.org_a.id}/services/new",
        {
            "name": "Bad link",
            "status": "active",
            "categories": ["naloxone"],
            "url": "javascript://example.org/%0aalert(1)",
        },
    )
    assert 'id="url-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Service.id)) is None

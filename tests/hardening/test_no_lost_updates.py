"""Issue 23.4: a stale portal form never silently reverts a change made since it was opened.

The portal's edit forms carry the record's version (its API ETag) the way an API client sends
If-Match: a partner who opened a form before an API client (or a colleague) saved a change
gets a conflict page showing that change, nothing of theirs is saved, and saving again from
that page (which now carries the new version) replaces it knowingly.
"""

from __future__ import annotations

import pytest

from directory.extensions import db
from directory.models import Location, Service
from tests.factories import LocationFactory, ServiceFactory
from tests.partners.helpers import (
    VERSION_INPUT,
    csrf_token,
    log_in,
    make_world,
    version_fields,
)

CLOSED_WEEK = {f"hours-{day}-mode": "closed" for day in range(7)}
ADDRESS = {"address_1": "350 5th Ave", "city": "New York", "state": "NY", "postal_code": "10118"}


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    return make_world()


def api_patch(client, key: str, url: str, body: dict) -> None:
    etag = client.get(url).headers["ETag"]
    headers = {"Authorization": f"Bearer {key}", "If-Match": etag}
    assert client.patch(url, json=body, headers=headers).status_code == 200


def portal_post(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_a_stale_location_form_shows_the_api_change_and_saves_nothing(client, world):
    place = LocationFactory(organization=world.org_a, name="Midtown", description="Old hours")
    log_in(client, world.editor_a.email)
    form_url = f"/partners/locations/{place.id}"
    opened = version_fields(client, form_url)
    assert opened["version"]

    api_patch(client, world.key_a, f"/api/v1/locations/{place.id}", {"description": "New hours"})

    mine = {"name": "Midtown", "description": "My text", **ADDRESS, **CLOSED_WEEK, **opened}
    stale = portal_post(client, form_url, mine)
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed after you opened this form" in page
    assert "New hours" in page  # what the API client saved
    assert "My text" in page  # the partner's entries are kept in the form
    db.session.expire_all()
    assert db.session.get(Location, place.id).description == "New hours"

    again = portal_post(client, form_url, {**mine, **version_fields_of(page)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, place.id).description == "My text"


def test_a_stale_service_form_is_a_conflict_too(client, world):
    place = LocationFactory(organization=world.org_a)
    service = ServiceFactory(
        organization=world.org_a, name="Kits", categories=["naloxone"], locations=[place]
    )
    log_in(client, world.editor_a.email)
    form_url = f"/partners/services/{service.id}"
    opened = version_fields(client, form_url)
    api_patch(client, world.key_a, f"/api/v1/services/{service.id}", {"description": "By mail"})
    mine = {
        "name": "Kits",
        "status": "active",
        "categories": ["naloxone"],
        "location_ids": [str(place.id)],
        **opened,
    }
    stale = portal_post(client, form_url, mine)
    assert stale.status_code == 409
    assert "By mail" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, service.id).description == "By mail"


def test_a_form_without_a_version_is_refused_as_stale(client, world):
    place = LocationFactory(organization=world.org_a, name="Midtown")
    log_in(client, world.editor_a.email)
    response = portal_post(
        client, f"/partners/locations/{place.id}", {"name": "Renamed", **ADDRESS, **CLOSED_WEEK}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Location, place.id).name == "Midtown"


def version_fields_of(page: str) -> dict[str, str]:
    return dict(VERSION_INPUT.findall(page))

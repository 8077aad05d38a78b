"""Who may do what: every portal, moderation and write-API route, for every kind of caller.

Each case runs one request as anonymous, an editor of organization A, an editor of B and an
admin, and checks the exact status. A refused request must change nothing at all.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import ApiKey, Location, Revision, Service, Suggestion
from directory.operations import listings
from tests.factories import LegalityNoteFactory, LocationFactory, ServiceFactory
from tests.partners.helpers import csrf_token, log_in, version_fields

ROLES = ("anonymous", "editor_a", "editor_b", "admin")
LOGIN = 302  # anonymous portal and admin requests are sent to the login page


@dataclass
class Scene:
    """Organization A's listings and the things moderators act on, with ids for the URLs."""

    ids: dict[str, str]


@pytest.fixture
def scene(world) -> Scene:
    location = LocationFactory(organization=world.org_a, name="A's place")
    service = ServiceFactory(organization=world.org_a, name="A's naloxone", categories=["naloxone"])
    listings.confirm(db.session, location, listings.Actor.system())
    db.session.commit()
    revision = listings.history(db.session, location)[0]
    suggestion = Suggestion(location_id=location.id, kind="other", message="Phone is wrong")
    db.session.add(suggestion)
    note = LegalityNoteFactory()
    db.session.commit()
    key = db.session.scalar(select(ApiKey).where(ApiKey.organization_id == world.org_a.id))
    return Scene(
        ids={
            "org_a": str(world.org_a.id),
            "loc_a": str(location.id),
            "svc_a": str(service.id),
            "rev_a": str(revision.id),
            "sug": str(suggestion.id),
            "note": str(note.id),
            "key_a": str(key.id),
        }
    )


LOCATION_FORM = {
    "name": "Edited place",
    "address_1": "1 Example St",
    "city": "New York",
    "state": "NY",
    "postal_code": "10001",
    **{f"hours-{day}-mode": "closed" for day in range(7)},
}
SERVICE_FORM = {"name": "Edited service", "status": "active", "categories": "naloxone"}
NOTE_FORM = {
    "status": "allowed",
    "summary": "Edited summary",
    "source_name": "Example",
    "source_url": "https://example.org/law",
    "law_as_of": "2024-01-01",
    "reviewed_at": "2026-11-01",
}

# (method, url, form data, {role: status}); "*" means every role.
PAGES: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    (
        "GET",
        "/partners/",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 200, "admin": 200},
    ),
    (
        "GET",
        "/partners/organizations/{org_a}",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "GET",
        "/partners/organizations/{org_a}/locations/new",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/organizations/{org_a}/locations/new",
        LOCATION_FORM,
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/organizations/{org_a}/services/new",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/organizations/{org_a}/services/new",
        SERVICE_FORM,
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/locations/{loc_a}",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/locations/{loc_a}",
        LOCATION_FORM,
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/services/{svc_a}",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/services/{svc_a}",
        SERVICE_FORM,
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "POST",
        "/partners/locations/{loc_a}/confirm",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "POST",
        "/partners/services/{svc_a}/confirm",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "POST",
        "/partners/locations/{loc_a}/archive",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "POST",
        "/partners/services/{svc_a}/archive",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "POST",
        "/partners/services/{svc_a}/close",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/locations/{loc_a}/history",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "GET",
        "/partners/services/{svc_a}/history",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/locations/{loc_a}/revisions/{rev_a}/restore",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/organizations/{org_a}/bulk",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/organizations/{org_a}/bulk/apply",
        {"csv_text": "name\nNew from CSV\n"},
        {"anonymous": LOGIN, "editor_a": 422, "editor_b": 404, "admin": 422},
    ),
    (
        "GET",
        "/partners/organizations/{org_a}/keys",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/organizations/{org_a}/keys",
        {"name": "CRM"},
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 404, "admin": 200},
    ),
    (
        "POST",
        "/partners/organizations/{org_a}/keys/{key_a}/revoke",
        {},
        {"anonymous": LOGIN, "editor_a": 302, "editor_b": 404, "admin": 302},
    ),
    (
        "GET",
        "/partners/join",
        None,
        {"anonymous": 200, "editor_a": 200, "editor_b": 200, "admin": 200},
    ),
    ("GET", "/admin/", None, {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200}),
    (
        "GET",
        "/admin/suggestions/{sug}",
        None,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200},
    ),
    (
        "POST",
        "/admin/suggestions/{sug}/approve",
        {},
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 302},
    ),
    (
        "POST",
        "/admin/suggestions/{sug}/reject",
        {"reason": "not true"},
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 302},
    ),
    (
        "GET",
        "/admin/legality",
        None,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200},
    ),
    (
        "GET",
        "/admin/legality/{note}",
        None,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200},
    ),
    (
        "POST",
        "/admin/legality/{note}",
        NOTE_FORM,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 302},
    ),
    (
        "GET",
        "/admin/legality/{note}/history",
        None,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200},
    ),
    (
        "GET",
        "/admin/invite",
        None,
        {"anonymous": LOGIN, "editor_a": 403, "editor_b": 403, "admin": 200},
    ),
    (
        "GET",
        "/auth/password",
        None,
        {"anonymous": LOGIN, "editor_a": 200, "editor_b": 200, "admin": 200},
    ),
]

# The write API authenticates keys only: editors act through their organization's key, and an
# admin's browser session is not a key.
API: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    (
        "POST",
        "/api/v1/locations",
        {
            "name": "X",
            "address": {
                "address_1": "1 A St",
                "city": "New York",
                "state": "NY",
                "postal_code": "10001",
            },
        },
        {"anonymous": 401, "editor_a": 201, "editor_b": 201, "admin": 401},
    ),
    (
        "PATCH",
        "/api/v1/locations/{loc_a}",
        {"name": "Changed"},
        {"anonymous": 401, "editor_a": 200, "editor_b": 404, "admin": 401},
    ),
    (
        "PUT",
        "/api/v1/locations/{loc_a}",
        {"name": "Changed"},
        {"anonymous": 401, "editor_a": 200, "editor_b": 404, "admin": 401},
    ),
    (
        "DELETE",
        "/api/v1/locations/{loc_a}",
        None,
        {"anonymous": 401, "editor_a": 204, "editor_b": 404, "admin": 401},
    ),
    (
        "POST",
        "/api/v1/services",
        {"name": "X", "categories": ["naloxone"], "location_ids": ["{loc_a}"]},
        {"anonymous": 401, "editor_a": 201, "editor_b": 422, "admin": 401},
    ),
    (
        "PATCH",
        "/api/v1/services/{svc_a}",
        {"name": "Changed"},
        {"anonymous": 401, "editor_a": 200, "editor_b": 404, "admin": 401},
    ),
    (
        "PUT",
        "/api/v1/services/{svc_a}",
        {"name": "Changed"},
        {"anonymous": 401, "editor_a": 200, "editor_b": 404, "admin": 401},
    ),
    (
        "DELETE",
        "/api/v1/services/{svc_a}",
        None,
        {"anonymous": 401, "editor_a": 204, "editor_b": 404, "admin": 401},
    ),
]


def cases(table):
    for method, url, data, expected in table:
        for role in ROLES:
            yield pytest.param(method, url, data, role, expected[role], id=f"{role}-{method}-{url}")


def state_of_org_a(ids: dict[str, str]) -> tuple:
    """Everything a refused request must leave alone."""
    db.session.expire_all()
    location = db.session.get(Location, uuid.UUID(ids["loc_a"]))
    service = db.session.get(Service, uuid.UUID(ids["svc_a"]))
    suggestion = db.session.get(Suggestion, uuid.UUID(ids["sug"]))
    return (
        listings.document(location),
        listings.document(service),
        suggestion.status,
        db.session.scalar(select(func.count()).select_from(Revision)),
        db.session.scalar(select(func.count()).select_from(Location)),
        db.session.scalar(select(func.count()).select_from(Service)),
        sorted((str(k.id), k.revoked_at) for k in db.session.scalars(select(ApiKey))),
    )


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("method", "url", "data", "role", "status"), list(cases(PAGES)))
def test_portal_and_admin_pages_answer_each_kind_of_user_as_intended(
    client, world, scene, method, url, data, role, status
):
    if role != "anonymous":
        log_in(client, getattr(world, role).email)
    before = state_of_org_a(scene.ids)
    form = fill(data, scene.ids)
    if method == "POST" and re.fullmatch(
        r"/partners/(locations|services)/[^/]+", fill(url, scene.ids)
    ):
        form = {**form, **version_fields(client, fill(url, scene.ids))}
    if method == "POST":
        form = {**form, "csrf_token": csrf_token(client)}
    response = client.open(fill(url, scene.ids), method=method, data=form)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status == LOGIN and role == "anonymous":
        assert "/auth/login" in response.headers["Location"]
    if status >= 400 or role == "anonymous":
        assert state_of_org_a(scene.ids) == before


@pytest.mark.parametrize(("method", "url", "data", "role", "status"), list(cases(API)))
def test_the_write_api_answers_each_kind_of_caller_as_intended(
    client, world, scene, method, url, data, role, status
):
    headers = {}
    if role == "admin":
        log_in(client, world.admin.email)
    elif role != "anonymous":
        key = world.key_a if role == "editor_a" else world.key_b
        headers["Authorization"] = f"Bearer {key}"
    if method in {"PUT", "PATCH", "DELETE"}:
        # The record's own version: ``*`` is refused (412), a write names what it replaces.
        headers["If-Match"] = client.get(fill(url, scene.ids)).headers.get("ETag", '"none"')
    before = state_of_org_a(scene.ids)
    response = client.open(
        fill(url, scene.ids), method=method, json=fill(data, scene.ids), headers=headers
    )
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status >= 400:
        assert response.is_json
        assert state_of_org_a(scene.ids) == before

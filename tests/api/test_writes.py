"""Partner systems write their own organization's listings through /api/v1 with a key."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from directory.auth.accounts import revoke_api_key
from directory.extensions import db
from directory.models import ApiKey, IdempotentRequest, Location, Revision, Service
from tests.factories import LocationFactory
from tests.partners.helpers import make_world

NEW_LOCATION = {
    "name": "Harlem Drop-in",
    "address": {
        "address_1": "1 W 125th St",
        "city": "New York",
        "state": "NY",
        "postal_code": "10027",
    },
}


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    return make_world()


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def test_a_partner_creates_a_location_from_just_a_name_and_an_address(client, world):
    response = client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["name"] == "Harlem Drop-in"
    assert body["precision"] == "approximate"
    assert body["timezone"] == "America/New_York"
    assert 40.7 < body["latitude"] < 40.9
    assert response.headers["ETag"]
    location = db.session.get(Location, uuid.UUID(body["id"]))
    assert location.organization_id == world.org_a.id


def test_the_etag_of_a_write_is_the_etag_a_read_gives(client, world):
    created = client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    read = client.get(f"/api/v1/locations/{created.json['id']}")
    assert read.status_code == 200
    assert read.headers["ETag"] == created.headers["ETag"]


def test_a_listing_with_markup_and_accents_keeps_one_etag_for_reads_and_writes(client, world):
    # The API escapes "<", ">" and "&" in its JSON; the ETag must be the same either way, or
    # a partner could never send back the ETag its read gave as If-Match.
    listing = {**NEW_LOCATION, "name": "Café <Esperanza> & Friends"}
    created = client.post("/api/v1/locations", json=listing, headers=bearer(world.key_a))
    read = client.get(f"/api/v1/locations/{created.json['id']}")
    assert b"\\u003cEsperanza\\u003e \\u0026" in read.data
    assert read.json["name"] == "Café <Esperanza> & Friends"
    assert read.headers["ETag"] == created.headers["ETag"]
    changed = client.patch(
        f"/api/v1/locations/{created.json['id']}",
        json={"description": "Open late"},
        headers=bearer(world.key_a, **{"If-Match": read.headers["ETag"]}),
    )
    assert changed.status_code == 200, changed.json


def test_a_request_without_a_key_is_refused_with_a_bearer_challenge(client, world):
    response = client.post("/api/v1/locations", json=NEW_LOCATION)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert response.json["code"] == 401


def test_a_revoked_key_no_longer_writes(client, world):
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.organization_id == world.org_a.id))
    revoke_api_key(api_key)
    db.session.commit()
    response = client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_a_key_records_when_it_was_last_used(client, world):
    client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    db.session.expire_all()
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.organization_id == world.org_a.id))
    assert api_key.last_used_at is not None


def test_an_update_without_if_match_is_refused_with_428(client, world):
    location = LocationFactory(organization=world.org_a)
    response = client.patch(
        f"/api/v1/locations/{location.id}", json={"name": "New"}, headers=bearer(world.key_a)
    )
    assert response.status_code == 428


def test_patch_changes_only_the_fields_sent_and_records_a_revision(client, world):
    created = client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    response = client.patch(
        f"/api/v1/locations/{created.json['id']}",
        json={"description": "Walk in, no ID needed."},
        headers=bearer(world.key_a, **{"If-Match": created.headers["ETag"]}),
    )
    assert response.status_code == 200, response.json
    assert response.json["description"] == "Walk in, no ID needed."
    assert response.json["name"] == "Harlem Drop-in"
    assert response.headers["ETag"] != created.headers["ETag"]
    revisions = db.session.scalars(select(Revision).order_by(Revision.created_at)).all()
    assert [r.action for r in revisions] == ["create", "update"]
    assert revisions[1].changes == {"description": [None, "Walk in, no ID needed."]}
    assert revisions[1].actor_type == "api_key"


def test_put_replaces_the_record(client, world):
    created = client.post(
        "/api/v1/locations",
        json={**NEW_LOCATION, "description": "old words"},
        headers=bearer(world.key_a),
    )
    response = client.put(
        f"/api/v1/locations/{created.json['id']}",
        json={**NEW_LOCATION, "name": "Renamed"},
        headers=bearer(world.key_a, **{"If-Match": created.headers["ETag"]}),
    )
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Renamed"
    assert response.json["description"] is None


def test_invalid_fields_are_named_in_a_422(client, world):
    response = client.post(
        "/api/v1/locations",
        json={"name": "", "address": {"city": "New York"}},
        headers=bearer(world.key_a),
    )
    assert response.status_code == 422
    assert "name" in response.json["errors"]
    assert "address" in response.json["errors"]


def test_an_unknown_zip_without_coordinates_is_a_field_error(client, world):
    body = {**NEW_LOCATION, "address": {**NEW_LOCATION["address"], "postal_code": "00000"}}
    response = client.post("/api/v1/locations", json=body, headers=bearer(world.key_a))
    assert response.status_code == 422
    assert "address.postal_code" in response.json["errors"]


def test_delete_archives_and_never_deletes(client, world):
    location = LocationFactory(organization=world.org_a)
    etag = client.get(f"/api/v1/locations/{location.id}").headers["ETag"]
    response = client.delete(
        f"/api/v1/locations/{location.id}", headers=bearer(world.key_a, **{"If-Match": etag})
    )
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Location, location.id).archived_at is not None


def test_a_service_is_created_at_the_partners_own_locations(client, world):
    location = LocationFactory(organization=world.org_a)
    response = client.post(
        "/api/v1/services",
        json={"name": "Naloxone", "categories": ["naloxone"], "location_ids": [str(location.id)]},
        headers=bearer(world.key_a),
    )
    assert response.status_code == 201, response.json
    assert response.json["categories"] == ["naloxone"]
    service = db.session.get(Service, uuid.UUID(response.json["id"]))
    assert [link.location_id for link in service.location_links] == [location.id]


def test_a_service_cannot_be_attached_to_another_organizations_location(client, world):
    theirs = LocationFactory(organization=world.org_b)
    response = client.post(
        "/api/v1/services",
        json={"name": "Naloxone", "categories": ["naloxone"], "location_ids": [str(theirs.id)]},
        headers=bearer(world.key_a),
    )
    assert response.status_code == 422
    assert "location_ids" in response.json["errors"]


def test_the_same_idempotency_key_and_body_replays_the_first_answer(client, world):
    headers = bearer(world.key_a, **{"Idempotency-Key": "abc-123"})
    first = client.post("/api/v1/locations", json=NEW_LOCATION, headers=headers)
    second = client.post("/api/v1/locations", json=NEW_LOCATION, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert first.headers["ETag"] == second.headers["ETag"]
    assert db.session.scalar(select(db.func.count()).select_from(Location)) == 1


def test_the_same_idempotency_key_with_another_body_is_refused(client, world):
    headers = bearer(world.key_a, **{"Idempotency-Key": "abc-123"})
    client.post("/api/v1/locations", json=NEW_LOCATION, headers=headers)
    other = client.post("/api/v1/locations", json={**NEW_LOCATION, "name": "x"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]
    assert db.session.scalar(select(db.func.count()).select_from(IdempotentRequest)) == 1


def test_two_clients_updating_with_the_same_etag_one_wins_and_the_other_gets_412(app, world):
    location = LocationFactory(organization=world.org_a, description="original")
    etag = app.test_client().get(f"/api/v1/locations/{location.id}").headers["ETag"]
    barrier = threading.Barrier(2)
    answers: dict[str, int] = {}

    def update(description: str) -> None:
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.patch(
                f"/api/v1/locations/{location.id}",
                json={"description": description},
                headers=bearer(world.key_a, **{"If-Match": etag}),
            )
            answers[description] = response.status_code
            db.session.remove()

    threads = [threading.Thread(target=update, args=(text,)) for text in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 412]
    winner = next(text for text, status in answers.items() if status == 200)
    db.session.expire_all()
    assert db.session.get(Location, location.id).description == winner
    updates = db.session.scalars(select(Revision).where(Revision.action == "update")).all()
    assert [r.changes["description"] for r in updates] == [["original", winner]]


def test_the_openapi_spec_documents_the_bearer_scheme_and_the_write_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "post" in spec["paths"]["/api/v1/locations"]
    assert "patch" in spec["paths"]["/api/v1/locations/{location_id}"]


@pytest.mark.parametrize("kind", ["locations", "services"])
def test_a_malformed_or_unknown_id_is_a_json_404(client, world, kind):
    for record_id in ("123", "99999999999999999999999999", "3fa85f64-5717-4562-b3fc-2c963f66afa6"):
        response = client.patch(
            f"/api/v1/{kind}/{record_id}",
            json={"name": "x"},
            headers=bearer(world.key_a, **{"If-Match": "*"}),
        )
        assert response.status_code == 404
        assert response.json["code"] == 404


@pytest.mark.parametrize("kind", ["weak", "unquoted", "star", "weak and unquoted"])
def test_only_the_strong_quoted_etag_of_the_current_version_allows_a_change(client, world, kind):
    created = client.post("/api/v1/locations", json=NEW_LOCATION, headers=bearer(world.key_a))
    etag = created.headers["ETag"]
    sent = {
        "weak": f"W/{etag}",
        "unquoted": etag.strip('"'),
        "star": "*",
        "weak and unquoted": f"W/{etag}, {etag.strip(chr(34))}",
    }[kind]
    refused = client.patch(
        f"/api/v1/locations/{created.json['id']}",
        json={"description": "Changed"},
        headers=bearer(world.key_a, **{"If-Match": sent}),
    )
    assert refused.status_code == 412
    assert refused.headers["ETag"] == etag
    accepted = client.patch(
        f"/api/v1/locations/{created.json['id']}",
        json={"description": "Changed"},
        headers=bearer(world.key_a, **{"If-Match": f'"stale", {etag}'}),
    )
    assert accepted.status_code == 200


def test_a_client_asking_for_brotli_sends_back_the_etag_its_write_gave(client, world):
    # Flask-Compress would suffix a compressed answer's ETag ("…:br"); a write's must stay the
    # record's version, or the next If-Match could never match.
    compressed = bearer(world.key_a, **{"Accept-Encoding": "br"})
    created = client.post("/api/v1/locations", json=NEW_LOCATION, headers=compressed)
    etag = created.headers["ETag"]
    assert ":" not in etag
    assert client.get(f"/api/v1/locations/{created.json['id']}").headers["ETag"] == etag
    changed = client.patch(
        f"/api/v1/locations/{created.json['id']}",
        json={"description": "Open late"},
        headers={**compressed, "If-Match": etag},
    )
    assert changed.status_code == 200
    assert ":" not in changed.headers["ETag"]

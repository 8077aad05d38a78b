"""Partner writes under /api/v1: create, change and archive an organization's own listings.

Every request carries ``Authorization: Bearer <key>``; a key writes only for its organization,
and another organization's record answers 404 exactly like a missing one. Updates need
``If-Match`` with the record's ETag (428 without, 412 when stale), so two systems cannot
overwrite each other's changes unseen: flask-smorest's ``Blueprint.etag`` answers 428 and sets
the ETag of every answer, ``check_etag`` compares the record's current version. A POST with
an ``Idempotency-Key`` can be retried safely: the same key and body replay the first answer.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from flask import g, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from flask_smorest.exceptions import PreconditionFailed
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import ETags, WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from directory.api.record_schemas import LocationRecordSchema as LocationRecord
from directory.api.record_schemas import ServiceRecordSchema as ServiceRecord
from directory.api.record_schemas import record_etag, record_schema
from directory.api.write_schemas import LocationIn, LocationPatch, ServiceIn, ServicePatch
from directory.auth import accounts
from directory.auth.permissions import actor_for, can_edit
from directory.extensions import csrf, db
from directory.models import ApiKey, IdempotentRequest, Location, Organization, Service
from directory.operations import listings

URL_PREFIX = "/api/v1"
SECURITY = [{"bearerAuth": []}]
blp = Blueprint(
    "writes",
    __name__,
    description="Partner writes: create, update and archive your organization's listings.",
)
# Key-authenticated JSON: no browser session, so no CSRF token to check.
csrf.exempt(blp)

ERROR_DESCRIPTIONS = {
    401: "No key, or an unknown or revoked key (see WWW-Authenticate).",
    404: "No such record of your organization.",
}


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the record as you last read or wrote it, quoted as sent "
    '(`"3f2a…"`). Compared strongly: a weak `W/"…"` tag, an unquoted value or `*` never '
    "matches (412), so every change names the version it was based on.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Retry-safe POST: the same key and body answer the first response again.",
    "schema": {"type": "string", "maxLength": 255},
}


def documented(*codes: int, if_match: bool = False):
    """The bearer scheme, and the errors the endpoint can answer besides 422, in the spec.

    ``Blueprint.etag`` documents 412 and 428 itself; the If-Match header is described here,
    where it says what the comparison refuses.
    """

    def decorate(view):
        for code in (401, *codes):
            view = blp.alt_response(code, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[code])(
                view
            )
        header = IF_MATCH if if_match else IDEMPOTENCY_KEY
        return blp.doc(security=SECURITY, parameters=[header])(view)

    return decorate


NESTED = "Nested too deeply: a listing is at most three levels deep."
LIST_FIELDS = ("phones", "languages", "schedules", "categories", "location_ids", "service_areas")


def _unauthorized(message: str, error: str | None = None):
    params = {"realm": "directory"} | ({"error": error} if error else {})
    raise Unauthorized(message, www_authenticate=WWWAuthenticate("bearer", params))


# A listing with every list at its maximum and every text field full is ~150 KB of JSON.
MAX_BODY_BYTES = 256 * 1024


@blp.before_request
def bound_the_body() -> None:
    """413 for a body over the limit before anything is read; a JSON body nested too deeply
    to parse is refused here with a 400 naming it, rather than crashing the parser later."""
    request.max_content_length = MAX_BODY_BYTES
    if request.method in {"POST", "PUT", "PATCH"} and request.is_json:
        try:
            json.loads(request.get_data(cache=True))
        except RecursionError:
            abort(400, message="The JSON body is nested too deeply.", errors={"json": [NESTED]})
        except ValueError:
            pass  # malformed JSON is reported by the schema's own parser, with the field


@blp.before_request
def authenticate_key() -> None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        challenge = WWWAuthenticate("bearer", {"realm": "directory"})
        raise Unauthorized(
            "Send your API key as 'Authorization: Bearer <key>'.", www_authenticate=challenge
        )
    api_key = accounts.api_key_for(db.session, key.strip())
    if api_key is None:
        _unauthorized("This API key is unknown or has been revoked.", "invalid_token")
    g.api_key = api_key


def _api_key() -> ApiKey:
    return g.api_key


def strong_tags(if_match: str) -> list[str]:
    """The strong entity tags an If-Match lists (RFC 9110 §13.1.1: strong comparison).

    A weak tag (``W/"…"``), an unquoted value and ``*`` never match here: a write must name
    the version it was based on. Werkzeug, which flask-smorest asks, reads an unquoted value
    as a strong tag and lets ``*`` match any version.
    """
    return [
        tag[1:-1]
        for tag in (part.strip() for part in if_match.split(","))
        if len(tag) >= 2 and tag[0] == tag[-1] == '"' and '"' not in tag[1:-1]
    ]


@blp.before_request
def compare_if_match_strongly() -> None:
    """Give flask-smorest's ETag checks an If-Match holding only its strong, quoted tags.

    Whatever else the header holds is kept as a weak tag: present, so the answer is 412 rather
    than 428, but never equal to a version under ``check_etag``'s strong comparison.
    """
    if_match = request.headers.get("If-Match")
    if if_match:
        request.if_match = ETags(strong_tags(if_match), weak_etags=[if_match])


def _load_for_update(model: type, listing_id: uuid.UUID) -> Any:
    """The caller's own record, locked for this request, with its If-Match checked.

    flask-smorest answered 428 already when If-Match is missing. A stale one is a 412 that
    carries the record's current ETag, which smorest's own 412 does not, so a client can see
    that it needs to read again.
    """
    listing = listings.lock_for_update(db.session, model, listing_id)
    if listing is None or not can_edit(_api_key(), listing):
        abort(404, message="No such record of your organization.")
    try:
        blp.check_etag(listing, record_schema(listing))
    except PreconditionFailed:
        abort(
            412,
            message="The record changed since you read it; fetch it again and retry.",
            headers={"ETag": f'"{record_etag(listing)}"'},
        )
    return listing


def _filled(values: dict[str, Any], schema_fields: Any) -> dict[str, Any]:
    """A PUT replaces the record: every writable field not sent becomes empty."""
    blank = {name: ([] if name in LIST_FIELDS else None) for name in schema_fields}
    for name in ("location_type", "precision", "timezone", "confidential", "status"):
        blank.pop(name, None)
    return blank | values


def _written(listing: Any, status: int = 200):
    """The record as answered; ``Blueprint.etag`` adds its ETag, the hash of this answer."""
    headers = {}
    if status == 201:
        endpoint = "writes.Location" if isinstance(listing, Location) else "writes.Service"
        kind = "location_id" if isinstance(listing, Location) else "service_id"
        headers["Location"] = url_for(endpoint, **{kind: listing.id})
    return listing, status, headers


def _unprocessable(error: listings.ListingError):
    db.session.rollback()
    abort(422, message="Invalid input: " + ", ".join(sorted(error.errors)), errors=error.errors)


def _request_hash() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _replay(record: IdempotentRequest):
    if record.request_hash != _request_hash():
        abort(
            422,
            message="This Idempotency-Key was used with a different request.",
            errors={"Idempotency-Key": ["Already used with a different request body."]},
        )
    # Already serialized: answered as stored, byte for byte the same JSON as the first time,
    # with the ETag of that first answer.
    blp.set_etag(record.response_body)
    response = jsonify(record.response_body)
    response.status_code = record.status_code
    response.headers.update(record.response_headers)
    return response


def _idempotent_create(create, schema) -> Any:
    """Run ``create`` once per Idempotency-Key, storing the answer with the change itself."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        listing = create()
        db.session.commit()
        return _written(listing, 201)
    if len(key) > 255:
        abort(422, errors={"Idempotency-Key": ["At most 255 characters."]})
    lookup = select(IdempotentRequest).where(
        IdempotentRequest.api_key_id == _api_key().id, IdempotentRequest.key == key
    )
    stored = db.session.scalar(lookup)
    if stored is not None:
        return _replay(stored)
    listing = create()
    body, status, headers = _written(listing, 201)
    db.session.add(
        IdempotentRequest(
            api_key_id=_api_key().id,
            key=key,
            method=request.method,
            path=request.path,
            request_hash=_request_hash(),
            status_code=status,
            response_body=schema.dump(body),
            response_headers=headers,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same key raced in from a retry; its answer is the one to give.
        db.session.rollback()
        return _replay(db.session.scalar(lookup))
    return body, status, headers


def _organization() -> Organization:
    return db.session.get(Organization, _api_key().organization_id)


def _create_location(data: dict[str, Any]) -> Location:
    try:
        return listings.create_location(db.session, _organization(), data, actor_for(_api_key()))
    except listings.ListingError as error:
        _unprocessable(error)


def _create_service(data: dict[str, Any]) -> Service:
    try:
        return listings.create_service(db.session, _organization(), data, actor_for(_api_key()))
    except listings.ListingError as error:
        _unprocessable(error)


def _update(listing: Any, data: dict[str, Any]):
    update = listings.update_location if isinstance(listing, Location) else listings.update_service
    try:
        update(db.session, listing, data, actor_for(_api_key()))
    except listings.ListingError as error:
        _unprocessable(error)
    db.session.commit()
    return _written(listing)


def _archive(listing: Any):
    listings.archive(db.session, listing, actor_for(_api_key()))
    db.session.commit()
    return None, 204


def _stringify(data: dict[str, Any]) -> dict[str, Any]:
    if "location_ids" in data:
        data["location_ids"] = [str(value) for value in data["location_ids"]]
    return data


@blp.route("/locations")
@blp.etag
class Locations(MethodView):
    @documented()
    @blp.arguments(LocationIn)
    @blp.response(201, LocationRecord, description="Created; the ETag header is its version.")
    def post(self, data):
        """Create a location (coordinates optional: placed at the ZIP centre when absent)."""
        return _idempotent_create(lambda: _create_location(data), LocationRecord())


@blp.route("/locations/<uuid:location_id>", endpoint="Location")
@blp.etag
class LocationResource(MethodView):
    @documented(404, if_match=True)
    @blp.arguments(LocationIn)
    @blp.response(200, LocationRecord)
    def put(self, data, location_id):
        """Replace a location (If-Match required); fields not sent are cleared."""
        location = _load_for_update(Location, location_id)
        return _update(location, _filled(data, LocationIn().fields))

    @documented(404, if_match=True)
    @blp.arguments(LocationPatch(partial=True))
    @blp.response(200, LocationRecord)
    def patch(self, data, location_id):
        """Change any subset of a location's fields (If-Match required)."""
        return _update(_load_for_update(Location, location_id), data)

    @documented(404, if_match=True)
    @blp.response(204)
    def delete(self, location_id):
        """Archive a location (If-Match required); it can be restored from its history."""
        return _archive(_load_for_update(Location, location_id))


@blp.route("/services")
@blp.etag
class Services(MethodView):
    @documented()
    @blp.arguments(ServiceIn)
    @blp.response(201, ServiceRecord, description="Created; the ETag header is its version.")
    def post(self, data):
        """Create a service offered at some of your locations."""
        return _idempotent_create(lambda: _create_service(_stringify(data)), ServiceRecord())


@blp.route("/services/<uuid:service_id>", endpoint="Service")
@blp.etag
class ServiceResource(MethodView):
    @documented(404, if_match=True)
    @blp.arguments(ServiceIn)
    @blp.response(200, ServiceRecord)
    def put(self, data, service_id):
        """Replace a service (If-Match required); fields not sent are cleared."""
        service = _load_for_update(Service, service_id)
        return _update(service, _filled(_stringify(data), ServiceIn().fields))

    @documented(404, if_match=True)
    @blp.arguments(ServicePatch(partial=True))
    @blp.response(200, ServiceRecord)
    def patch(self, data, service_id):
        """Change any subset of a service's fields (If-Match required)."""
        return _update(_load_for_update(Service, service_id), _stringify(data))

    @documented(404, if_match=True)
    @blp.response(204)
    def delete(self, service_id):
        """Archive a service (If-Match required)."""
        return _archive(_load_for_update(Service, service_id))


def register(api: Api) -> None:
    """Hang the write endpoints and their bearer security scheme on the API."""
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A key from `flask apikeys create`"},
    )
    api.register_blueprint(blp, url_prefix=URL_PREFIX)

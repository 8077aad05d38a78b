"""Input schemas of the partner write API; the answers reuse the public record schemas.

They load into listing documents (``directory.operations.listings.document``); the operations
then check what only the database can (known ZIP, taxonomy codes, the caller's own locations).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from directory.models.details import PHONE_TYPES
from directory.models.locations import LOCATION_TYPES, PRECISIONS
from directory.models.services import EXTENT_TYPES, REACHES, SERVICE_STATUSES

TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use a 24-hour time like 09:00.")


class AddressIn(Schema):
    address_1 = fields.String(required=True, validate=validate.Length(min=1, max=255))
    address_2 = fields.String(allow_none=True, validate=validate.Length(max=255))
    city = fields.String(required=True, validate=validate.Length(min=1, max=128))
    region = fields.String(allow_none=True, validate=validate.Length(max=128))
    state = fields.String(required=True, validate=validate.Length(equal=2))
    postal_code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{5}(-\d{4})?$", error="A ZIP like 10001.")
    )


class PhoneIn(Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    extension = fields.String(allow_none=True, validate=validate.Length(max=16))
    type = fields.String(load_default="voice", validate=validate.OneOf(PHONE_TYPES))
    description = fields.String(allow_none=True, validate=validate.Length(max=255))


class ScheduleIn(Schema):
    byday = fields.String(
        required=True, metadata={"description": "Days, e.g. MO,TU,WE", "example": "MO,TU,WE"}
    )
    opens_at = fields.String(required=True, validate=TIME, metadata={"example": "09:00"})
    closes_at = fields.String(
        required=True,
        validate=TIME,
        metadata={"description": "Earlier than opens_at = past midnight; 00:00–00:00 = all day"},
    )
    description = fields.String(allow_none=True)


class ServiceAreaIn(Schema):
    extent_type = fields.String(required=True, validate=validate.OneOf(EXTENT_TYPES))
    code = fields.String(
        allow_none=True, metadata={"description": 'None, "NY", "NY:Kings" or "10001"'}
    )
    reach = fields.String(required=True, validate=validate.OneOf(REACHES))


class LocationIn(Schema):
    """A location to create or replace (PATCH: any subset)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    alternate_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    description = fields.String(allow_none=True)
    transportation = fields.String(allow_none=True)
    location_type = fields.String(validate=validate.OneOf(LOCATION_TYPES))
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    precision = fields.String(validate=validate.OneOf(PRECISIONS))
    position_description = fields.String(allow_none=True, validate=validate.Length(max=500))
    timezone = fields.String(validate=validate.Length(max=64))
    confidential = fields.Boolean()
    front_door = fields.String(allow_none=True)
    assured_date = fields.Date(allow_none=True)
    address = fields.Nested(AddressIn, allow_none=True)
    phones = fields.List(fields.Nested(PhoneIn))
    languages = fields.List(fields.String(validate=validate.Length(min=2, max=3)))
    schedules = fields.List(fields.Nested(ScheduleIn))


class ServiceIn(Schema):
    """A service to create or replace (PATCH: any subset)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    alternate_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    description = fields.String(allow_none=True)
    url = fields.Url(allow_none=True, schemes={"http", "https"})
    email = fields.Email(allow_none=True)
    status = fields.String(validate=validate.OneOf(SERVICE_STATUSES))
    eligibility_description = fields.String(allow_none=True)
    application_process = fields.String(allow_none=True)
    fees_description = fields.String(allow_none=True)
    assured_date = fields.Date(allow_none=True)
    categories = fields.List(
        fields.String(),
        metadata={"description": "Taxonomy codes of any kind (category, cost, access, population)"},
    )
    location_ids = fields.List(fields.UUID())
    service_areas = fields.List(fields.Nested(ServiceAreaIn))
    phones = fields.List(fields.Nested(PhoneIn))
    languages = fields.List(fields.String(validate=validate.Length(min=2, max=3)))
    schedules = fields.List(fields.Nested(ScheduleIn))


class LocationPatch(LocationIn):
    """Any subset of a location's fields (loaded with ``partial=True``)."""


class ServicePatch(ServiceIn):
    """Any subset of a service's fields (loaded with ``partial=True``)."""

"""Input schemas of the partner write API; the answers reuse the public record schemas.

They check the shape of a request (types, required fields, lengths) and load it into a listing
document (``directory.operations.listings.document``). The rules a listing's values meet — time
zone, URL, phone, state, ZIP code — are not repeated here: the operations check every document
with ``validation.listing_problems``, the one validator the CSV upload and the HSDS import use
too, so the API names the same field with the same message as they do. The rules are still
documented here (``format``, ``pattern``, ``minLength``) for the OpenAPI description.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from directory import validation
from directory.models.details import PHONE_TYPES
from directory.models.locations import LOCATION_TYPES, PRECISIONS
from directory.models.services import EXTENT_TYPES, REACHES, SERVICE_STATUSES

TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use a 24-hour time like 09:00.")
MAX_ITEMS = validation.MAX_LIST_ITEMS
MAX_LOCATION_IDS = validation.MAX_LOCATION_IDS
MAX_SERVICE_AREAS = validation.MAX_SERVICE_AREAS


def _keepable(value: str) -> None:
    """No NUL bytes or lone surrogates: text every database and every page can hold."""
    problem = validation.text_problem(value, max_length=len(value))
    if problem:
        raise ValidationError(problem)


def text(max_length: int = validation.MAX_TEXT, *, min_length: int = 0, **kwargs: Any):
    """A string of at most ``max_length`` characters (documented as maxLength), NUL-free."""
    checks = [validate.Length(min=min_length or None, max=max_length), _keepable]
    return fields.String(validate=[*checks, *kwargs.pop("also", ())], **kwargs)


def items(inner: fields.Field, max_items: int = MAX_ITEMS, **kwargs: Any) -> fields.List:
    """A list of at most ``max_items`` (documented as maxItems)."""
    return fields.List(inner, validate=validate.Length(max=max_items), **kwargs)


def web_url(**kwargs: Any) -> fields.String:
    return text(500, metadata={"format": "uri"}, **kwargs)


def language() -> fields.String:
    return text(3, min_length=2, metadata={"description": "ISO 639 code", "example": "es"})


class AddressIn(Schema):
    address_1 = text(255, min_length=1, required=True)
    address_2 = text(255, allow_none=True)
    city = text(128, min_length=1, required=True)
    region = text(128, allow_none=True)
    state = fields.String(required=True, metadata={"minLength": 2, "maxLength": 2})
    postal_code = fields.String(required=True, metadata={"pattern": r"^\d{5}(-\d{4})?$"})


class PhoneIn(Schema):
    number = text(32, required=True, metadata={"example": "988", "minLength": 3})
    extension = text(16, allow_none=True)
    type = fields.String(load_default="voice", validate=validate.OneOf(PHONE_TYPES))
    description = text(255, allow_none=True)


class ScheduleIn(Schema):
    byday = text(
        32, required=True, metadata={"description": "Days, e.g. MO,TU,WE", "example": "MO,TU,WE"}
    )
    opens_at = fields.String(required=True, validate=TIME, metadata={"example": "09:00"})
    closes_at = fields.String(
        required=True,
        validate=TIME,
        metadata={"description": "Earlier than opens_at = past midnight; 00:00–00:00 = all day"},
    )
    description = text(allow_none=True)


class ServiceAreaIn(Schema):
    extent_type = fields.String(required=True, validate=validate.OneOf(EXTENT_TYPES))
    code = text(64, allow_none=True, metadata={"description": 'None, "NY", "NY:Kings" or "10001"'})
    reach = fields.String(required=True, validate=validate.OneOf(REACHES))


class LocationIn(Schema):
    """A location to create or replace (PATCH: any subset)."""

    name = text(255, min_length=1, required=True)
    alternate_name = text(255, allow_none=True)
    description = text(allow_none=True)
    transportation = text(allow_none=True)
    location_type = fields.String(validate=validate.OneOf(LOCATION_TYPES))
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    precision = fields.String(validate=validate.OneOf(PRECISIONS))
    position_description = text(500, allow_none=True)
    timezone = text(
        64, metadata={"description": "An IANA time zone", "example": "America/New_York"}
    )
    confidential = fields.Boolean()
    front_door = text(allow_none=True)
    assured_date = fields.Date(allow_none=True)
    address = fields.Nested(AddressIn, allow_none=True)
    phones = items(fields.Nested(PhoneIn))
    languages = items(language())
    schedules = items(fields.Nested(ScheduleIn))


class ServiceIn(Schema):
    """A service to create or replace (PATCH: any subset)."""

    name = text(255, min_length=1, required=True)
    alternate_name = text(255, allow_none=True)
    description = text(allow_none=True)
    url = web_url(allow_none=True)
    email = fields.Email(allow_none=True, validate=[validate.Length(max=255), _keepable])
    status = fields.String(validate=validate.OneOf(SERVICE_STATUSES))
    eligibility_description = text(allow_none=True)
    application_process = text(allow_none=True)
    fees_description = text(allow_none=True)
    assured_date = fields.Date(allow_none=True)
    categories = items(
        text(64),
        metadata={"description": "Taxonomy codes of any kind (category, cost, access, population)"},
    )
    location_ids = items(fields.UUID(), MAX_LOCATION_IDS)
    service_areas = items(fields.Nested(ServiceAreaIn), MAX_SERVICE_AREAS)
    phones = items(fields.Nested(PhoneIn))
    languages = items(language())
    schedules = items(fields.Nested(ScheduleIn))


class LocationPatch(LocationIn):
    """Any subset of a location's fields (loaded with ``partial=True``)."""


class ServicePatch(ServiceIn):
    """Any subset of a service's fields (loaded with ``partial=True``)."""

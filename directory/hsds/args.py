"""Query-string schemas of the HSDS list endpoints (marshmallow, parsed by webargs).

Ids in filters are HSDS strings: one that is not a UUID cannot name any of our records, so it
matches nothing rather than being an error.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

MAX_PER_PAGE = 500
NO_MATCH = uuid.UUID(int=0)


def printable(value: str) -> None:
    # PostgreSQL refuses NUL in text; a control character is never a meaningful search.
    if any(ord(char) < 32 for char in value):
        raise ValidationError("Must not contain control characters.")


class AnyId(fields.String):
    """An HSDS id filter: a UUID, or the nil UUID (matching nothing) for any other string."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> uuid.UUID:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return uuid.UUID(text)
        except ValueError:
            return NO_MATCH


class UTCDateTime(fields.DateTime):
    """An ISO 8601 date-time; one without a zone is taken as UTC."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class ListArgs(Schema):
    search = fields.String(validate=[validate.Length(max=200), printable])
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "ndjson")))


class ServiceListArgs(ListArgs):
    taxonomy_term_id = AnyId()
    taxonomy_id = AnyId()
    organization_id = AnyId()
    modified_after = UTCDateTime()
    minimal = fields.Boolean(load_default=False)
    full = fields.Boolean(load_default=False)


class OrganizationListArgs(ListArgs):
    full = fields.Boolean(load_default=False)
    full_service = fields.Boolean(load_default=False)


class ServiceAtLocationListArgs(ListArgs):
    taxonomy_term_id = AnyId()
    taxonomy_id = AnyId()
    organization_id = AnyId()
    modified_after = UTCDateTime()
    full = fields.Boolean(load_default=False)
    postcode = fields.String(validate=[validate.Length(max=10), printable])
    proximity = fields.Float(
        validate=validate.Range(min=0, max=500_000),
        metadata={
            "description": "Metres from the postcode's centre; searched at most as far as "
            "/api/v1/search reaches (250 miles, 402,336 m)"
        },
    )


class TaxonomyTermListArgs(ListArgs):
    taxonomy_id = AnyId()
    parent_id = AnyId()
    top_only = fields.Boolean(load_default=False)


class OrganizationRecordArgs(Schema):
    full_service = fields.Boolean(load_default=False)

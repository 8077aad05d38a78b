"""Output and query schemas of the full-record endpoints: locations, services, organizations,
their change history, the taxonomy and the states.

They extend the summaries in :mod:`directory.api.schemas`, so a location looks the same in a
search result and in its own record, and a confidential location hides its address in both.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from directory.api.schemas import (
    LegalityNoteSchema,
    LocationSummarySchema,
    OrganizationSummarySchema,
    PhoneSchema,
    SearchPaginationSchema,
    ServiceSummarySchema,
    SourceSchema,
)
from directory.i18n import current_locale
from directory.models import Location
from directory.queries.context import notes_in_order
from directory.validation import web_url

MAX_PER_PAGE = 100


def visible_services(services: list[Any]) -> list[Any]:
    """The services a searcher may see: not archived, not inactive or defunct."""
    return [service for service in services if service.visible]


def live(records: list[Any]) -> list[Any]:
    return [record for record in records if record.archived_at is None]


def spanish() -> bool:
    return current_locale() == "es"


class Selected(fields.List):
    """A list of nested records chosen from the attribute by ``select`` (e.g. not archived).

    Documented in OpenAPI as an array of the nested schema, like a plain ``List(Nested)``.
    """

    def __init__(self, nested: type[Schema], select: Any, **kwargs: Any) -> None:
        super().__init__(fields.Nested(nested), **kwargs)
        self.select = select

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(self.select(value or []), attr, obj, **kwargs)


class StoredUrl(fields.String):
    """A stored web address, or null when what is stored is not one (a bare ``http://``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, metadata={"format": "uri"}, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(web_url(value), attr, obj, **kwargs)


class ScheduleSchema(Schema):
    byday = fields.String(metadata={"description": "Weekdays, RFC 5545 style", "example": "MO,TU"})
    opens_at = fields.Time(metadata={"example": "09:00:00"})
    closes_at = fields.Time(
        metadata={"description": "At or before opens_at: open past midnight", "example": "17:00:00"}
    )
    description = fields.String(allow_none=True)


class LanguageSchema(Schema):
    code = fields.String(metadata={"description": "ISO 639 code", "example": "es"})
    name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class AccessibilitySchema(Schema):
    description = fields.String(allow_none=True)
    details = fields.String(allow_none=True)
    url = fields.String(allow_none=True)


class CostOptionSchema(Schema):
    option = fields.String(allow_none=True)
    amount = fields.Float(allow_none=True)
    currency = fields.String()
    amount_description = fields.String(allow_none=True)


class ServiceAreaSchema(Schema):
    extent_type = fields.String(
        metadata={"description": "nationwide | state | county | postal_code"}
    )
    code = fields.String(
        allow_none=True, metadata={"description": 'null, "NY", "NY:Kings" or "10001"'}
    )
    reach = fields.String(metadata={"description": "mail | phone | online | text"})
    description = fields.String(allow_none=True)


class ServiceAtPlaceSchema(ServiceSummarySchema):
    """A service as listed on a location's record."""

    cost_options = fields.List(fields.Nested(CostOptionSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))


class LocationRecordSchema(LocationSummarySchema):
    alternate_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    transportation = fields.String(allow_none=True)
    location_type = fields.String(metadata={"description": "physical | postal | virtual"})
    phones = fields.List(fields.Nested(PhoneSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))
    languages = fields.List(fields.Nested(LanguageSchema))
    accessibility = fields.List(fields.Nested(AccessibilitySchema))
    organization = fields.Nested(OrganizationSummarySchema)
    services = Selected(ServiceAtPlaceSchema, visible_services)
    source = fields.Nested(SourceSchema, allow_none=True)
    last_verified = fields.Date(
        attribute="assured_date", allow_none=True, metadata={"description": "Last human check"}
    )
    last_modified = fields.DateTime()


class ServiceRecordSchema(ServiceSummarySchema):
    alternate_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    url = StoredUrl()
    email = fields.String(allow_none=True)
    eligibility_description = fields.String(allow_none=True)
    application_process = fields.String(allow_none=True)
    fees_description = fields.String(allow_none=True)
    cost_options = fields.List(fields.Nested(CostOptionSchema))
    phones = fields.List(fields.Nested(PhoneSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))
    service_areas = fields.List(fields.Nested(ServiceAreaSchema))
    organization = fields.Nested(OrganizationSummarySchema)
    locations = Selected(LocationSummarySchema, live)
    source = fields.Nested(SourceSchema, allow_none=True)
    last_modified = fields.DateTime()


class OrganizationRecordSchema(OrganizationSummarySchema):
    alternate_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = StoredUrl()
    is_partner = fields.Boolean(
        metadata={"description": "True when the organization keeps its own listings here"}
    )
    locations = Selected(LocationSummarySchema, live)
    services = Selected(ServiceSummarySchema, visible_services)
    source = fields.Nested(SourceSchema, allow_none=True)
    last_modified = fields.DateTime()


def field_changes(changes: Any) -> list[dict]:
    """``{field: [old, new]}`` as a list sorted by field, which is simpler to document and read."""
    return [
        {"field": field, "old": old, "new": new}
        for field, (old, new) in sorted(dict(changes or {}).items())
    ]


class FieldChangeSchema(Schema):
    field = fields.String(metadata={"example": "name"})
    old = fields.Raw(allow_none=True, metadata={"example": "Old name"})
    new = fields.Raw(allow_none=True, metadata={"example": "New name"})


class RevisionSchema(Schema):
    id = fields.UUID()
    action = fields.String(
        metadata={"description": "create | update | archive | restore | confirm"}
    )
    actor_type = fields.String(metadata={"description": "user | api_key | source | system"})
    actor_label = fields.String(
        metadata={
            "description": 'Who: the organization whose user or key made the change, "the '
            "directory\" (its admins) or an import's source; never a person or a key"
        }
    )
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    changes = Selected(FieldChangeSchema, field_changes)


class RevisionPageSchema(Schema):
    revisions = fields.List(fields.Nested(RevisionSchema))
    pagination = fields.Nested(SearchPaginationSchema)


class PageArgsSchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "Page number, from 1", "example": 1},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Results per page (at most {MAX_PER_PAGE})", "example": 20},
    )


class LangArgsSchema(Schema):
    lang = fields.String(
        validate=validate.OneOf(("en", "es")),
        metadata={
            "description": "Language of names and legality notes; otherwise Accept-Language, "
            "then English",
            "example": "es",
        },
    )


class TaxonomyTermSchema(Schema):
    code = fields.String(metadata={"example": "buprenorphine"})
    kind = fields.String(metadata={"description": "category | cost | access | population"})
    name = fields.String(metadata={"example": "Buprenorphine"})
    name_es = fields.String(metadata={"example": "Buprenorfina"})
    description = fields.String(allow_none=True)
    parent = fields.Function(
        lambda term: term.parent.code if term.parent else None,
        allow_none=True,
        metadata={"type": "string", "nullable": True, "example": "moud"},
    )


class TaxonomySchema(Schema):
    terms = fields.List(fields.Nested(TaxonomyTermSchema))


def notes_in_locale(notes: list[Any]) -> list[Any]:
    """The state's notes in the request's language, as every face orders them
    (``queries.context.notes_in_order``)."""
    return notes_in_order(notes, [], current_locale())


class StateSchema(Schema):
    code = fields.String(metadata={"example": "NY"})
    name = fields.Function(
        lambda state: state.name_es if spanish() else state.name,
        metadata={"type": "string", "description": "In the request's language"},
    )
    fips = fields.String(metadata={"example": "36"})
    legality_notes = Selected(LegalityNoteSchema, notes_in_locale)


class StateListSchema(Schema):
    states = fields.List(fields.Nested(StateSchema))


def record_schema(listing: Any) -> Schema:
    """The schema of a location's or a service's public record."""
    return LocationRecordSchema() if isinstance(listing, Location) else ServiceRecordSchema()


def record_etag(listing: Any) -> str:
    """The ETag of a location's or service's public record, as ``GET /api/v1/…/<id>`` gives it.

    One definition of "version" for reads and writes, in the API and the portal: a client may
    send back the ETag of its GET, or of its last write, as If-Match; a portal form carries it.
    It is flask-smorest's own hash of the dumped record (the one ``Blueprint.etag``,
    ``check_etag`` and ``set_etag`` compute), so the portal's version cannot drift from the API's.
    """
    return Blueprint._generate_etag(record_schema(listing).dump(listing))

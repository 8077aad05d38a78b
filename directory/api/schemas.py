"""Output schemas shared by the JSON API: summaries of listings, legality notes and sources.

These are the shapes a search result is made of; the full-record endpoints reuse them. A
confidential location never shows its street address or exact coordinates, only its front door
(a phone number or intake instructions), whoever asks.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump

from directory.models.states import LEGALITY_TOPICS
from directory.places import public_place
from directory.validation import web_url


def term_codes(service: Any, kind: str) -> list[str]:
    """The codes of the service's taxonomy terms of one kind, in taxonomy order."""
    terms = [term for term in service.terms if term.kind == kind]
    return [term.code for term in sorted(terms, key=lambda term: (term.sort_order, term.code))]


class AddressSchema(Schema):
    address_1 = fields.String()
    address_2 = fields.String(allow_none=True)
    city = fields.String()
    state = fields.String(attribute="state_province")
    postal_code = fields.String()


class SourceSchema(Schema):
    """Where a listing comes from, shown beside it with its vintage."""

    name = fields.String()
    vintage = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    as_of_date = fields.Date(allow_none=True)


class PhoneSchema(Schema):
    number = fields.String(metadata={"example": "212-555-0100"})
    extension = fields.String(allow_none=True)
    type = fields.String(metadata={"description": "voice | text | fax | hotline | tty"})
    description = fields.String(
        allow_none=True, metadata={"description": "e.g. main line, intake (appointments)"}
    )


class LocationSummarySchema(Schema):
    id = fields.UUID()
    name = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    precision = fields.String(metadata={"description": "exact | approximate | intersection"})
    position_description = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)
    timezone = fields.String()
    confidential = fields.Boolean()
    front_door = fields.String(allow_none=True)
    phones = fields.List(
        fields.Nested(PhoneSchema),
        metadata={"description": "The place's own lines: main first, then intake"},
    )
    url = fields.Function(
        lambda location: web_url(location.organization.website),
        metadata={"description": "The organization's website, where known"},
    )

    @post_dump(pass_original=True)
    def only_public_place(self, data: dict, location: Any, **kwargs) -> dict:
        """Where the place is as anyone may see it (``places.public_place``); the front door
        is a confidential place's own field."""
        place = public_place(location)
        data.update(
            latitude=place.latitude,
            longitude=place.longitude,
            position_description=place.position_description,
        )
        if place.address is None:
            data["address"] = None
        if place.confidential:
            data["front_door"] = place.front_door
        else:
            data.pop("front_door", None)
        return data


class OrganizationSummarySchema(Schema):
    id = fields.UUID()
    name = fields.String()


class ServiceSummarySchema(Schema):
    id = fields.UUID()
    name = fields.String()
    status = fields.String(metadata={"description": "active | temporarily_closed"})
    categories = fields.Function(lambda service: term_codes(service, "category"))
    cost = fields.Function(lambda service: term_codes(service, "cost"))
    access = fields.Function(lambda service: term_codes(service, "access"))
    populations = fields.Function(lambda service: term_codes(service, "population"))
    languages = fields.Function(lambda service: service.language_codes)
    assured_date = fields.Date(allow_none=True)


class LegalityNoteSchema(Schema):
    topic = fields.String(metadata={"enum": list(LEGALITY_TOPICS)})
    status = fields.String(
        metadata={"description": "allowed | allowed_with_conditions | prohibited | unclear"}
    )
    summary = fields.String()
    citation = fields.String(allow_none=True)
    source_name = fields.String()
    source_url = fields.String()
    law_as_of = fields.Date()
    reviewed_at = fields.Date()


# Short names other modules import.
LocationSummary = LocationSummarySchema
OrganizationSummary = OrganizationSummarySchema
ServiceSummary = ServiceSummarySchema
LegalityNote = LegalityNoteSchema
Source = SourceSchema


class OriginSchema(Schema):
    """The place a search was centred on, as understood (so a person can see what we read)."""

    lat = fields.Float()
    lng = fields.Float()
    label = fields.String()
    kind = fields.String(
        metadata={"description": "zip | city | county | state | address | coordinates"}
    )
    state = fields.String(allow_none=True)
    centre_of = fields.String(
        allow_none=True,
        metadata={
            "description": "An address that could not be placed itself is placed at the centre "
            "of this city, county or ZIP code; distances are from there"
        },
    )


class OpenStatusSchema(Schema):
    state = fields.String(metadata={"description": "open | closed | unknown (no hours listed)"})
    opens_at = fields.DateTime(allow_none=True, metadata={"description": "Next opening, local"})
    closes_at = fields.DateTime(allow_none=True, metadata={"description": "Next closing, local"})


class SearchHitSchema(Schema):
    """One result card: a place and the matching services offered there."""

    location = fields.Nested(LocationSummarySchema)
    organization = fields.Nested(OrganizationSummarySchema, attribute="location.organization")
    services = fields.List(fields.Nested(ServiceSummarySchema))
    distance_miles = fields.Function(
        lambda hit: None if hit.distance_miles is None else round(hit.distance_miles, 2)
    )
    open_now = fields.Boolean(allow_none=True, metadata={"description": "null: hours unknown"})
    open_status = fields.Nested(OpenStatusSchema)
    last_verified = fields.Date(allow_none=True)
    temporarily_closed = fields.Boolean()
    precision = fields.String(attribute="location.precision")
    source = fields.Nested(SourceSchema, attribute="location.source", allow_none=True)


class RemoteServiceSchema(Schema):
    service = fields.Nested(ServiceSummarySchema)
    organization = fields.Nested(OrganizationSummarySchema, attribute="service.organization")
    reach = fields.String(metadata={"description": "mail | phone | online | text"})
    serves = fields.String(metadata={"description": 'nationwide, "NY", "NY:Kings" or "10001"'})


class SearchPaginationSchema(Schema):
    total = fields.Integer()
    total_pages = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class SearchResponseSchema(Schema):
    origin = fields.Nested(OriginSchema, allow_none=True)
    results = fields.List(fields.Nested(SearchHitSchema), attribute="hits")
    remote_services = fields.List(fields.Nested(RemoteServiceSchema), attribute="remote")
    legality = fields.List(fields.Nested(LegalityNoteSchema))
    pagination = fields.Nested(SearchPaginationSchema)
    nearest = fields.List(
        fields.Nested(SearchHitSchema),
        metadata={
            "description": "Empty unless nothing matched within the radius: then up to 3 "
            "matching places beyond it, within 250 miles, nearest first"
        },
    )

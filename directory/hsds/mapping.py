"""Our records as Open Referral HSDS 3.0 objects (plain dicts ready for JSON).

HSDS fields are never ``null``: a field we have no value for is left out, as the official
schemas expect. Fields HSDS has no place for (time zone, precision, confidentiality) stay out of
the API bodies; the data package carries them as extension columns (see ``package.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session, selectinload

from directory.hsds import areas
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    ForeignTerm,
    Language,
    LinkedAttribute,
    Location,
    Organization,
    Phone,
    Revision,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.operations.revisions import public_actor_label
from directory.places import public_place
from directory.validation import web_url

HSDS_VERSION = "3.0.1"
PROFILE_URL = "https://openreferral.org/hsds/3.0"
# HSDS spells it with a space; our status codes are URL- and enum-friendly.
STATUS_TO_HSDS = {"temporarily_closed": "temporarily closed"}
STATUS_FROM_HSDS = {hsds: ours for ours, hsds in STATUS_TO_HSDS.items()}
# HSDS phone types are RFC 6350's (text, voice, fax, cell, video, pager, textphone): a hotline is
# a voice line, a TTY a textphone. The tabular export keeps ours in an extension column.
PHONE_TYPE_TO_HSDS = {"hotline": "voice", "tty": "textphone"}
PHONE_TYPE_FROM_HSDS = {
    "voice": "voice",
    "cell": "voice",
    "text": "text",
    "fax": "fax",
    "textphone": "tty",
}
# Metadata ids must be UUIDs and one revision changes many fields: derive one id per field.
METADATA_NAMESPACE = uuid.UUID("5b0c4c8e-6f1e-4a4e-9a57-2f0b2d1f6a31")


def hsds_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def present(**values: Any) -> dict[str, Any]:
    """The given fields in HSDS form, leaving out those without a value."""
    return {key: hsds_value(value) for key, value in values.items() if value is not None}


def metadata(revisions: Iterable[Revision], resource_type: str) -> list[dict]:
    """A record's change history as HSDS metadata: one entry per changed field."""
    entries = []
    for revision in revisions:
        changes = revision.changes or {"": [None, None]}
        for field, (old, new) in sorted(changes.items()):
            entries.append(
                {
                    "id": str(uuid.uuid5(METADATA_NAMESPACE, f"{revision.id}:{field}")),
                    "resource_id": str(revision.entity_id),
                    "resource_type": resource_type,
                    "last_action_date": hsds_value(revision.created_at),
                    "last_action_type": revision.action,
                    "field_name": field,
                    "previous_value": "" if old is None else str(old),
                    "replacement_value": "" if new is None else str(new),
                    "updated_by": public_actor_label(revision),
                }
            )
    return entries


def phone(row: Phone) -> dict:
    extension = int(row.extension) if row.extension and row.extension.isdigit() else None
    return present(
        id=row.id,
        location_id=row.location_id,
        service_id=row.service_id,
        organization_id=row.organization_id,
        number=row.number,
        extension=extension,
        type=PHONE_TYPE_TO_HSDS.get(row.type, row.type),
        description=row.description,
    )


def schedule(row: Schedule) -> dict:
    return present(
        id=row.id,
        service_id=row.service_id,
        location_id=row.location_id,
        freq=row.freq,
        byday=row.byday,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        description=row.description,
    )


def language(row: Language) -> dict:
    return present(
        id=row.id,
        service_id=row.service_id,
        location_id=row.location_id,
        name=row.name,
        code=row.code,
        note=row.note,
    )


def address(row: Address) -> dict:
    return present(
        id=row.id,
        location_id=row.location_id,
        attention=row.attention,
        address_1=row.address_1,
        address_2=row.address_2,
        city=row.city,
        region=row.region,
        state_province=row.state_province,
        postal_code=row.postal_code,
        country=row.country,
        address_type=row.address_type,
    )


def accessibility(row: Accessibility) -> dict:
    return present(
        id=row.id,
        location_id=row.location_id,
        description=row.description,
        details=row.details,
        url=web_url(row.url),
    )


def cost_option(row: CostOption) -> dict:
    return present(
        id=row.id,
        service_id=row.service_id,
        option=row.option,
        currency=row.currency,
        amount=row.amount,
        amount_description=row.amount_description,
    )


def service_area(row: ServiceArea) -> dict:
    """The area named and defined as text: HSDS's ``extent_type`` is the extent's format, not
    the kind of area (``areas.py``)."""
    return present(
        id=row.id,
        service_id=row.service_id,
        name=areas.hsds_name(row),
        description=row.description or f"Reached by {row.reach}",
        extent=areas.hsds_extent(row),
        extent_type=areas.TEXT,
    )


def taxonomy(row: Taxonomy) -> dict:
    return present(
        id=row.id, name=row.name, description=row.description, uri=row.uri, version=row.version
    )


def taxonomy_term(row: TaxonomyTerm, *, nested: bool = False) -> dict:
    body = present(
        id=row.id,
        code=row.code,
        name=row.name,
        description=row.description or row.name,
        parent_id=row.parent_id,
        taxonomy=row.taxonomy.name,
        language="en",
        taxonomy_id=row.taxonomy_id,
    )
    if nested:
        body["taxonomy_detail"] = taxonomy(row.taxonomy)
    return body


def in_taxonomy_order(attributes: Iterable[Attribute]) -> list[Attribute]:
    return sorted(attributes, key=lambda a: (a.taxonomy_term.sort_order, a.taxonomy_term.code))


def attribute(row: Attribute) -> dict:
    return present(
        id=row.id,
        link_id=row.service_id,
        taxonomy_term_id=row.taxonomy_term_id,
        link_type=row.taxonomy_term.kind,
        link_entity="service",
        value=row.value,
        taxonomy_term=taxonomy_term(row.taxonomy_term),
    )


def foreign_term(row: ForeignTerm) -> dict:
    """Another taxonomy's term, every field as it was imported."""
    return present(
        id=row.id,
        code=row.code,
        name=row.name,
        description=row.description,
        parent_id=row.parent_id,
        taxonomy=row.taxonomy,
        language=row.language,
        taxonomy_id=row.taxonomy_id,
        term_uri=row.term_uri,
    )


def linked_attributes(entity: str, record: Any) -> list[dict]:
    """Attributes beyond our own service tags (another taxonomy's terms; our terms on an
    organization or a location) that an import attached to ``record``."""
    session = object_session(record)
    if session is None:
        return []
    statement = (
        select(LinkedAttribute)
        .where(LinkedAttribute.link_entity == entity, LinkedAttribute.link_id == record.id)
        .options(
            selectinload(LinkedAttribute.foreign_term),
            selectinload(LinkedAttribute.taxonomy_term),
        )
        .order_by(LinkedAttribute.id)
    )
    return [
        present(
            id=row.id,
            link_id=row.link_id,
            taxonomy_term_id=row.taxonomy_term_id or row.foreign_term_id,
            link_type=row.link_type,
            link_entity=row.link_entity,
            value=row.value,
            taxonomy_term=(
                foreign_term(row.foreign_term)
                if row.foreign_term is not None
                else taxonomy_term(row.taxonomy_term)
            ),
        )
        for row in session.scalars(statement)
    ]


def organization_basic(row: Organization) -> dict:
    return present(
        id=row.id,
        name=row.name,
        alternate_name=row.alternate_name,
        # HSDS requires a description; a name is the best summary we have without one.
        description=row.description or row.name,
        email=row.email,
        website=web_url(row.website),
    )


def location_basic(row: Location) -> dict:
    body = present(
        id=row.id,
        location_type=row.location_type,
        organization_id=row.organization_id,
        name=row.name,
        alternate_name=row.alternate_name,
        description=row.description,
        transportation=row.transportation,
    )
    place = public_place(row)
    return body | present(latitude=place.latitude, longitude=place.longitude)


def location_full(row: Location, revisions: Iterable[Revision] = ()) -> dict:
    """A location with its address, contact details and hours; a confidential one shows only
    its front door (in ``description``) and no address or coordinates."""
    body = location_basic(row)
    place = public_place(row)
    if place.confidential:
        body["description"] = place.front_door or "Confidential location: call for directions."
    body |= {
        "addresses": [address(place.address)] if place.address is not None else [],
        "phones": [phone(p) for p in row.phones],
        "schedules": [schedule(s) for s in row.schedules],
        "languages": [language(lang) for lang in row.languages],
        "accessibility": [accessibility(a) for a in row.accessibility],
        "metadata": metadata(revisions, "location"),
    }
    return body


def service_basic(row: Service) -> dict:
    return present(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        alternate_name=row.alternate_name,
        description=row.description,
        url=web_url(row.url),
        email=row.email,
        status=STATUS_TO_HSDS.get(row.status, row.status),
        application_process=row.application_process,
        fees_description=row.fees_description,
        eligibility_description=row.eligibility_description,
        assured_date=row.assured_date,
        last_modified=row.last_modified,
    )


def service_list_item(row: Service) -> dict:
    return service_basic(row) | {"organization": organization_basic(row.organization)}


def service_at_location_basic(link: ServiceAtLocation) -> dict:
    return present(
        id=link.id,
        service_id=link.service_id,
        location_id=link.location_id,
        description=link.description,
    )


def service_full(row: Service, revisions: Iterable[Revision] = ()) -> dict:
    return service_list_item(row) | {
        "phones": [phone(p) for p in row.phones],
        "schedules": [schedule(s) for s in row.schedules],
        "service_areas": [service_area(a) for a in row.service_areas],
        "service_at_locations": [
            service_at_location_basic(link) | {"location": location_full(link.location)}
            for link in row.location_links
            if link.location.archived_at is None
        ],
        "languages": [language(lang) for lang in row.languages],
        "cost_options": [cost_option(c) for c in row.cost_options],
        "attributes": [attribute(a) for a in in_taxonomy_order(row.attributes)]
        + linked_attributes("service", row),
        "metadata": metadata(revisions, "service"),
    }


def organization_full(
    row: Organization,
    services: Iterable[Service],
    nested_service: Callable[[Service], dict] = service_basic,
    revisions: Iterable[Revision] = (),
) -> dict:
    """An organization with its locations and services (``service_full`` for full_service)."""
    return organization_basic(row) | {
        "locations": [location_full(loc) for loc in row.locations if loc.archived_at is None],
        "services": [nested_service(s) for s in services if s.archived_at is None],
        "attributes": linked_attributes("organization", row),
        "metadata": metadata(revisions, "organization"),
    }


def service_at_location_list_item(link: ServiceAtLocation) -> dict:
    return service_at_location_basic(link) | {
        "location": location_basic(link.location),
        "service": service_basic(link.service),
    }


def service_at_location_full(link: ServiceAtLocation, revisions: Iterable[Revision] = ()) -> dict:
    return service_at_location_basic(link) | {
        "phones": [phone(p) for p in link.location.phones],
        "schedules": [schedule(s) for s in link.service.schedules or link.location.schedules],
        "location": location_full(link.location),
        "service": service_list_item(link.service),
        "attributes": [attribute(a) for a in in_taxonomy_order(link.service.attributes)],
        "metadata": metadata(revisions, "service"),
    }


def minimal_service(row: Service) -> dict:
    """``minimal=true``: the id and modification date, with the name and status HSDS requires."""
    return present(
        id=row.id,
        name=row.name,
        status=STATUS_TO_HSDS.get(row.status, row.status),
        last_modified=row.last_modified,
    )

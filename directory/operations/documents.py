"""A listing as one document: its own columns plus its parts, in JSON form, and back.

A location's parts are its address, phones, weekly hours and languages; a service's are its
taxonomy terms, locations, service areas, phones, hours and languages. Revisions record document
fields, old → new, so an earlier version can be put back exactly with :func:`set_fields`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, DateTime, String, Uuid, inspect, select
from sqlalchemy.orm import Session

from directory import geo, hours, validation
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.models.base import UTCDateTime
from directory.models.details import PHONE_TYPES
from directory.models.services import EXTENT_TYPES, REACHES
from directory.operations.revisions import snapshot

Listing = Location | Service

LOCATION_PARTS = ("address", "phones", "schedules", "languages")
SERVICE_PARTS = ("categories", "location_ids", "service_areas", "phones", "schedules", "languages")


class ListingError(ValueError):
    """The change cannot be made as asked; ``errors`` names each field's problems."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


def fail(field: str, message: str) -> ListingError:
    return ListingError({field: [message]})


def _time_text(value: time) -> str:
    return value.strftime("%H:%M")


def _schedule_docs(rows: Iterable[Schedule]) -> list[dict[str, Any]]:
    docs = [
        {
            "byday": row.byday,
            "opens_at": _time_text(row.opens_at),
            "closes_at": _time_text(row.closes_at),
            "description": row.description,
        }
        for row in rows
    ]
    return sorted(docs, key=lambda doc: (doc["byday"], doc["opens_at"], doc["closes_at"]))


def _phone_docs(rows: Iterable[Phone]) -> list[dict[str, Any]]:
    docs = [
        {
            "number": row.number,
            "extension": row.extension,
            "type": row.type,
            "description": row.description,
        }
        for row in rows
    ]
    return sorted(docs, key=lambda doc: (doc["number"], doc["type"]))


def address_doc(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "address_1": address.address_1,
        "address_2": address.address_2,
        "city": address.city,
        "region": address.region,
        "state": address.state_province,
        "postal_code": address.postal_code,
    }


def document(entity: Any) -> dict[str, Any]:
    """The entity as JSON-ready fields: its columns, plus a listing's parts."""
    doc = snapshot(entity)
    if isinstance(entity, Location):
        doc["address"] = address_doc(entity.address)
        doc["phones"] = _phone_docs(entity.phones)
        doc["schedules"] = _schedule_docs(entity.schedules)
        doc["languages"] = sorted({row.code for row in entity.languages})
    elif isinstance(entity, Service):
        doc["categories"] = sorted(a.taxonomy_term.code for a in entity.attributes)
        doc["location_ids"] = sorted(str(link.location_id) for link in entity.location_links)
        doc["service_areas"] = sorted(
            (
                {"extent_type": a.extent_type, "code": a.code, "reach": a.reach}
                for a in entity.service_areas
            ),
            key=lambda area: (area["reach"], area["extent_type"], area["code"] or ""),
        )
        doc["phones"] = _phone_docs(entity.phones)
        doc["schedules"] = _schedule_docs(entity.schedules)
        doc["languages"] = sorted({row.code for row in entity.languages})
    return doc


def _column_value(entity: Any, field: str, value: Any) -> Any:
    """Turn a JSON value (as stored in a revision) into the column's Python type."""
    column = inspect(entity).mapper.columns[field]
    if value is None or not isinstance(value, str):
        return value
    if isinstance(column.type, DateTime | UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, Uuid):
        return uuid.UUID(value)
    return value


def _parse_time(field: str, value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        raise fail("schedules", f"{field} {value!r} is not a time like 09:00") from None
    try:
        hours.validate_span(parsed, parsed)
    except ValueError as error:
        raise fail("schedules", str(error)) from None
    return parsed


def _schedules(docs: Iterable[dict[str, Any]]) -> list[Schedule]:
    rows = []
    for doc in docs:
        try:
            days = hours.parse_byday(doc.get("byday") or "")
        except ValueError as error:
            raise fail("schedules", str(error)) from None
        if not days:
            raise fail("schedules", "Choose at least one day for each opening span.")
        opens_at = _parse_time("opens_at", doc.get("opens_at"))
        closes_at = _parse_time("closes_at", doc.get("closes_at"))
        rows.append(
            Schedule(
                byday=hours.format_byday(days),
                opens_at=opens_at,
                closes_at=closes_at,
                description=doc.get("description") or None,
            )
        )
    return rows


def _phones(docs: Iterable[dict[str, Any]]) -> list[Phone]:
    rows = []
    for doc in docs:
        number = (doc.get("number") or "").strip()
        kind = doc.get("type") or "voice"
        if not number:
            raise fail("phones", "A phone number cannot be empty.")
        if kind not in PHONE_TYPES:
            raise fail("phones", f"Phone type must be one of {', '.join(PHONE_TYPES)}.")
        rows.append(
            Phone(
                number=number,
                extension=doc.get("extension") or None,
                type=kind,
                description=doc.get("description") or None,
            )
        )
    return rows


def _languages(codes: Iterable[str]) -> list[Language]:
    cleaned = sorted({code.strip().lower() for code in codes if code and code.strip()})
    for code in cleaned:
        if not code.isalpha() or not 2 <= len(code) <= 3:
            raise fail("languages", f"{code!r} is not a language code like en or es.")
    return [Language(code=code) for code in cleaned]


def _set_address(session: Session, location: Location, doc: dict[str, Any] | None) -> None:
    if doc is None:
        location.address = None
        return
    state = (doc.get("state") or "").upper()
    if state not in geo.STATES:
        raise fail("address.state", f"{doc.get('state')!r} is not a US state code.")
    for key in ("address_1", "city", "postal_code"):
        if not (doc.get(key) or "").strip():
            raise fail(f"address.{key}", "This part of the address is required.")
    values = {
        "address_1": doc["address_1"].strip(),
        "address_2": (doc.get("address_2") or "").strip() or None,
        "city": doc["city"].strip(),
        "region": (doc.get("region") or "").strip() or None,
        "state_province": state,
        "postal_code": doc["postal_code"].strip(),
    }
    # Updated in place: a new Address row would collide with the old one's unique location_id.
    address = location.address or Address()
    for key, value in values.items():
        setattr(address, key, value)
    location.address = address


def _set_categories(session: Session, service: Service, codes: Iterable[str]) -> None:
    wanted = sorted(set(codes))
    terms = {
        term.code: term
        for term in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code.in_(wanted)))
    }
    unknown = [code for code in wanted if code not in terms]
    if unknown:
        raise fail("categories", f"Unknown codes: {', '.join(unknown)}.")
    # Kept rows stay, so the (service, term) unique constraint never sees a duplicate insert.
    service.attributes = [a for a in service.attributes if a.taxonomy_term.code in terms]
    have = {a.taxonomy_term.code for a in service.attributes}
    service.attributes.extend(Attribute(taxonomy_term=terms[c]) for c in wanted if c not in have)


def _set_location_ids(session: Session, service: Service, ids: Iterable[Any]) -> None:
    try:
        wanted = {uuid.UUID(str(value)) for value in ids}
    except ValueError:
        raise fail("location_ids", "Location ids must be UUIDs.") from None
    found = set(
        session.scalars(
            select(Location.id).where(
                Location.id.in_(wanted), Location.organization_id == service.organization_id
            )
        )
    )
    if wanted - found:
        # Another organization's location is reported exactly like a missing one.
        missing = ", ".join(sorted(str(value) for value in wanted - found))
        raise fail("location_ids", f"No such location of this organization: {missing}.")
    service.location_links = [link for link in service.location_links if link.location_id in wanted]
    have = {link.location_id for link in service.location_links}
    service.location_links.extend(
        ServiceAtLocation(location_id=value) for value in sorted(wanted - have)
    )


def _service_areas(docs: Iterable[dict[str, Any]]) -> list[ServiceArea]:
    rows = []
    for doc in docs:
        extent, reach = doc.get("extent_type"), doc.get("reach")
        code = (doc.get("code") or "").strip() or None
        if extent not in EXTENT_TYPES:
            raise fail("service_areas", f"Extent must be one of {', '.join(EXTENT_TYPES)}.")
        if reach not in REACHES:
            raise fail("service_areas", f"Reach must be one of {', '.join(REACHES)}.")
        if (extent == "nationwide") != (code is None):
            raise fail("service_areas", "Give a code for a state, county or ZIP area, only.")
        if extent == "state" and code.upper() not in geo.STATES:
            raise fail("service_areas", f"{code!r} is not a US state code.")
        rows.append(
            ServiceArea(
                extent_type=extent, code=code.upper() if extent == "state" else code, reach=reach
            )
        )
    return rows


def _set_part(session: Session, entity: Listing, field: str, value: Any) -> None:
    if field == "address":
        _set_address(session, entity, value)
    elif field == "phones":
        entity.phones = _phones(value or [])
    elif field == "schedules":
        entity.schedules = _schedules(value or [])
    elif field == "languages":
        entity.languages = _languages(value or [])
    elif field == "categories":
        _set_categories(session, entity, value or [])
    elif field == "location_ids":
        _set_location_ids(session, entity, value or [])
    elif field == "service_areas":
        entity.service_areas = _service_areas(value or [])


# The rows each list or nested part of a document becomes, whose column sizes bound it.
PART_MODELS = {
    "address": Address,
    "phones": Phone,
    "schedules": Schedule,
    "service_areas": ServiceArea,
}
# Re-exported for the API schemas, which document them as maxItems.
MAX_LOCATION_IDS = validation.MAX_LOCATION_IDS
MAX_SERVICE_AREAS = validation.MAX_SERVICE_AREAS


def column_length(model: type) -> validation.MaxLength:
    """The length of the string column a document field of ``model`` is stored in, by the
    field's document name (``name``, ``address.city``, ``phones.number``), or None."""

    def length(field: str) -> int | None:
        part, _, key = field.rpartition(".")
        owner = PART_MODELS.get(part) if part else model
        if owner is None or not hasattr(owner, "__table__"):
            return None
        column = inspect(owner).columns.get(key)
        if column is not None and isinstance(column.type, String):
            return column.type.length
        return None

    return length


def check_values(model: type, values: dict[str, Any]) -> None:
    """Refuse what a later read could not show (``validation.listing_problems``: the rules
    every route shares), with text no longer than the column that keeps it.

    Raises ListingError naming every field at fault, before anything is changed.
    """
    errors = validation.listing_problems(values, column_length(model))
    if errors:
        raise ListingError(errors)


def set_fields(session: Session, entity: Any, values: dict[str, Any]) -> None:
    """Set document ``values`` on ``entity`` (checked first: nothing changes when one fails)."""
    check_values(type(entity), values)
    parts = LOCATION_PARTS if isinstance(entity, Location) else SERVICE_PARTS
    columns = inspect(entity).mapper.columns
    for field, value in values.items():
        if isinstance(entity, Location | Service) and field in parts:
            _set_part(session, entity, field, value)
        elif field in columns and field not in {"id", "created_at", "last_modified"}:
            setattr(entity, field, _column_value(entity, field, value))


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }

"""What a result card shows, read as plain rows: the page's places and services.

A results page shows twenty places and about fifty services, each with its organization,
address, source, phones, taxonomy terms and languages. Loading those as ORM objects was most of
a search's time (a few hundred objects and UUID conversions per page); these plain objects cost
a fraction of it. They carry the attribute names of the models they summarise, so the API's
schemas and the templates read them as they would read a ``Location`` or a ``Service``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import String, cast, literal, or_, select, union_all
from sqlalchemy.orm import Session

from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    Source,
    TaxonomyTerm,
)
from directory.queries.predicates import among
from directory.queries.taxonomy import taxonomy_index


@dataclass(frozen=True, slots=True)
class CardOrganization:
    id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class CardSource:
    """Where a listing comes from, shown beside it with its vintage."""

    name: str
    vintage: str | None
    url: str | None
    as_of_date: date | None


@dataclass(frozen=True, slots=True)
class CardAddress:
    address_1: str
    address_2: str | None
    city: str
    state_province: str
    postal_code: str


class CardPhone(NamedTuple):
    number: str
    extension: str | None
    type: str
    description: str | None


@dataclass(slots=True)
class CardLocation:
    """A place as a card shows it (see ``api.schemas.LocationSummarySchema``)."""

    id: uuid.UUID
    name: str
    latitude: float | None
    longitude: float | None
    precision: str
    position_description: str | None
    timezone: str
    confidential: bool
    front_door: str | None
    assured_date: date | None
    organization: CardOrganization
    address: CardAddress | None
    source: CardSource | None
    shown_phones: list[CardPhone] = field(default_factory=list)


@dataclass(slots=True)
class CardService:
    """A service as a card or a remote listing shows it (``api.schemas.ServiceSummarySchema``)."""

    id: uuid.UUID
    name: str
    status: str
    description: str | None
    url: str | None
    assured_date: date | None
    organization: CardOrganization
    terms: list = field(default_factory=list)  # taxonomy terms, of every kind
    language_codes: list[str] = field(default_factory=list)
    shown_phones: list[CardPhone] = field(default_factory=list)


def load_cards(
    session: Session, location_ids: Iterable, service_ids: Iterable
) -> tuple[dict[uuid.UUID, CardLocation], dict[uuid.UUID, CardService]]:
    """The cards of these locations and services, by id; ids that are gone are left out."""
    location_ids, service_ids = list(location_ids), list(service_ids)
    connection = session.connection()
    places = _locations(connection, location_ids) if location_ids else {}
    services = _services(connection, service_ids) if service_ids else {}
    if services:
        _terms_and_languages(session, connection, services)
    if places or services:
        _phones(connection, places, services)
    return places, services


def _source(row) -> CardSource | None:
    if row.source_name is None:
        return None
    return CardSource(row.source_name, row.source_vintage, row.source_url, row.source_as_of)


def _locations(connection, location_ids: list) -> dict[uuid.UUID, CardLocation]:
    query = (
        select(
            Location.id,
            Location.name,
            Location.latitude,
            Location.longitude,
            Location.precision,
            Location.position_description,
            Location.timezone,
            Location.confidential,
            Location.front_door,
            Location.assured_date,
            Organization.id.label("organization_id"),
            Organization.name.label("organization_name"),
            Address.address_1,
            Address.address_2,
            Address.city,
            Address.state_province,
            Address.postal_code,
            Source.name.label("source_name"),
            Source.vintage.label("source_vintage"),
            Source.url.label("source_url"),
            Source.as_of_date.label("source_as_of"),
        )
        .join(Organization, Organization.id == Location.organization_id)
        .outerjoin(Address, Address.location_id == Location.id)
        .outerjoin(Source, Source.id == Location.source_id)
        .where(among(Location.id, location_ids, connection.dialect.name))
    )
    places = {}
    for row in connection.execute(query):
        address = None
        if row.address_1 is not None:
            address = CardAddress(
                row.address_1, row.address_2, row.city, row.state_province, row.postal_code
            )
        places[row.id] = CardLocation(
            id=row.id,
            name=row.name,
            latitude=row.latitude,
            longitude=row.longitude,
            precision=row.precision,
            position_description=row.position_description,
            timezone=row.timezone,
            confidential=row.confidential,
            front_door=row.front_door,
            assured_date=row.assured_date,
            organization=CardOrganization(row.organization_id, row.organization_name),
            address=address,
            source=_source(row),
        )
    return places


def _services(connection, service_ids: list) -> dict[uuid.UUID, CardService]:
    query = (
        select(
            Service.id,
            Service.name,
            Service.status,
            Service.description,
            Service.url,
            Service.assured_date,
            Organization.id.label("organization_id"),
            Organization.name.label("organization_name"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(among(Service.id, service_ids, connection.dialect.name))
    )
    return {
        row.id: CardService(
            id=row.id,
            name=row.name,
            status=row.status,
            description=row.description,
            url=row.url,
            assured_date=row.assured_date,
            organization=CardOrganization(row.organization_id, row.organization_name),
        )
        for row in connection.execute(query)
    }


def _terms_and_languages(session: Session, connection, services: dict) -> None:
    """Each service's terms (their details from the process's taxonomy) and language codes,
    from one query: (service, "term", term id as text) and (service, "language", code)."""
    dialect = connection.dialect.name
    terms = select(
        Attribute.service_id, literal("term"), cast(Attribute.taxonomy_term_id, String)
    ).where(among(Attribute.service_id, services, dialect))
    codes = select(Language.service_id, literal("language"), Language.code).where(
        among(Language.service_id, services, dialect)
    )
    taxonomy = taxonomy_index(session)
    spoken: dict[uuid.UUID, set[str]] = {service_id: set() for service_id in services}
    for service_id, kind, value in connection.execute(union_all(terms, codes)):
        if kind == "language":
            spoken[service_id].add(value)
            continue
        term = taxonomy.by_raw_id.get(value)
        if term is None:
            # A term added since this process read the taxonomy.
            term = session.get(TaxonomyTerm, uuid.UUID(value))
        if term is not None:
            services[service_id].terms.append(term)
    for service_id, service in services.items():
        service.terms.sort(key=lambda term: (term.sort_order, term.code))
        service.language_codes = sorted(spoken[service_id])


def _phones(connection, places: dict, services: dict) -> None:
    """The phones of the page's places and services, from one query."""
    owners: dict[uuid.UUID, CardLocation | CardService] = {**places, **services}
    query = select(
        Phone.location_id,
        Phone.service_id,
        Phone.number,
        Phone.extension,
        Phone.type,
        Phone.description,
    ).where(
        or_(
            among(Phone.location_id, places, connection.dialect.name),
            among(Phone.service_id, services, connection.dialect.name),
        )
    )
    for location_id, service_id, *phone in connection.execute(query):
        for owner_id in (location_id, service_id):
            if owner_id in owners:
                owners[owner_id].shown_phones.append(CardPhone(*phone))

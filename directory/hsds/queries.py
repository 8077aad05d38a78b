"""The read side of the HSDS API: one ``select()`` per list, with its filters, and the loaders
for fully nested records.

Lists are built as statements so the same filters serve a page (offset/limit and a count) and
an NDJSON stream of every row. A stream is read after its view has returned, when the request's
session is already closed: it reads through a session of its own, in batches, so the whole
dataset streams on the real server in bounded memory.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Select, String, func, or_, select, type_coerce
from sqlalchemy.orm import Session, joinedload, selectinload

from directory.extensions import db
from directory.geo import bounding_box, zip_centroid
from directory.geo.distance import EARTH_RADIUS_MILES
from directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Revision,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

METRES_PER_MILE = 1609.344
STREAM_BATCH = 500


class UnknownPostcode(ValueError):
    """The postcode has no known centroid, so nothing can be measured from it."""


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError):
        return None


def service_loaders() -> list:
    # Many-to-one: a join costs less than a second query per batch when streaming everything.
    return [joinedload(Service.organization)]


def full_service_loaders() -> list:
    location = selectinload(Service.location_links).selectinload(ServiceAtLocation.location)
    return [
        selectinload(Service.organization),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.languages),
        selectinload(Service.cost_options),
        selectinload(Service.attributes)
        .selectinload(Attribute.taxonomy_term)
        .selectinload(TaxonomyTerm.taxonomy),
        location.selectinload(Location.address),
        location.selectinload(Location.phones),
        location.selectinload(Location.schedules),
        location.selectinload(Location.languages),
        location.selectinload(Location.accessibility),
    ]


def _term_filter(args: dict[str, Any]) -> list:
    """Services tagged with the term, or with any term of the taxonomy."""
    conditions = []
    if args.get("taxonomy_term_id"):
        conditions.append(
            Service.id.in_(
                select(Attribute.service_id).where(
                    Attribute.taxonomy_term_id == args["taxonomy_term_id"]
                )
            )
        )
    if args.get("taxonomy_id"):
        conditions.append(
            Service.id.in_(
                select(Attribute.service_id)
                .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
                .where(TaxonomyTerm.taxonomy_id == args["taxonomy_id"])
            )
        )
    return conditions


def services(args: dict[str, Any]) -> Select:
    statement = select(Service).where(Service.archived_at.is_(None), *_term_filter(args))
    statement = _narrowed(
        statement,
        args,
        searched=(Service.name, Service.description),
        modified=Service.last_modified,
    )
    return statement.order_by(Service.name, Service.id)


def _narrowed(statement: Select, args: dict[str, Any], *, searched, modified) -> Select:
    """The filters the service lists share: words in any ``searched`` column, the
    organization, and changes since ``modified_after``."""
    if args.get("search"):
        words = args["search"]
        statement = statement.where(
            or_(*(column.icontains(words, autoescape=True) for column in searched))
        )
    if args.get("organization_id"):
        statement = statement.where(Service.organization_id == args["organization_id"])
    if args.get("modified_after"):
        statement = statement.where(modified >= args["modified_after"])
    return statement


def organizations(args: dict[str, Any]) -> Select:
    statement = select(Organization).where(Organization.archived_at.is_(None))
    if args.get("search"):
        statement = statement.where(Organization.name.icontains(args["search"], autoescape=True))
    return statement.order_by(Organization.name, Organization.id)


def service_at_location_loaders(full: bool = False) -> list:
    """What a list item needs loaded up front (``full``: the nested records too), so that no
    row of a page or a stream costs a query of its own."""
    service = selectinload(ServiceAtLocation.service)
    location = selectinload(ServiceAtLocation.location)
    if not full:
        return [service, location]
    return [
        service.joinedload(Service.organization),
        service.selectinload(Service.schedules),
        service.selectinload(Service.attributes)
        .selectinload(Attribute.taxonomy_term)
        .selectinload(TaxonomyTerm.taxonomy),
        location.selectinload(Location.address),
        location.selectinload(Location.phones),
        location.selectinload(Location.schedules),
        location.selectinload(Location.languages),
        location.selectinload(Location.accessibility),
    ]


def service_at_locations(args: dict[str, Any]) -> Select:
    """The listed service-at-locations matching ``args``, without loaders (see
    ``service_at_location_loaders``), so that proximity can select only coordinates from it."""
    statement = (
        select(ServiceAtLocation)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Service.archived_at.is_(None), Location.archived_at.is_(None), *_term_filter(args))
    )
    statement = _narrowed(
        statement,
        args,
        searched=(Service.name, Location.name),
        modified=ServiceAtLocation.last_modified,
    )
    if args.get("postcode") and args.get("proximity") is None:
        # A confidential location's postcode is part of the address it keeps to itself.
        statement = statement.where(
            Location.confidential.is_(False),
            Location.id.in_(
                select(Address.location_id).where(Address.postal_code == args["postcode"])
            ),
        )
    return statement.order_by(ServiceAtLocation.id)


def near_postcode(statement: Select, postcode: str, proximity_metres: float) -> list:
    """The ids of the service-at-locations within ``proximity_metres`` of the postcode's
    centroid, nearest first, as the driver returns them (see ``service_at_locations_by_id``).

    Only a bounding box on the coordinate index is read, and only ids and coordinates from it,
    measured all at once: the records themselves are loaded for the page shown, or batch by
    batch for a stream (500 km around Manhattan holds some 13,000 of them).
    """
    origin = zip_centroid(postcode)
    if origin is None:
        raise UnknownPostcode(postcode)
    radius = proximity_metres / METRES_PER_MILE
    min_lat, max_lat, min_lng, max_lng = bounding_box(origin.lat, origin.lng, radius)
    rows = db.session.execute(
        statement.with_only_columns(
            # Raw: converting thousands of ids to UUIDs would cost more than measuring them.
            type_coerce(ServiceAtLocation.id, String),
            Location.latitude,
            Location.longitude,
            maintain_column_froms=True,
        )
        .where(
            Location.confidential.is_(False),
            Location.latitude.between(min_lat, max_lat),
            Location.longitude.between(min_lng, max_lng),
        )
        .order_by(None)
    ).all()
    if not rows:
        return []
    ids, lats, lngs = zip(*rows, strict=True)
    distances = _haversine(origin.lat, origin.lng, np.array(lats), np.array(lngs)).tolist()
    # The id breaks ties (a place's services are equally far), so pages never overlap.
    measured = sorted(zip(distances, ids, strict=True))
    return [link_id for distance, link_id in measured if distance <= radius]


def _haversine(lat0: float, lng0: float, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """``haversine_miles`` from one point to many at once."""
    phi0, phi = np.radians(lat0), np.radians(lat)
    a = (
        np.sin((phi - phi0) / 2) ** 2
        + np.cos(phi0) * np.cos(phi) * np.sin(np.radians(lng - lng0) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def service_at_locations_by_id(ids: Sequence, loaders: list, session=None) -> list:
    """The service-at-locations with these ids (UUIDs, or as ``near_postcode`` gives them), in
    the order given."""
    wanted = [value if isinstance(value, uuid.UUID) else uuid.UUID(value) for value in ids]
    rows = (session or db.session).scalars(
        select(ServiceAtLocation).where(ServiceAtLocation.id.in_(wanted)).options(*loaders)
    )
    by_id = {row.id: row for row in rows}
    return [by_id[link_id] for link_id in wanted if link_id in by_id]


def taxonomies(args: dict[str, Any]) -> Select:
    statement = select(Taxonomy)
    if args.get("search"):
        statement = statement.where(Taxonomy.name.icontains(args["search"], autoescape=True))
    return statement.order_by(Taxonomy.name)


def taxonomy_terms(args: dict[str, Any]) -> Select:
    statement = select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))
    if args.get("search"):
        q = args["search"]
        statement = statement.where(
            or_(
                TaxonomyTerm.name.icontains(q, autoescape=True),
                TaxonomyTerm.code.icontains(q, autoescape=True),
            )
        )
    if args.get("taxonomy_id"):
        statement = statement.where(TaxonomyTerm.taxonomy_id == args["taxonomy_id"])
    if args.get("parent_id"):
        statement = statement.where(TaxonomyTerm.parent_id == args["parent_id"])
    if args.get("top_only"):
        statement = statement.where(TaxonomyTerm.parent_id.is_(None))
    return statement.order_by(TaxonomyTerm.sort_order, TaxonomyTerm.code)


def count(statement: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def page_of(statement: Select, page: int, per_page: int) -> tuple[list, int]:
    total = count(statement)
    rows = db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def stream(statement: Select) -> Iterator[Any]:
    """Every row of ``statement``, read in batches of ``STREAM_BATCH`` through a session that
    the stream owns: opened at the first row, closed when the last is sent or the client goes
    away. The caller maps each row before asking for the next, while the session is open, so
    relationships still load. The session keeps only weak references to unchanged rows, so
    rows already sent are let go: memory holds about one batch."""
    with Session(db.engine) as session:
        yield from session.scalars(statement.execution_options(yield_per=STREAM_BATCH))


def stream_by_id(ids: Sequence, loaders: list) -> Iterator[Any]:
    """The service-at-locations with these ids, in their order, as ``stream`` reads rows."""
    with Session(db.engine) as session:
        for start in range(0, len(ids), STREAM_BATCH):
            yield from service_at_locations_by_id(
                ids[start : start + STREAM_BATCH], loaders, session
            )
            session.expunge_all()


def revisions_of(entity_type: str, entity_id: uuid.UUID) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
            .order_by(Revision.created_at.desc(), Revision.id)
        )
    )


def full_service(service_id: uuid.UUID) -> Service | None:
    return db.session.scalars(
        select(Service)
        .where(Service.id == service_id, Service.archived_at.is_(None))
        .options(*full_service_loaders())
    ).first()


def full_organization_loaders(full_services: bool = False) -> list:
    services = selectinload(Organization.services)
    return [
        selectinload(Organization.locations).options(
            selectinload(Location.address),
            selectinload(Location.phones),
            selectinload(Location.schedules),
            selectinload(Location.languages),
            selectinload(Location.accessibility),
        ),
        services.options(*full_service_loaders()) if full_services else services,
    ]


def full_organization(organization_id: uuid.UUID) -> tuple[Organization, list[Service]] | None:
    organization = db.session.scalars(
        select(Organization)
        .where(Organization.id == organization_id, Organization.archived_at.is_(None))
        .options(*full_organization_loaders())
    ).first()
    if organization is None:
        return None
    services_run = db.session.scalars(
        select(Service)
        .where(Service.organization_id == organization.id, Service.archived_at.is_(None))
        .order_by(Service.name)
    ).all()
    return organization, list(services_run)


def full_service_at_location(link_id: uuid.UUID) -> ServiceAtLocation | None:
    location = selectinload(ServiceAtLocation.location)
    return db.session.scalars(
        select(ServiceAtLocation)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(
            ServiceAtLocation.id == link_id,
            Service.archived_at.is_(None),
            Location.archived_at.is_(None),
        )
        .options(
            selectinload(ServiceAtLocation.service).options(*full_service_loaders()),
            location.selectinload(Location.address),
            location.selectinload(Location.phones),
            location.selectinload(Location.schedules),
            location.selectinload(Location.languages),
            location.selectinload(Location.accessibility),
        )
    ).first()


def taxonomy_by_id(taxonomy_id: uuid.UUID) -> Taxonomy | None:
    return db.session.get(Taxonomy, taxonomy_id)


def term_by_id(term_id: uuid.UUID) -> TaxonomyTerm | None:
    return db.session.get(TaxonomyTerm, term_id)

"""The read side of the HSDS API: one ``select()`` per list, with its filters, and the loaders
for fully nested records.

Lists are built as statements so the same filters serve a page (offset/limit and a count) and
an NDJSON stream of every row. Service-at-locations near a postcode are the one search's
(``directory.queries.search``): its places within the proximity, its visibility, its order.

A stream is read after its view has returned, when the request's session is already closed: it
reads through a session of its own, in batches, so the whole dataset streams on the real server
in bounded memory.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from directory.extensions import db
from directory.geo import zip_centroid
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
from directory.queries import MAX_RADIUS_MILES, SearchFilters, matches

METRES_PER_MILE = 1609.344
STREAM_BATCH = 500
# The HSDS filters the search has no field for, applied to the pairs it found.
NARROWING = ("taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")

# A service-at-location as the search found it: (location id, service id).
Pair = tuple[uuid.UUID, uuid.UUID]


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


def proximity_filters(postcode: str, proximity_metres: float, words: str | None) -> SearchFilters:
    """The search for places within ``proximity_metres`` of the postcode's centre, at most as
    far as ``/api/v1/search`` reaches (``MAX_RADIUS_MILES``)."""
    origin = zip_centroid(postcode)
    if origin is None:
        raise UnknownPostcode(postcode)
    radius = min(proximity_metres / METRES_PER_MILE, MAX_RADIUS_MILES)
    return SearchFilters(origin=origin, radius_miles=radius, q=words or None)


def near_postcode(args: dict[str, Any]) -> list[Pair]:
    """Every service-at-location the search finds near ``args["postcode"]``, in its order:
    each place it ranks, nearest first, with the services that matched there.

    The search answers in pages of places while HSDS counts service-at-locations, so it is
    asked for every match at once, without cards; only the page shown is then loaded as records.
    """
    filters = proximity_filters(args["postcode"], args["proximity"], args.get("search"))
    pairs = matches(filters)
    if any(args.get(name) for name in NARROWING):
        kept = _narrowed_pairs(args, {location_id for location_id, _ in pairs})
        pairs = [pair for pair in pairs if pair in kept]
    return pairs


def _narrowed_pairs(args: dict[str, Any], location_ids: set[uuid.UUID]) -> set[Pair]:
    """The pairs at these places that also pass the HSDS-only filters (term, organization,
    modification date)."""
    statement = service_at_locations({name: args.get(name) for name in NARROWING})
    pairs = statement.with_only_columns(
        ServiceAtLocation.location_id, ServiceAtLocation.service_id, maintain_column_froms=True
    ).order_by(None)
    wanted = sorted(location_ids)
    kept: set[Pair] = set()
    for start in range(0, len(wanted), STREAM_BATCH):
        batch = wanted[start : start + STREAM_BATCH]
        rows = db.session.execute(pairs.where(ServiceAtLocation.location_id.in_(batch)))
        kept.update((location_id, service_id) for location_id, service_id in rows)
    return kept


def service_at_locations_of(pairs: Sequence[Pair], loaders: list, session=None) -> list:
    """The service-at-locations of these pairs, in their order."""
    location_ids = {location_id for location_id, _ in pairs}
    rows = (session or db.session).scalars(
        select(ServiceAtLocation)
        .where(ServiceAtLocation.location_id.in_(location_ids))
        .options(*loaders)
    )
    by_pair = {(row.location_id, row.service_id): row for row in rows}
    return [by_pair[pair] for pair in pairs if pair in by_pair]


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


def stream(statement: Select) -> Iterator[Any]:
    """Every row of ``statement``, read in batches of ``STREAM_BATCH`` through a session that
    the stream owns: opened at the first row, closed when the last is sent or the client goes
    away. The caller maps each row before asking for the next, while the session is open, so
    relationships still load. The session keeps only weak references to unchanged rows, so
    rows already sent are let go: memory holds about one batch."""
    with Session(db.engine) as session:
        yield from session.scalars(statement.execution_options(yield_per=STREAM_BATCH))


def stream_pairs(pairs: Sequence[Pair], loaders: list) -> Iterator[Any]:
    """The service-at-locations of these pairs, in their order, as ``stream`` reads rows."""
    with Session(db.engine) as session:
        for start in range(0, len(pairs), STREAM_BATCH):
            yield from service_at_locations_of(
                pairs[start : start + STREAM_BATCH], loaders, session
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

"""The SQL conditions a search is made of, evaluated per service.

A location matches when ONE of its visible services matches EVERY filter; the card then shows
the services that do. The same conditions pick the remote services (which have no location).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from functools import cache

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
    type_coerce,
)

from directory.models import (
    Attribute,
    Language,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)
from directory.queries.results import SearchFilters
from directory.queries.taxonomy import TaxonomyIndex

locations: Table = Location.__table__
services: Table = Service.__table__
service_at_locations: Table = ServiceAtLocation.__table__
attributes: Table = Attribute.__table__
languages: Table = Language.__table__
organizations: Table = Organization.__table__


def raw_id(column) -> ColumnElement:
    """An id column as the driver returns it: a hex string on SQLite, a UUID on PostgreSQL.
    Converting thousands of ids to UUID costs more than the work a search does with them, so
    hot paths keep them raw and key lookups by both forms (``id_forms``)."""
    return type_coerce(column, String)


def in_ids(column, name: str, dialect: str) -> ColumnElement[bool]:
    """``column IN :name``, for a statement built once and given its ids at each execution.

    An IN list is a new statement for every count of ids: PostgreSQL plans it afresh each time
    (a third of a millisecond for each of a results page's queries) and SQLAlchemy writes its
    SQL anew. So: ``= ANY`` of one array parameter on PostgreSQL, which psycopg prepares and
    PostgreSQL plans once; on SQLite, IN the values of one JSON array parameter."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    values = func.json_each(bindparam(name, type_=_HexArray())).table_valued("value")
    return column.in_(select(values.c.value))


class _HexArray(TypeDecorator):
    """A list of UUIDs bound as the JSON array of their hex forms, as SQLite stores them."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect) -> str:
        return json.dumps([v.hex if isinstance(v, uuid.UUID) else v for v in value])


def as_uuid(raw: object) -> uuid.UUID:
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


def id_forms(value: uuid.UUID) -> tuple[uuid.UUID, str]:
    """The forms ``raw_id`` returns a UUID in, on either database."""
    return value, value.hex


def like_pattern(keyword: str) -> str:
    """A LIKE pattern matching the keyword anywhere, with its own % and _ taken literally."""
    escaped = keyword.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _has_term(term_ids) -> ColumnElement[bool]:
    return (
        exists()
        .where(
            attributes.c.service_id == services.c.id, attributes.c.taxonomy_term_id.in_(term_ids)
        )
        .correlate_except(attributes)
    )


def service_conditions(
    filters: SearchFilters, taxonomy: TaxonomyIndex, today: date, *, at_location: bool
) -> list[ColumnElement[bool]]:
    """Conditions on ``services`` (and, when ``at_location``, on the joined ``locations``)."""
    conditions: list[ColumnElement[bool]] = [
        Service.visible,
    ]
    for codes in (filters.categories, filters.costs, filters.access, filters.populations):
        if codes:
            conditions.append(_has_term(taxonomy.expand(codes)))
    if filters.languages:
        conditions.append(_speaks(filters.languages, at_location=at_location))
    for keyword in filters.keywords:
        conditions.append(_mentions(like_pattern(keyword), at_location=at_location))
    if filters.verified_within is not None:
        cutoff = today - timedelta(days=filters.verified_within)
        verified = [services.c.assured_date >= cutoff]
        if at_location:
            verified.append(locations.c.assured_date >= cutoff)
        conditions.append(or_(*verified))
    return conditions


def _speaks(codes: tuple[str, ...], *, at_location: bool) -> ColumnElement[bool]:
    # lower() also keeps planners off the code index: "es" is on a third of the rows, and
    # walking them all is far slower than looking up the few languages of one service.
    spoken = func.lower(languages.c.code).in_(codes)
    owners = [languages.c.service_id == services.c.id]
    if at_location:
        owners.append(languages.c.location_id == locations.c.id)
    # Correlated explicitly: nested two levels down, automatic correlation would stop at the
    # service's EXISTS and match a language spoken at any location at all.
    return or_(*(exists().where(owner, spoken).correlate_except(languages) for owner in owners))


def _mentions(pattern, *, at_location: bool) -> ColumnElement[bool]:
    """The service (and, ``at_location``, the joined place), or its organization, mentions
    the LIKE ``pattern`` (a string or a bound parameter)."""
    owner = locations.c.organization_id if at_location else services.c.organization_id
    texts = [services.c.name, services.c.description]
    if at_location:
        texts += [locations.c.name, locations.c.description]
    in_organization = (
        exists()
        .where(
            organizations.c.id == owner,
            or_(
                organizations.c.name.ilike(pattern, escape="\\"),
                organizations.c.description.ilike(pattern, escape="\\"),
            ),
        )
        .correlate_except(organizations)
    )
    return or_(*(text.ilike(pattern, escape="\\") for text in texts), in_organization)


@cache
def mentioning_pairs(dialect: str, keywords: int) -> Select:
    """(location id, service id) at ``:locations`` where the service, the place or its
    organization mentions every keyword (LIKE patterns ``:k0``, ``:k1``…): a search's keyword
    check on the places the index found. (Narrowed by service ids too, SQLite tries every
    service with every place.)"""
    return (
        select(service_at_locations.c.location_id, service_at_locations.c.service_id)
        .join(services, services.c.id == service_at_locations.c.service_id)
        .join(locations, locations.c.id == service_at_locations.c.location_id)
        .where(
            in_ids(service_at_locations.c.location_id, "locations", dialect),
            *(
                _mentions(bindparam(f"k{i}", type_=String), at_location=True)
                for i in range(keywords)
            ),
        )
    )


@cache
def mentioning_services(dialect: str, keywords: int) -> Select:
    """The ids among ``:services`` whose service or organization mentions every keyword:
    the keyword check of remote services (which have no place)."""
    return select(services.c.id).where(
        in_ids(services.c.id, "services", dialect),
        *(_mentions(bindparam(f"k{i}", type_=String), at_location=False) for i in range(keywords)),
    )


def keyword_parameters(keywords: list[str]) -> dict[str, str]:
    """The LIKE patterns ``mentioning_pairs`` and ``mentioning_services`` take."""
    return {f"k{i}": like_pattern(keyword) for i, keyword in enumerate(keywords)}


def offers_matching_service(
    filters: SearchFilters, taxonomy: TaxonomyIndex, today: date
) -> ColumnElement[bool]:
    """EXISTS a visible service at ``locations`` that matches every filter."""
    return exists().where(
        service_at_locations.c.location_id == locations.c.id,
        services.c.id == service_at_locations.c.service_id,
        *service_conditions(filters, taxonomy, today, at_location=True),
    )


def matching_pairs(filters: SearchFilters, taxonomy: TaxonomyIndex, today: date, location_ids):
    """(location_id, service_id, status, timezone) of the matching services at these locations."""
    return (
        select(
            service_at_locations.c.location_id,
            services.c.id.label("service_id"),
            services.c.status,
            locations.c.timezone,
        )
        .select_from(service_at_locations)
        .join(services, services.c.id == service_at_locations.c.service_id)
        .join(locations, locations.c.id == service_at_locations.c.location_id)
        .where(
            service_at_locations.c.location_id.in_(location_ids),
            *service_conditions(filters, taxonomy, today, at_location=True),
        )
    )

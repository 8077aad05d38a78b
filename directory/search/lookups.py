"""Reads for the location and state pages (the results page uses ``directory.queries.search``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.hours import OpenStatus, Span, open_status
from directory.models import (
    Address,
    Attribute,
    LegalityNote,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    State,
    TaxonomyTerm,
)
from directory.queries.context import notes_in_order
from directory.queries.opening import CardHours


def parse_id(text: str) -> uuid.UUID | None:
    """A path id as a UUID, or None: never let a malformed id reach the database."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def location_for_page(location_id: uuid.UUID) -> Location | None:
    """A listed (not archived) location with everything its page shows, loaded up front."""
    return db.session.scalar(
        select(Location)
        .where(Location.id == location_id, Location.archived_at.is_(None))
        .options(
            selectinload(Location.address),
            selectinload(Location.organization),
            selectinload(Location.source),
            selectinload(Location.phones),
            selectinload(Location.schedules),
            selectinload(Location.languages),
            selectinload(Location.accessibility),
        )
    )


def services_at(location: Location) -> list[Service]:
    return list(
        db.session.scalars(
            select(Service)
            .where(
                # An IN on the location's links, not a join: a planner without statistics
                # (SQLite before ANALYZE) would walk every service for the join.
                Service.id.in_(
                    select(ServiceAtLocation.service_id).where(
                        ServiceAtLocation.location_id == location.id
                    )
                ),
                Service.visible,
            )
            .options(
                selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
                selectinload(Service.phones),
                selectinload(Service.schedules),
                selectinload(Service.languages),
                selectinload(Service.cost_options),
                selectinload(Service.source),
            )
            .order_by(Service.name)
        )
    )


def location_status(location: Location, services: list[Service], at: datetime) -> OpenStatus:
    """Open, closed or unknown exactly as the location's card in the results says it."""
    if not services:
        return open_status(location.schedules, location.timezone, at)
    card = CardHours(location.timezone)
    for service in services:
        rows = service.schedules or location.schedules
        card.services.append(
            (service.id, service.status, [Span(r.byday, r.opens_at, r.closes_at) for r in rows])
        )
    return card.status(at)


def legality_notes_for(state_code: str, locale: str) -> list[LegalityNote]:
    """The state's notes as every face orders them (``queries.context.notes_in_order``)."""
    notes = db.session.scalars(select(LegalityNote).where(LegalityNote.state_code == state_code))
    return notes_in_order(notes, [], locale)


@dataclass
class StateOverview:
    state: State
    legality_notes: list[LegalityNote]
    remote_services: list[tuple[Service, list[str]]]
    category_counts: list[tuple[TaxonomyTerm, int]] = field(default_factory=list)


def remote_services_for(state_code: str) -> list[tuple[Service, list[str]]]:
    """Services reaching people in the state by mail, phone, text or online, with their reaches."""
    rows = db.session.execute(
        select(Service, ServiceArea.reach)
        .join(ServiceArea, ServiceArea.service_id == Service.id)
        .where(
            Service.visible,
            or_(
                ServiceArea.extent_type == "nationwide",
                (ServiceArea.extent_type == "state") & (ServiceArea.code == state_code),
            ),
        )
        .options(
            selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
            selectinload(Service.phones),
        )
        .order_by(Service.name)
    )
    reaches: dict[uuid.UUID, tuple[Service, list[str]]] = {}
    for service, reach in rows:
        entry = reaches.setdefault(service.id, (service, []))
        if reach not in entry[1]:
            entry[1].append(reach)
    return list(reaches.values())


def category_counts(state_code: str) -> list[tuple[TaxonomyTerm, int]]:
    """Places in the state offering each top-level category (a child term counts for its parent).

    Counted by the database: a big state has tens of thousands of (place, term) pairs, and
    bringing each to Python as two UUIDs cost more than the rest of the page.
    """
    terms = {term.id: term for term in db.session.scalars(select(TaxonomyTerm))}

    def top(term: TaxonomyTerm) -> TaxonomyTerm:
        while term.parent_id is not None:
            term = terms[term.parent_id]
        return term

    categories = {term.id: top(term).id for term in terms.values() if term.kind == "category"}
    if not categories:
        return []
    category = case(categories, value=Attribute.taxonomy_term_id)
    counts = db.session.execute(
        select(category, func.count(ServiceAtLocation.location_id.distinct()))
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Attribute, Attribute.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Address, Address.location_id == Location.id)
        .where(
            Address.state_province == state_code,
            # Not an IN on the term: SQLite would probe the service's attributes once per
            # category term instead of reading them once.
            category.is_not(None),
            Location.visible,
            Service.visible,
        )
        .group_by(category)
    )
    counted = [(terms[term_id], count) for term_id, count in counts]
    return sorted(counted, key=lambda pair: pair[0].sort_order)


def state_overview(code: str, locale: str) -> StateOverview | None:
    state = db.session.get(State, code.upper()) if len(code) == 2 else None
    if state is None:
        return None
    return StateOverview(
        state=state,
        legality_notes=legality_notes_for(state.code, locale),
        remote_services=remote_services_for(state.code),
        category_counts=category_counts(state.code),
    )

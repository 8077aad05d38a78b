"""Tell the search index what changed: every flush that touches searchable rows notes the
locations it affects in ``search_changes``, in the same transaction as the change itself.

Searchable rows are the ones the index reads (``directory.queries.index``): locations and their
addresses and languages, services, their attributes and languages, the links between services
and locations, service areas, and taxonomy terms; and what a result card shows besides, which
the card cache keeps (``directory.queries.cards``): phones, opening hours, organizations' names
and sources.
A change to a remote service (one with service areas) is noted by its service id: the index
reloads its few remote services. Bulk writers that bypass the unit of work (imports, seed
loads, synthetic data) call ``everything_changed``. Old rows are deleted by ``prune`` (``flask
search-index prune``), which leaves indexes still behind them a row that makes them rebuild.
"""

from __future__ import annotations

import random
import uuid
from itertools import chain

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchChange,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Source,
    TaxonomyTerm,
)
from directory.queries.index import WINDOW

# A flush touching more locations than this (an import through the ORM) is noted as one
# "everything changed": the index rebuilds instead of reloading them one by one.
MANY = 1000
# What a result card shows of an organization and of a source (``queries.cards``): editing
# these changes the cards of all their places and services.
ORGANIZATION_SHOWN = ("name",)
SOURCE_SHOWN = ("name", "vintage", "url", "as_of_date")


def _stamp() -> int:
    # A marker that tells two changes apart, not a secret.
    return random.randrange(1, 2**31)


def _note(session: Session, location_ids=(), service_ids=()) -> None:
    """One change row per location and per remote service."""
    rows = [
        {"location_id": location_id, "service_id": None, "stamp": _stamp()}
        for location_id in location_ids
    ] + [
        {"location_id": None, "service_id": service_id, "stamp": _stamp()}
        for service_id in service_ids
    ]
    session.connection().execute(insert(SearchChange.__table__), rows)


def everything_changed(session: Session) -> None:
    """Note that anything may have changed: every search index rebuilds."""
    session.connection().execute(
        insert(SearchChange.__table__),
        [{"location_id": None, "service_id": None, "stamp": _stamp()}],
    )


# Change rows ``prune`` keeps by default, counted in ids below the newest: far more than an
# index looks back (``index.WINDOW``), so only a process that has not searched through a
# hundred thousand changes has to rebuild.
KEEP = 100_000
# Fewer would put the rebuild row where up-to-date indexes read: every process would rebuild.
MIN_KEEP = 2 * WINDOW


def prune(session: Session, keep: int = KEEP) -> int:
    """Delete the change rows more than ``keep`` ids below the newest; how many were deleted.

    Each index reads the rows above its own floor (``WINDOW`` below the newest it applied). One
    whose floor is below the rows kept would miss the deleted ones, so the oldest row kept
    becomes an "everything changed" row: that index reads it and rebuilds, while indexes that
    are up to date never read that far back and keep going. The caller commits.
    """
    if keep < MIN_KEEP:
        raise ValueError(f"keep at least {MIN_KEEP} change rows, not {keep}")
    table = SearchChange.__table__
    newest = session.scalar(select(func.max(table.c.id)))
    if newest is None:
        return 0
    oldest_kept = session.scalar(select(func.min(table.c.id)).where(table.c.id >= newest - keep))
    deleted = session.execute(delete(table).where(table.c.id < oldest_kept)).rowcount
    if deleted:
        session.execute(
            update(table)
            .where(table.c.id == oldest_kept)
            .values(location_id=None, service_id=None, stamp=_stamp())
        )
    return deleted


def _ids(obj: object, name: str) -> list:
    """The id the row points at now, and the one it pointed at before this flush, if moved."""
    history = inspect(obj).attrs[name].history
    return [getattr(obj, name), *history.deleted]


def _changed(session: Session, obj: object, names: tuple[str, ...]) -> bool:
    """Whether this flush changes one of these columns of an existing row (a new row has no
    places or services yet but those of the same flush, which are noted themselves)."""
    if obj in session.new:
        return False
    if obj in session.deleted:
        return True
    attributes = inspect(obj).attrs
    return any(attributes[name].history.has_changes() for name in names)


def _affected(session: Session) -> tuple[set[uuid.UUID], set[uuid.UUID], bool]:
    """The locations and the remote services whose searchable facts the pending flush changes,
    and whether the change reaches everything (a taxonomy term, a deleted service)."""
    locations: set[uuid.UUID] = set()
    services: set[uuid.UUID] = set()
    remote: set[uuid.UUID] = set()
    organizations: set[uuid.UUID] = set()
    sources: set[uuid.UUID] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Location):
            locations.add(obj.id)
        elif isinstance(obj, Address | ServiceAtLocation):
            locations.update(_ids(obj, "location_id"))
        elif isinstance(obj, Service):
            if obj in session.deleted:
                return set(), set(), True
            services.add(obj.id)
        elif isinstance(obj, Attribute):
            services.update(_ids(obj, "service_id"))
        elif isinstance(obj, Language | Phone | Schedule):
            locations.update(_ids(obj, "location_id"))
            services.update(_ids(obj, "service_id"))
        elif isinstance(obj, Organization) and _changed(session, obj, ORGANIZATION_SHOWN):
            organizations.add(obj.id)
        elif isinstance(obj, Source) and _changed(session, obj, SOURCE_SHOWN):
            sources.add(obj.id)
        elif isinstance(obj, ServiceArea):
            remote.update(_ids(obj, "service_id"))
        elif isinstance(obj, TaxonomyTerm):
            return set(), set(), True
    connection = session.connection()
    if organizations:
        # A card shows its organization's name: every place and service of the organization.
        owned = Location.__table__.c
        locations.update(
            connection.scalars(select(owned.id).where(owned.organization_id.in_(organizations)))
        )
        offered = Service.__table__.c
        services.update(
            connection.scalars(select(offered.id).where(offered.organization_id.in_(organizations)))
        )
    if sources:
        listed = Location.__table__.c
        locations.update(connection.scalars(select(listed.id).where(listed.source_id.in_(sources))))
    services.discard(None)
    if services:
        links = ServiceAtLocation.__table__.c
        query = select(links.location_id).where(links.service_id.in_(services))
        locations.update(connection.scalars(query))
        areas = ServiceArea.__table__.c
        query = select(areas.service_id).where(areas.service_id.in_(services)).distinct()
        remote.update(connection.scalars(query))
    locations.discard(None)
    remote.discard(None)
    return locations, remote, False


def _note_changes(session: Session, _flush_context) -> None:
    locations, remote, everything = _affected(session)
    if everything or len(locations) > MANY:
        everything_changed(session)
    elif locations or remote:
        _note(session, sorted(locations), sorted(remote))


def listen() -> None:
    """Note changes on every session (once per process, however many apps are made)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)

"""Tell the search index what changed: every flush that touches searchable rows notes the
locations it affects in ``search_changes``, in the same transaction as the change itself.

Searchable rows are the ones the index reads (``directory.queries.index``): locations and their
addresses and languages, services, their attributes and languages, the links between services
and locations, service areas, and taxonomy terms. A change to a remote service (one with
service areas) is noted by its service id: the index reloads its few remote services. Bulk
writers that bypass the unit of work (imports, seed loads, synthetic data) call
``everything_changed``.
"""

from __future__ import annotations

import random
import uuid
from itertools import chain

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    SearchChange,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

# A flush touching more locations than this (an import through the ORM) is noted as one
# "everything changed": the index rebuilds instead of reloading them one by one.
MANY = 1000


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


def _ids(obj: object, name: str) -> list:
    """The id the row points at now, and the one it pointed at before this flush, if moved."""
    history = inspect(obj).attrs[name].history
    return [getattr(obj, name), *history.deleted]


def _affected(session: Session) -> tuple[set[uuid.UUID], set[uuid.UUID], bool]:
    """The locations and the remote services whose searchable facts the pending flush changes,
    and whether the change reaches everything (a taxonomy term, a deleted service)."""
    locations: set[uuid.UUID] = set()
    services: set[uuid.UUID] = set()
    remote: set[uuid.UUID] = set()
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
        elif isinstance(obj, Language):
            locations.update(_ids(obj, "location_id"))
            services.update(_ids(obj, "service_id"))
        elif isinstance(obj, ServiceArea):
            remote.update(_ids(obj, "service_id"))
        elif isinstance(obj, TaxonomyTerm):
            return set(), set(), True
    services.discard(None)
    if services:
        links = ServiceAtLocation.__table__.c
        query = select(links.location_id).where(links.service_id.in_(services))
        locations.update(session.connection().scalars(query))
        areas = ServiceArea.__table__.c
        query = select(areas.service_id).where(areas.service_id.in_(services)).distinct()
        remote.update(session.connection().scalars(query))
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

"""The writer side of the search's version: every transaction that changes what the search
keeps (``queries.engine``) notes it, and takes a version just before it commits.

What is noted: the locations whose searchable facts or card change (their own rows, address,
languages, services and the services' terms, languages, phones and hours, their
organization's name, their source), remote services (with service areas), taxonomy terms and
legality notes. Flushes collect these on the session; ``before_commit`` flushes what is left,
bumps the one-row counter (``search_version``) and writes the change rows stamped with it. The
counter's row stays locked until the commit, so on PostgreSQL versions are handed out in commit
order and a reader at version N reads exactly the rows after N. A rolled-back transaction
takes no version and leaves no row. Bulk writers that bypass the unit of work (imports, seed
loads, synthetic data) call ``everything_changed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from directory.models import (
    Address,
    Attribute,
    Language,
    LegalityNote,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchChange,
    SearchVersion,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Source,
    TaxonomyTerm,
)
from directory.models.search_changes import EVERYTHING, LEGALITY, LOCATION, REMOTE, TAXONOMY

# A transaction touching more locations than this (an import through the ORM) is noted as one
# "everything changed": processes rebuild instead of reloading them one by one.
MANY = 1000
# What a result card shows of an organization and of a source (``queries.cards``): editing
# these changes the cards of all their places and services.
ORGANIZATION_SHOWN = ("name",)
SOURCE_SHOWN = ("name", "vintage", "url", "as_of_date")
# Versions ``prune`` keeps by default.
KEEP = 100_000

_counter = SearchVersion.__table__
_log = SearchChange.__table__


@dataclass
class Pending:
    """What the session's transaction has changed so far."""

    locations: set = field(default_factory=set)
    remote: set = field(default_factory=set)
    kinds: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.locations or self.remote or self.kinds)

    def rows(self, version: int) -> list[dict]:
        if EVERYTHING in self.kinds or len(self.locations) > MANY:
            return [{"version": version, "kind": EVERYTHING, "entity_id": None}]
        return (
            [{"version": version, "kind": kind, "entity_id": None} for kind in sorted(self.kinds)]
            + [{"version": version, "kind": LOCATION, "entity_id": i} for i in self.locations]
            + [{"version": version, "kind": REMOTE, "entity_id": i} for i in self.remote]
        )


def pending(session: Session) -> Pending:
    return session.info.setdefault("search_changes", Pending())


def everything_changed(session: Session) -> None:
    """Note that anything may have changed: every process rebuilds what it keeps."""
    pending(session).kinds.add(EVERYTHING)


# Built once: building a select() costs more than SQLite takes to answer it.
_READ_VERSION = select(_counter.c.version, _counter.c.pruned_through)


def read_version(connection) -> tuple[int, int]:
    """(newest version committed, newest version pruned)."""
    row = connection.execute(_READ_VERSION).first()
    return (row[0], row[1]) if row else (0, 0)


def changes_between(connection, after: int, upto: int) -> list[tuple[int, str, object]]:
    """(version, kind, entity id) of the change rows of versions after ``after`` up to ``upto``."""
    query = select(_log.c.version, _log.c.kind, _log.c.entity_id).where(
        _log.c.version > after, _log.c.version <= upto
    )
    return [tuple(row) for row in connection.execute(query.order_by(_log.c.version))]


def _bump(connection) -> int:
    """The next version: the counter row is locked until this transaction ends."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(_counter).values(id=1, version=0, pruned_through=0).on_conflict_do_nothing()
    )
    connection.execute(update(_counter).values(version=_counter.c.version + 1))
    return connection.scalar(select(_counter.c.version))


def _commit_version(session: Session) -> None:
    session.flush()  # the last changes are noted by the flush itself
    noted = session.info.pop("search_changes", None)
    if noted:
        connection = session.connection()
        connection.execute(insert(_log), noted.rows(_bump(connection)))


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or not
        session.info.pop("search_changes", None)


def prune(session: Session, keep: int = KEEP) -> int:
    """Delete the change rows more than ``keep`` versions old; how many were deleted. A process
    still behind them rebuilds (``pruned_through``). The caller commits."""
    if keep < 1:
        raise ValueError(f"keep at least one version, not {keep}")
    newest, pruned = read_version(session.connection())
    through = newest - keep
    if through <= pruned:
        return 0
    deleted = session.execute(delete(_log).where(_log.c.version <= through)).rowcount
    session.execute(update(_counter).values(pruned_through=through))
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


@dataclass
class Reached:
    """Rows whose change reaches every place (and remote service) that shows them."""

    services: set = field(default_factory=set)
    organizations: set = field(default_factory=set)
    sources: set = field(default_factory=set)


def _note_flush(session: Session, _flush_context) -> None:
    """Add what the flush changes to the transaction's pending changes."""
    noted, reached = pending(session), Reached()
    for obj in chain(session.new, session.dirty, session.deleted):
        _note_row(session, obj, noted, reached)
    _reach(session.connection(), noted, reached)
    noted.locations.discard(None)
    noted.remote.discard(None)


def _note_row(session: Session, obj: object, noted: Pending, reached: Reached) -> None:
    if isinstance(obj, Location):
        noted.locations.add(obj.id)
    elif isinstance(obj, Address | ServiceAtLocation):
        noted.locations.update(_ids(obj, "location_id"))
    elif isinstance(obj, Language | Phone | Schedule):
        noted.locations.update(_ids(obj, "location_id"))
        reached.services.update(_ids(obj, "service_id"))
    elif isinstance(obj, Attribute):
        reached.services.update(_ids(obj, "service_id"))
    elif isinstance(obj, ServiceArea):
        noted.remote.update(_ids(obj, "service_id"))
    elif isinstance(obj, Service):
        reached.services.add(obj.id)
        if obj in session.deleted:
            noted.kinds.add(EVERYTHING)
    elif isinstance(obj, TaxonomyTerm | LegalityNote):
        noted.kinds.add(TAXONOMY if isinstance(obj, TaxonomyTerm) else LEGALITY)
    elif isinstance(obj, Organization) and _changed(session, obj, ORGANIZATION_SHOWN):
        reached.organizations.add(obj.id)
    elif isinstance(obj, Source) and _changed(session, obj, SOURCE_SHOWN):
        reached.sources.add(obj.id)


def _reach(connection, noted: Pending, reached: Reached) -> None:
    """Note the places and remote services whose cards show the reached rows."""
    services, organizations, sources = reached.services, reached.organizations, reached.sources
    if organizations:
        # A card shows its organization's name: every place and service of the organization.
        owned = Location.__table__.c
        noted.locations.update(
            connection.scalars(select(owned.id).where(owned.organization_id.in_(organizations)))
        )
        offered = Service.__table__.c
        services.update(
            connection.scalars(select(offered.id).where(offered.organization_id.in_(organizations)))
        )
    if sources:
        listed = Location.__table__.c
        noted.locations.update(
            connection.scalars(select(listed.id).where(listed.source_id.in_(sources)))
        )
    services.discard(None)
    if services:
        links = ServiceAtLocation.__table__.c
        query = select(links.location_id).where(links.service_id.in_(services))
        noted.locations.update(connection.scalars(query))
        areas = ServiceArea.__table__.c
        query = select(areas.service_id).where(areas.service_id.in_(services)).distinct()
        noted.remote.update(connection.scalars(query))


def listen() -> None:
    """Note changes on every session (once per process, however many apps are made)."""
    for name, handler in (
        ("after_flush", _note_flush),
        ("before_commit", _commit_version),
        ("after_transaction_end", _forget),
    ):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)

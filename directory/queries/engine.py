"""The search engine's state: one per app, in ``app.extensions["search_engine"]``.

Invariant: everything the process keeps is a function of (database, version). The version is
the commit-ordered counter every writer takes just before it commits (``queries.changes``); a
``Snapshot`` holds, for one version, the ranking index, the taxonomy and every state's legality
notes. Each search reads the version (one primary-key row); when it has moved, the snapshot
advances by reading exactly the change rows after its own version: changed locations and
remote services are read again into the index's delta, legality notes are read again when one
changed, and a taxonomy change or a bulk write builds everything anew. Result cards are kept
by (id, version of the id's last change), so a card read at one version is never shown at a
version where it changed, and nothing needs to be forgotten.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from directory.models.search_changes import EVERYTHING, LEGALITY, LOCATION, REMOTE, TAXONOMY
from directory.queries.cards import CACHE_PLACES, CardCache
from directory.queries.changes import changes_between, read_version
from directory.queries.context import LegalitySummary, load_legality, notes_in_order
from directory.queries.index import Rebuild, SearchIndex, build, with_changes
from directory.queries.taxonomy import TaxonomyIndex, read_taxonomy

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """What the search keeps, as of one version of the database."""

    version: int
    built_at: int  # the version the index's base and the taxonomy were read at
    taxonomy: TaxonomyIndex
    legality: Mapping[str, tuple[LegalitySummary, ...]]
    index: SearchIndex
    # The version of each location and remote service changed since ``built_at``.
    changed_at: Mapping[uuid.UUID, int] = field(default_factory=dict)

    def version_of(self, entity_id: uuid.UUID) -> int:
        """The version at which this location's (or remote service's) card last changed."""
        return self.changed_at.get(entity_id, self.built_at)

    def legality_notes(
        self, state: str | None, topics_first: list[str], locale: str
    ) -> list[LegalitySummary]:
        return notes_in_order(self.legality.get(state, ()), topics_first, locale) if state else []


def _build(session: Session, version: int) -> Snapshot:
    return Snapshot(
        version, version, read_taxonomy(session), load_legality(session), build(session)
    )


def _advance(session: Session, kept: Snapshot, version: int) -> Snapshot:
    """``kept`` brought to ``version`` with the change rows in between."""
    rows = changes_between(session.connection(), kept.version, version)
    kinds = {kind for _, kind, _ in rows}
    if EVERYTHING in kinds or TAXONOMY in kinds:
        return _build(session, version)
    moved = {entity for _, kind, entity in rows if kind == LOCATION}
    remote = {entity for _, kind, entity in rows if kind == REMOTE}
    try:
        index = with_changes(session, kept.index, moved, remote)
    except Rebuild:
        return _build(session, version)
    legality = load_legality(session) if LEGALITY in kinds else kept.legality
    changed_at = {**kept.changed_at, **{entity: v for v, _, entity in rows if entity is not None}}
    return replace(kept, version=version, index=index, legality=legality, changed_at=changed_at)


class SearchEngine:
    """One app's snapshot, brought to the database's version on each search, and its cards."""

    def __init__(self, card_places: int = CACHE_PLACES) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.cards = CardCache(card_places)

    def current(self, session: Session) -> tuple[Snapshot, bool]:
        """The snapshot at the newest version the session sees, and whether the session reads
        exactly that version (only then may cards it reads be kept). Read once per database
        transaction: a request sees one version however many times it asks."""
        seen = session.info.get(_SEEN)
        if seen is None or seen[0] is not self:
            seen = session.info[_SEEN] = (self, self._advanced(session))
        return seen[1]

    def _advanced(self, session: Session) -> tuple[Snapshot, bool]:
        version, pruned = read_version(session.connection())
        kept = self._snapshot
        if kept is None or kept.version < version:
            with self._lock:
                kept = self._snapshot
                if kept is None or kept.version < pruned < version:
                    kept = _build(session, version)
                elif kept.version < version:
                    kept = _advance(session, kept, version)
                self._snapshot = kept
        return kept, kept.version == version


_SEEN = "search_snapshot"


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_SEEN, None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_transaction_end", _forget):
        event.listen(Session, "after_transaction_end", _forget)
    places = app.config.get("CARD_CACHE_PLACES", CACHE_PLACES)
    app.extensions["search_engine"] = SearchEngine(places)


def engine() -> SearchEngine:
    return current_app.extensions["search_engine"]


def snapshot(session: Session) -> Snapshot:
    """The current app's snapshot at the newest version the session sees."""
    return engine().current(session)[0]


def prepare(app: Flask) -> None:
    """Build the snapshot now: gunicorn's master does, before it forks, so that workers share
    its memory and no one's first search waits for a build (docs/deployment.md §3 measures
    both). It is a snapshot like any other: each worker advances it from its version."""
    from directory.extensions import db

    with app.app_context():
        try:
            engine().current(db.session)
        except SQLAlchemyError as error:  # an unmigrated database: built on first search
            logger.warning("search snapshot not built at start-up: %s", type(error).__name__)
        finally:
            db.session.remove()
            db.engine.dispose()

"""What a result card shows, read as plain rows: the page's places and services.

A results page shows twenty places and about fifty services, each with its organization,
address, source, phones, taxonomy terms and languages. Loading those as ORM objects was most of
a search's time (a few hundred objects and UUID conversions per page); these plain objects cost
a fraction of it. They carry the attribute names of the models they summarise, so the API's
schemas and the templates read them as they would read a ``Location`` or a ``Service``.

Searches show the same nearby places again and again, so each process keeps the cards it has
read (``CardCache``) until the search index says they changed. Cards are shared between
requests and threads: nothing may change one after it is loaded. Each card's ``memo`` keeps
what the API and the pages made of it (``api.schemas.Summary``, ``presenters.card_parts``),
filled on its first search and reused for as long as the card is kept.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from flask import current_app
from sqlalchemy import String, cast, literal, or_, select, union_all
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.hours import Span
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    Source,
    TaxonomyTerm,
)
from directory.queries.predicates import among
from directory.queries.taxonomy import taxonomy_index

if TYPE_CHECKING:
    from directory.queries.index import SearchIndex

logger = logging.getLogger(__name__)

# Cards kept per process and database, unless the app's CARD_CACHE_PLACES says otherwise; and
# services, twice as many as places (the national directory has 1.3 a place).
CACHE_PLACES = 40_000
SERVICES_PER_PLACE = 2


@dataclass(frozen=True, slots=True)
class CardOrganization:
    id: uuid.UUID
    name: str
    website: str | None = None
    memo: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CardSource:
    """Where a listing comes from, shown beside it with its vintage."""

    name: str
    vintage: str | None
    url: str | None
    as_of_date: date | None
    memo: dict = field(default_factory=dict, compare=False, repr=False)


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
    phones: list[CardPhone] = field(default_factory=list)
    # The place's own opening hours, for its services that have none of their own.
    spans: list[Span] = field(default_factory=list)
    memo: dict = field(default_factory=dict, compare=False, repr=False)


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
    phones: list[CardPhone] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)  # opening hours
    memo: dict = field(default_factory=dict, compare=False, repr=False)


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
        _hours(connection, places, services)
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
            Organization.website.label("organization_website"),
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
            organization=CardOrganization(
                row.organization_id, row.organization_name, row.organization_website
            ),
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


def _owned(connection, model, places: dict, services: dict, *columns):
    """Rows of a table of details (phones, schedules) that belong to these places or
    services: (location id, service id, *columns), from one query."""
    dialect = connection.dialect.name
    return connection.execute(
        select(model.location_id, model.service_id, *columns).where(
            or_(
                among(model.location_id, places, dialect),
                among(model.service_id, services, dialect),
            )
        )
    )


def _phones(connection, places: dict, services: dict) -> None:
    """The phones of the page's places and services."""
    owners: dict[uuid.UUID, CardLocation | CardService] = {**places, **services}
    rows = _owned(
        connection,
        Phone,
        places,
        services,
        Phone.number,
        Phone.extension,
        Phone.type,
        Phone.description,
    )
    for location_id, service_id, *phone in rows:
        for owner_id in (location_id, service_id):
            if owner_id in owners:
                owners[owner_id].phones.append(CardPhone(*phone))
    for owner in owners.values():
        owner.phones.sort(key=phone_order)


def phone_order(phone) -> tuple:
    """Voice lines before text lines, a main line before an intake line: a card shows the first."""
    intake = "intake" in (phone.description or "").casefold()
    return (phone.type != "voice", intake, phone.number, phone.extension or "")


def _hours(connection, places: dict, services: dict) -> None:
    """The opening hours of the page's services, and of its places for services without
    their own (``queries.opening``)."""
    rows = _owned(
        connection,
        Schedule,
        places,
        services,
        Schedule.byday,
        Schedule.opens_at,
        Schedule.closes_at,
    )
    for location_id, service_id, *span in rows:
        if service_id is not None:
            if service_id in services:
                services[service_id].spans.append(Span(*span))
        elif location_id in places:
            places[location_id].spans.append(Span(*span))


class CardCache:
    """The cards this process has read from one database, kept until they change.

    The notes that keep the search index fresh (``queries.changes``) name every place whose
    card a write changes: its own rows, its services and their terms, languages, phones and
    hours, its organization's name and its source. When the index takes those notes in, it
    remembers which places and remote services they named (``SearchIndex.changes_since``), and
    the cache forgets those places and every service it read for them. It holds listing data
    only: nothing about who searched, or where.
    """

    def __init__(
        self, places: int = CACHE_PLACES, services: int = CACHE_PLACES * SERVICES_PER_PLACE
    ) -> None:
        self._lock = threading.Lock()
        self._places: OrderedDict[uuid.UUID, CardLocation] = OrderedDict()
        self._services: OrderedDict[uuid.UUID, CardService] = OrderedDict()
        # The services read for each place's card: forgotten with the place.
        self._shown_at: dict[uuid.UUID, set[uuid.UUID]] = {}
        self._limits = (places, services)
        self.generation = -1  # the index generation whose changes the cache has taken in

    def cards(
        self,
        session: Session,
        index: SearchIndex,
        location_ids: Iterable,
        service_ids: Iterable,
        shown_at: Mapping[uuid.UUID, Iterable[uuid.UUID]],
    ) -> tuple[dict[uuid.UUID, CardLocation], dict[uuid.UUID, CardService]]:
        """``load_cards`` answered from the cache where it can. ``shown_at`` says which of the
        services are read for which place (the others must be remote services)."""
        location_ids, service_ids = list(location_ids), list(service_ids)
        generation = self._take_in(index)
        with self._lock:
            places = {i: self._places[i] for i in location_ids if i in self._places}
            services = {i: self._services[i] for i in service_ids if i in self._services}
            for location_id in places:
                self._places.move_to_end(location_id)
            for service_id in services:
                self._services.move_to_end(service_id)
        missing_places = [i for i in location_ids if i not in places]
        missing_services = [i for i in service_ids if i not in services]
        if missing_places or missing_services:
            new_places, new_services = load_cards(session, missing_places, missing_services)
            self._keep(generation, new_places, new_services, shown_at)
            places.update(new_places)
            services.update(new_services)
        return places, services

    def fill(self, session: Session, index: SearchIndex, chunk: int = 2000) -> int:
        """Read the cards of the index's places, and of their services, as far as the cache
        holds them; how many places were read."""
        generation = self._take_in(index)
        offered = index.offers()
        location_ids = sorted(offered)[: self._limits[0]]
        for start in range(0, len(location_ids), chunk):
            shown_at = {i: offered[i] for i in location_ids[start : start + chunk]}
            service_ids = set().union(*shown_at.values())
            places, services = load_cards(session, shown_at, service_ids)
            self._keep(generation, places, services, shown_at)
        return len(location_ids)

    def kept(self) -> tuple[list[CardLocation], list[CardService]]:
        """The cards kept now: places and services (copies of the lists, not of the cards)."""
        with self._lock:
            return list(self._places.values()), list(self._services.values())

    def _take_in(self, index: SearchIndex) -> int | None:
        """Forget what changed up to ``index``; the generation new cards may be kept at (None
        when the caller's index is older than the cache: its cards are not kept)."""
        with self._lock:
            if index.generation < self.generation:
                return None
            if index.generation > self.generation:
                changed = index.changes_since(self.generation)
                if changed is None:
                    self._places.clear()
                    self._services.clear()
                    self._shown_at.clear()
                else:
                    locations, remote = changed
                    for location_id in locations:
                        self._forget_place(location_id)
                    for service_id in remote:
                        self._services.pop(service_id, None)
                self.generation = index.generation
            return self.generation

    def _keep(self, generation: int | None, places: dict, services: dict, shown_at) -> None:
        with self._lock:
            # Read under an older view than the cache's: a change may already be forgotten.
            if generation is None or generation != self.generation:
                return
            self._places.update(places)
            self._services.update(services)
            for location_id, service_ids in shown_at.items():
                self._shown_at.setdefault(location_id, set()).update(service_ids)
            place_limit, service_limit = self._limits
            while len(self._places) > place_limit:
                location_id, _ = self._places.popitem(last=False)
                self._forget_place(location_id)
            while len(self._services) > service_limit:
                self._services.popitem(last=False)

    def _forget_place(self, location_id: uuid.UUID) -> None:
        self._places.pop(location_id, None)
        for service_id in self._shown_at.pop(location_id, ()):
            self._services.pop(service_id, None)


_caches_lock = threading.Lock()
_caches: dict[str, CardCache] = {}


def card_cache(session: Session) -> CardCache:
    """This process's card cache for the session's database."""
    key = str(session.get_bind().url)
    cache = _caches.get(key)
    if cache is None:
        places = current_app.config.get("CARD_CACHE_PLACES", CACHE_PLACES)
        with _caches_lock:
            cache = _caches.setdefault(key, CardCache(places, places * SERVICES_PER_PLACE))
    return cache


def warm_up() -> tuple[list[CardLocation], list[CardService]]:
    """Read every place's card now: gunicorn's master calls this before it forks the workers,
    so they share the cards instead of each reading them during its first searches. Returns
    the cards kept (none when the database could not be read)."""
    from directory.extensions import db
    from directory.queries.index import search_index

    try:
        session = db.session
        cache = card_cache(session)
        cache.fill(session, search_index(session))
        return cache.kept()
    except SQLAlchemyError as error:  # an empty or unmigrated database: read on first search
        logger.warning("result cards not read at start-up: %s", type(error).__name__)
        return [], []
    finally:
        db.session.remove()
        db.engine.dispose()

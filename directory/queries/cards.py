"""What a result card shows, read as plain rows: the page's places and services.

A results page shows twenty places and about fifty services, each with its organization,
address, source, phones, taxonomy terms and languages. Loading those as ORM objects was most of
a search's time (a few hundred objects and UUID conversions per page); these plain objects cost
a fraction of it. They carry the attribute names of the models they summarise, so the API's
schemas and the templates read them as they would read a ``Location`` or a ``Service``.

Searches show the same nearby places again and again, so the search engine keeps the cards it
has read (``CardCache``), each under the version of its last change. Cards are shared between
requests and threads: nothing may change one after it is loaded.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Select, String, cast, literal, or_, select, union_all
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
)
from directory.queries.predicates import id_forms, in_ids, raw_id
from directory.queries.taxonomy import TaxonomyIndex

if TYPE_CHECKING:
    from directory.queries.engine import Snapshot

# Places whose cards are kept per app, unless its CARD_CACHE_PLACES says otherwise; and
# services, twice as many as places (the national directory has 1.3 a place).
CACHE_PLACES = 40_000
SERVICES_PER_PLACE = 2


@dataclass(frozen=True, slots=True)
class CardOrganization:
    id: uuid.UUID
    name: str
    website: str | None = None


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
    phones: list[CardPhone] = field(default_factory=list)
    # The place's own opening hours, for its services that have none of their own.
    spans: list[Span] = field(default_factory=list)


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


def load_cards(
    session: Session, taxonomy: TaxonomyIndex, location_ids: Iterable, service_ids: Iterable
) -> tuple[dict[uuid.UUID, CardLocation], dict[uuid.UUID, CardService]]:
    """The cards of these locations and services, by id; ids that are gone are left out."""
    location_ids, service_ids = list(location_ids), list(service_ids)
    connection = session.connection()
    places = _locations(connection, location_ids) if location_ids else {}
    services = _services(connection, service_ids) if service_ids else {}
    if services:
        _terms_and_languages(connection, taxonomy, services)
    if places or services:
        _phones(connection, places, services)
        _hours(connection, places, services)
    return places, services


def _source(row) -> CardSource | None:
    if row.source_name is None:
        return None
    return CardSource(row.source_name, row.source_vintage, row.source_url, row.source_as_of)


@cache
def _locations_query(dialect: str) -> Select:
    return (
        select(
            raw_id(Location.id).label("id"),
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
        .where(in_ids(Location.id, "ids", dialect))
    )


def _locations(connection, location_ids: list) -> dict[uuid.UUID, CardLocation]:
    places = {}
    asked = _asked(location_ids)
    for row in connection.execute(_locations_query(connection.dialect.name), {"ids": location_ids}):
        address = None
        if row.address_1 is not None:
            address = CardAddress(*row[13:18])
        location_id = asked[row.id]
        # The query's first columns are the card's first fields, in order (id to assured_date).
        places[location_id] = CardLocation(
            location_id,
            *row[1:10],
            organization=CardOrganization(*row[10:13]),
            address=address,
            source=_source(row),
        )
    return places


@cache
def _services_query(dialect: str) -> Select:
    return (
        select(
            raw_id(Service.id).label("id"),
            Service.name,
            Service.status,
            Service.description,
            Service.url,
            Service.assured_date,
            Organization.id.label("organization_id"),
            Organization.name.label("organization_name"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(in_ids(Service.id, "ids", dialect))
    )


def _services(connection, service_ids: list) -> dict[uuid.UUID, CardService]:
    query = _services_query(connection.dialect.name)
    asked = _asked(service_ids)
    # The query's columns are the card's fields, in order.
    return {
        asked[row.id]: CardService(asked[row.id], *row[1:6], CardOrganization(*row[6:8]))
        for row in connection.execute(query, {"ids": service_ids})
    }


@cache
def _terms_and_languages_query(dialect: str):
    terms = select(
        raw_id(Attribute.service_id), literal("term"), cast(Attribute.taxonomy_term_id, String)
    ).where(in_ids(Attribute.service_id, "ids", dialect))
    codes = select(raw_id(Language.service_id), literal("language"), Language.code).where(
        in_ids(Language.service_id, "ids", dialect)
    )
    return union_all(terms, codes)


def _terms_and_languages(connection, taxonomy: TaxonomyIndex, services: dict) -> None:
    """Each service's terms (their details from the process's taxonomy) and language codes,
    from one query: (service, "term", term id as text) and (service, "language", code)."""
    query = _terms_and_languages_query(connection.dialect.name)
    spoken: dict[uuid.UUID, set[str]] = {service_id: set() for service_id in services}
    by_raw = _by_raw(services)
    for raw, kind, value in connection.execute(query, {"ids": list(services)}):
        if kind == "language":
            spoken[by_raw[raw].id].add(value)
            continue
        term = taxonomy.by_raw_id.get(value)
        if term is not None:
            by_raw[raw].terms.append(term)
    for service_id, service in services.items():
        service.terms.sort(key=lambda term: (term.sort_order, term.code))
        service.language_codes = sorted(spoken[service_id])


def _asked(ids: Iterable[uuid.UUID]) -> dict:
    """The ids asked for, by the forms a ``raw_id`` column returns them in: comparing raw ids
    spares converting every row's id to a UUID (a few hundred a page)."""
    return {form: i for i in ids for form in id_forms(i)}


def _by_raw(cards: Mapping[uuid.UUID, object]) -> dict:
    """The cards by the forms of their ids (``_asked``)."""
    return {form: cards[i] for form, i in _asked(cards).items()}


def _owned(connection, model, places: dict, services: dict):
    """Rows of a table of details (phones) that belong to these places or services: (raw
    location id, raw service id, *columns shown), from one query."""
    query = _owned_query(model, connection.dialect.name)
    return connection.execute(query, {"places": list(places), "services": list(services)})


@cache
def _owned_query(model, dialect: str) -> Select:
    return select(raw_id(model.location_id), raw_id(model.service_id), *_SHOWN[model]).where(
        or_(
            in_ids(model.location_id, "places", dialect),
            in_ids(model.service_id, "services", dialect),
        )
    )


def _phones(connection, places: dict, services: dict) -> None:
    """The phones of the page's places and services."""
    owners = _by_raw({**places, **services})
    rows = _owned(connection, Phone, places, services)
    for location_id, service_id, *phone in rows:
        for owner_id in (location_id, service_id):
            if owner_id in owners:
                owners[owner_id].phones.append(CardPhone(*phone))
    for owner in (*places.values(), *services.values()):
        owner.phones.sort(key=phone_order)


def phone_order(phone) -> tuple:
    """Voice lines before text lines, a main line before an intake line: a card shows the first."""
    intake = "intake" in (phone.description or "").casefold()
    return (phone.type != "voice", intake, phone.number, phone.extension or "")


def _hours(connection, places: dict, services: dict) -> None:
    """The opening hours of the page's services, and of its places for services without
    their own (``queries.opening``)."""
    of_places, of_services = opening_hours(connection, places, services)
    for owners, spans in ((places, of_places), (services, of_services)):
        for owner_id, owned in spans.items():
            owners[owner_id].spans = owned


def opening_hours(
    connection, location_ids: Iterable[uuid.UUID], service_ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[Span]], dict[uuid.UUID, list[Span]]]:
    """The weekly hours of these places (their own: rows without a service) and of these
    services, by id, from one query."""
    parameters = {"places": list(location_ids), "services": list(service_ids)}
    places, services = _asked(parameters["places"]), _asked(parameters["services"])
    of_places, of_services = {}, {}
    query = _owned_query(Schedule, connection.dialect.name)
    for location_id, service_id, *span in connection.execute(query, parameters):
        if service_id is not None:
            if service_id in services:
                of_services.setdefault(services[service_id], []).append(Span(*span))
        elif location_id in places:
            of_places.setdefault(places[location_id], []).append(Span(*span))
    return of_places, of_services


# The columns of each table of details a card shows.
_SHOWN = {
    Phone: (Phone.number, Phone.extension, Phone.type, Phone.description),
    Schedule: (Schedule.byday, Schedule.opens_at, Schedule.closes_at),
}


class CardCache:
    """Cards read before, by (id, version of the id's last change), the least recently used
    forgotten first.

    A place's card and the cards of the services shown on it are kept under the place's version
    (a change to a service notes every place it is offered at); a remote service's card under
    its own. A snapshot (``queries.engine``) says which version each id is at, so a card is only
    found at the versions where it is what the database says. It holds listing data only:
    nothing about who searched, or where.
    """

    def __init__(self, places: int = CACHE_PLACES) -> None:
        self._lock = threading.Lock()
        self._cards: OrderedDict[tuple, CardLocation | CardService] = OrderedDict()
        self._limit = places * (1 + SERVICES_PER_PLACE)

    def cards(
        self,
        session: Session,
        seen: tuple[Snapshot, bool],
        shown_at: Mapping[uuid.UUID, Iterable[uuid.UUID]],
        remote: Iterable[uuid.UUID] = (),
    ) -> tuple[dict[uuid.UUID, CardLocation], dict[uuid.UUID, CardService]]:
        """The cards of the places ``shown_at`` names, of the services it names for each, and
        of the remote services. Cards read now are kept when the session reads the snapshot's
        own version (``SearchEngine.current``)."""
        snapshot, exact = seen
        place_keys = {i: (i, snapshot.version_of(i)) for i in shown_at}
        service_keys = {s: (s, snapshot.version_of(s)) for s in remote}
        for location_id, service_ids in shown_at.items():
            service_keys.update((s, (s, place_keys[location_id][1])) for s in service_ids)
        with self._lock:
            places = self._found(place_keys)
            services = self._found(service_keys)
        missing_places = [i for i in place_keys if i not in places]
        missing_services = [i for i in service_keys if i not in services]
        if missing_places or missing_services:
            read_places, read_services = load_cards(
                session, snapshot.taxonomy, missing_places, missing_services
            )
            places.update(read_places)
            services.update(read_services)
            if exact:
                self._keep(place_keys, read_places)
                self._keep(service_keys, read_services)
        return places, services

    def __len__(self) -> int:
        return len(self._cards)

    def __contains__(self, entity_id: uuid.UUID) -> bool:
        """Whether a card of this place or service is kept, at any version."""
        with self._lock:
            return any(key[0] == entity_id for key in self._cards)

    def _found(self, keys: Mapping[uuid.UUID, tuple]) -> dict:
        found = {}
        for entity_id, key in keys.items():
            card = self._cards.get(key)
            if card is not None:
                self._cards.move_to_end(key)
                found[entity_id] = card
        return found

    def _keep(self, keys: Mapping[uuid.UUID, tuple], cards: Mapping[uuid.UUID, object]) -> None:
        with self._lock:
            for entity_id, card in cards.items():
                self._cards[keys[entity_id]] = card
            while len(self._cards) > self._limit:
                self._cards.popitem(last=False)

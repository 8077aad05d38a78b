"""The search: places near an origin (or in a state) offering services that match the filters.

How it stays fast on hundreds of thousands of locations: SQL returns only (id, latitude,
longitude, name) of the visible locations inside the radius's bounding box — a range on the
(latitude, longitude) index — that offer a matching service (an EXISTS per candidate); Python
then computes the exact haversine distance, keeps those within the radius and sorts them; only
the page's records are loaded, with their details in a handful of IN queries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from directory.extensions import db
from directory.hours import UNKNOWN
from directory.models import Address, Attribute, Language, Location, Phone, Service
from directory.queries.context import legality_notes, remote_choices
from directory.queries.index import Ranked, search_index
from directory.queries.opening import CardHours, chunks, load_card_hours
from directory.queries.predicates import (
    as_uuid,
    id_forms,
    locations,
    matching_pairs,
    offers_matching_service,
    raw_id,
    visible_location,
)
from directory.queries.results import RemoteHit, SearchFilters, SearchHit, SearchResult
from directory.queries.taxonomy import TaxonomyIndex, taxonomy_index

# A candidate row: (raw id, latitude, longitude, name). The id is left as the database returns
# it (a hex string on SQLite) because converting thousands of ids to UUID costs more than the
# rest of the ranking; only the page's ids are converted.
Candidate = tuple


def search(
    filters: SearchFilters, *, now: datetime | None = None, locale: str = "en"
) -> SearchResult:
    """Run one search. ``now`` (aware) is the instant "open now" is judged at; tests pass it.

    Nothing about the search — place, coordinates, keywords — is written anywhere: not to a
    table, not to a log.
    """
    session = db.session
    now = now or datetime.now(UTC)
    today = now.date()
    taxonomy = taxonomy_index(session)
    ranked, checked = _ranked_candidates(session, filters, taxonomy, today)

    # The index knows which services matched where, unless keywords still had to be checked.
    known = checked and ranked.knows_matches
    start = (filters.page - 1) * filters.per_page
    cards: dict[object, CardHours] = {}
    if filters.filters_hours:
        # The hours are read through the same conditions, keywords included.
        at = filters.open_at or now
        ids = ranked.uuids()
        if known:
            cards = load_card_hours(session, ranked.pairs())
        else:
            cards = _card_hours(session, filters, taxonomy, today, ids)
        ranked = ranked.keep(
            location_id in cards and cards[location_id].status(at).state == "open"
            for location_id in ids
        )
    elif not checked:
        ids = ranked.uuids()
        matching = {pair[0] for pair in _matching_pairs(session, filters, taxonomy, today, ids)}
        ranked = ranked.keep(location_id in matching for location_id in ids)
    elif known:
        cards = load_card_hours(session, ranked.pairs(start, start + filters.per_page))

    remote = remote_choices(session, filters, taxonomy, today)
    page = ranked.page(start, start + filters.per_page)
    # The page's services and the remote ones are loaded together: one set of queries.
    hits, remote_services = page_hits(
        session, filters, page, now, cards, also={r.service_id for r in remote}
    )

    state = filters.search_state
    return SearchResult(
        origin=filters.origin,
        hits=hits,
        remote=[RemoteHit(remote_services[r.service_id], r.reach, r.serves) for r in remote],
        legality=legality_notes(
            session, state, taxonomy.legality_topics(filters.categories), locale
        ),
        total=len(ranked),
        page=filters.page,
        per_page=filters.per_page,
        state=state,
    )


def page_hits(
    session: Session,
    filters: SearchFilters,
    page: list[tuple[Candidate, float | None]],
    now: datetime,
    cards: dict[object, CardHours] | None = None,
    also: set | None = None,
) -> tuple[list[SearchHit], dict[object, Service]]:
    """The cards of one page of ranked candidates, with their matching services and hours,
    and the services loaded for them plus ``also`` (held by the caller: the session keeps
    loaded objects only while they are referenced)."""
    page_ids = [as_uuid(row[0]) for row, _ in page]
    if page_ids and not cards:
        cards = _card_hours(session, filters, taxonomy_index(session), now.date(), page_ids)
    cards = cards or {}
    matched = {
        sid for location_id in page_ids for sid in _matched_service_ids(cards.get(location_id))
    }
    services = load_services(session, matched | (also or set()))
    distances = [miles for _, miles in page]
    return _build_hits(session, page_ids, distances, cards, services, filters, now), services


def load_services(session: Session, service_ids: set) -> dict[object, Service]:
    """Services with what a card or a remote listing shows: the organization, terms and
    language codes (their phones come with the page's, in ``_preset_phones``).

    Terms and language codes are read as plain rows (the terms' details from the process's
    taxonomy): a treatment program can have thirty attributes and a dozen languages, and making
    each an ORM object was most of the time of a search.
    """
    if not service_ids:
        return {}
    loaded = {
        service.id: service
        for service in session.scalars(
            select(Service)
            .where(Service.id.in_(service_ids))
            .options(joinedload(Service.organization))
        )
    }
    # Raw ids keep a thousand UUID conversions out of the loop.
    terms = taxonomy_index(session).by_raw_id
    found: dict[object, list] = {}
    for service_id in loaded:
        terms_of_service: list = []
        for raw in id_forms(service_id):
            found[raw] = terms_of_service
    unknown = set()
    links = select(raw_id(Attribute.service_id), raw_id(Attribute.taxonomy_term_id)).where(
        Attribute.service_id.in_(service_ids)
    )
    for service_id, term_id in session.connection().execute(links):
        term = terms.get(term_id)
        if term is None:
            unknown.add(as_uuid(service_id))  # a term newer than this process's taxonomy
        elif service_id in found:
            found[service_id].append(term)
    spoken: dict[object, set] = {service_id: set() for service_id in loaded}
    codes = select(Language.service_id, Language.code).where(Language.service_id.in_(service_ids))
    for service_id, code in session.connection().execute(codes):
        spoken[service_id].add(code)
    for service_id, service in loaded.items():
        if service_id not in unknown and "attributes" not in service.__dict__:
            service.preset_terms = found[service_id]
        if "languages" not in service.__dict__:
            service.preset_language_codes = sorted(spoken[service_id])
    return loaded


def sort_key_by_distance(row: Candidate, miles: float) -> tuple:
    # The raw id sorts like the UUID: a hex string on SQLite, a UUID on PostgreSQL.
    return (miles, row[3], row[0])


def sort_key_by_name(row: Candidate) -> tuple:
    return (row[3].casefold(), row[3], row[0])


def _ranked_candidates(
    session: Session, filters: SearchFilters, taxonomy: TaxonomyIndex, today
) -> tuple[Ranked, bool]:
    """Every matching location in result order (distance, else name), and whether every
    filter was checked: the in-memory index leaves keywords to SQL."""
    origin = filters.origin
    if origin is not None and origin.kind != "state":
        ranked = search_index(session).ranked(filters, taxonomy, today)
        return ranked, not filters.keywords
    # A state given as the place lists the whole state, by name.
    query = select(
        raw_id(locations.c.id),
        locations.c.latitude,
        locations.c.longitude,
        locations.c.name,
    ).where(visible_location(), offers_matching_service(filters, taxonomy, today))
    state = filters.state or (origin.state if origin else None)
    if state:
        query = query.where(
            locations.c.id.in_(select(Address.location_id).where(Address.state_province == state))
        )
    return Ranked.from_rows(sorted(session.execute(query), key=sort_key_by_name)), True


def _matching_pairs(session, filters, taxonomy, today, location_ids) -> list:
    """(location, service, status, time zone) of the services among these locations that
    match every filter, keywords included: what the index cannot tell."""
    pairs = []
    for chunk in chunks(location_ids):
        pairs.extend(session.execute(matching_pairs(filters, taxonomy, today, chunk)).all())
    return pairs


def _card_hours(session, filters, taxonomy, today, location_ids) -> dict[object, CardHours]:
    return load_card_hours(
        session, _matching_pairs(session, filters, taxonomy, today, location_ids)
    )


def _build_hits(session, page_ids, distances, cards, services, filters, now) -> list[SearchHit]:
    """Load the page's locations with what a card shows (address, organization, source,
    phones) and put each together with its matched services. Anything else a caller touches
    loads lazily."""
    if not page_ids:
        return []
    loaded = session.scalars(
        select(Location)
        .where(Location.id.in_(page_ids))
        .options(
            joinedload(Location.address),
            joinedload(Location.organization),
            joinedload(Location.source),
        )
    ).unique()
    by_id = {location.id: location for location in loaded}
    _preset_phones(session, by_id, services)
    at = filters.open_at or now
    hits = []
    for location_id, miles in zip(page_ids, distances, strict=True):
        location = by_id[location_id]
        card = cards.get(location_id)
        matched = sorted(
            (services[sid] for sid in _matched_service_ids(card)),
            key=lambda service: (service.name, str(service.id)),
        )
        status = card.status(at) if card else UNKNOWN
        open_now = card.status(now) if card and at is not now else status
        dates = [d for d in [location.assured_date, *(s.assured_date for s in matched)] if d]
        hits.append(
            SearchHit(
                location=location,
                services=matched,
                distance_miles=miles,
                open_status=status,
                open_now=None if open_now.state == "unknown" else open_now.state == "open",
                last_verified=max(dates) if dates else None,
            )
        )
    return hits


class PhoneRow(NamedTuple):
    number: str
    extension: str | None
    type: str
    description: str | None


def _preset_phones(session: Session, locations: dict, services: dict) -> None:
    """Give the page's locations and services their phones from one query of plain rows."""
    found: dict[object, list[PhoneRow]] = {owner: [] for owner in [*locations, *services]}
    query = select(
        Phone.location_id,
        Phone.service_id,
        Phone.number,
        Phone.extension,
        Phone.type,
        Phone.description,
    ).where(or_(Phone.location_id.in_(list(locations)), Phone.service_id.in_(list(services))))
    for location_id, service_id, *phone in session.connection().execute(query):
        for owner in (location_id, service_id):
            if owner in found:
                found[owner].append(PhoneRow(*phone))
    for owners in (locations, services):
        for owner_id, owner in owners.items():
            if "phones" not in owner.__dict__:
                owner.preset_phones = found[owner_id]


def _matched_service_ids(card: CardHours | None) -> list:
    return list(card.service_ids) if card else []

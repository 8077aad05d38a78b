"""The search: places near an origin (or in a state) offering services that match the filters.

How it stays fast on hundreds of thousands of locations: the in-memory index
(``queries.index``) ranks the offers inside the radius by exact haversine distance and checks
every filter but keywords, which SQL checks on its candidates; only the page's places and
services are then read, as plain rows (``queries.cards``), with their hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.hours import UNKNOWN
from directory.models import Address
from directory.queries.cards import CardService, card_cache
from directory.queries.context import remote_choices
from directory.queries.index import Ranked, SearchIndex, search_index
from directory.queries.opening import CardHours, assemble, chunks, load_card_hours
from directory.queries.predicates import (
    as_uuid,
    locations,
    matching_pairs,
    offers_matching_service,
    raw_id,
    visible_location,
)
from directory.queries.results import (
    MAX_RADIUS_MILES,
    NEAREST_COUNT,
    RemoteHit,
    SearchFilters,
    SearchHit,
    SearchResult,
)
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
    index = search_index(session)
    ranked, checked = _ranked_candidates(session, index, filters, taxonomy, today)

    # The index knows which services matched where, unless keywords still had to be checked.
    known = checked and ranked.knows_matches
    start = (filters.page - 1) * filters.per_page
    cards: dict[object, CardHours] = {}
    offered = None
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
        # The page's hours come with its cards.
        offered = ranked.pairs(start, start + filters.per_page)

    if filters.keywords:
        remote = remote_choices(session, filters, taxonomy, today)
    else:
        remote = index.remote_choices(filters, taxonomy, today)
    page = ranked.page(start, start + filters.per_page)
    # The page's services and the remote ones are loaded together: one set of queries.
    hits, remote_services = page_hits(
        session,
        index,
        filters,
        page,
        now,
        cards,
        also=[r.service_id for r in remote],
        offered=offered,
    )

    state = filters.search_state
    return SearchResult(
        origin=filters.origin,
        hits=hits,
        remote=[RemoteHit(remote_services[r.service_id], r.reach, r.serves) for r in remote],
        legality=index.legality_notes(state, taxonomy.legality_topics(filters.categories), locale),
        total=len(ranked),
        page=filters.page,
        per_page=filters.per_page,
        state=state,
        nearest=_nearest(filters, now, locale) if not ranked else [],
    )


def _nearest(filters: SearchFilters, now: datetime, locale: str) -> list[SearchHit]:
    """The nearest matches beyond an empty radius, within MAX_RADIUS_MILES: the same search,
    wider, cut to its first few cards."""
    origin = filters.origin
    if origin is None or origin.kind == "state" or filters.radius_miles >= MAX_RADIUS_MILES:
        return []
    wider = replace(filters, radius_miles=MAX_RADIUS_MILES, page=1, per_page=NEAREST_COUNT)
    return search(wider, now=now, locale=locale).hits


def page_hits(
    session: Session,
    index: SearchIndex,
    filters: SearchFilters,
    page: list[tuple[Candidate, float | None]],
    now: datetime,
    cards: dict[object, CardHours] | None = None,
    also: Iterable = (),
    offered: list[tuple[object, object, str, str]] | None = None,
) -> tuple[list[SearchHit], dict[object, CardService]]:
    """The cards of one page of ranked candidates, with their matching services and hours,
    and the services loaded for them plus ``also`` (the remote ones: one set of queries).

    The matching services and their hours are read with SQL, unless they are given: as
    ``cards`` (hours read already), or as the index's ``offered`` (location, service, status,
    time zone) of the page, whose hours the page's cards then carry."""
    page_ids = [as_uuid(row[0]) for row, _ in page]
    if offered is not None:
        shown_at: dict[object, list] = {location_id: [] for location_id in page_ids}
        for location_id, service_id, *_ in offered:
            shown_at[location_id].append(service_id)
    else:
        if page_ids and not cards:
            cards = _card_hours(session, filters, taxonomy_index(session), now.date(), page_ids)
        shown_at = {
            location_id: _matched_service_ids((cards or {}).get(location_id))
            for location_id in page_ids
        }
    matched = {sid for service_ids in shown_at.values() for sid in service_ids}
    places, services = card_cache(session).cards(
        session, index, page_ids, matched.union(also), shown_at
    )
    if offered is not None:
        cards = assemble(
            offered,
            {sid: services[sid].spans for sid in matched},
            {location_id: places[location_id].spans for location_id in page_ids},
        )
    cards = cards or {}
    distances = [miles for _, miles in page]
    at = filters.open_at or now
    hits = []
    for location_id, miles in zip(page_ids, distances, strict=True):
        card = cards.get(location_id)
        shown = sorted(
            (services[sid] for sid in shown_at[location_id]),
            key=lambda service: (service.name, str(service.id)),
        )
        location = places[location_id]
        status = card.status(at) if card else UNKNOWN
        open_now = card.status(now) if card and at is not now else status
        dates = [d for d in [location.assured_date, *(s.assured_date for s in shown)] if d]
        hits.append(
            SearchHit(
                location=location,
                services=shown,
                distance_miles=miles,
                open_status=status,
                open_now=None if open_now.state == "unknown" else open_now.state == "open",
                last_verified=max(dates) if dates else None,
            )
        )
    return hits, services


def sort_key_by_distance(row: Candidate, miles: float) -> tuple:
    # The raw id sorts like the UUID: a hex string on SQLite, a UUID on PostgreSQL.
    return (miles, row[3], row[0])


def sort_key_by_name(row: Candidate) -> tuple:
    return (row[3].casefold(), row[3], row[0])


def _ranked_candidates(
    session: Session, index: SearchIndex, filters: SearchFilters, taxonomy: TaxonomyIndex, today
) -> tuple[Ranked, bool]:
    """Every matching location in result order (distance, else name), and whether every
    filter was checked: the in-memory index leaves keywords to SQL."""
    origin = filters.origin
    if origin is not None and origin.kind != "state":
        ranked = index.ranked(filters, taxonomy, today)
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


def _matched_service_ids(card: CardHours | None) -> list:
    return list(card.service_ids) if card else []

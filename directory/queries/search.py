"""The search: places near an origin (or in a state) offering services that match the filters.

How it stays fast on hundreds of thousands of locations: the in-memory index
(``queries.index``) ranks the offers inside the radius by exact haversine distance and checks
every filter but keywords; a ``Matcher`` then says which services matched at the page's places
(the index knows, unless keywords had to be checked: then SQL), and only the page's cards are
read (``queries.cards``), with their hours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.hours import UNKNOWN
from directory.models import Address, Location
from directory.queries.cards import opening_hours
from directory.queries.context import RemoteChoice
from directory.queries.engine import Snapshot, engine
from directory.queries.index import Ranked
from directory.queries.opening import CardHours, assemble, chunks
from directory.queries.predicates import (
    as_uuid,
    id_forms,
    keyword_parameters,
    locations,
    matching_pairs,
    mentioning_pairs,
    mentioning_services,
    offers_matching_service,
    raw_id,
)
from directory.queries.results import (
    MAX_RADIUS_MILES,
    NEAREST_COUNT,
    RemoteHit,
    SearchFilters,
    SearchHit,
    SearchResult,
)

# (location id, service id, service status, location time zone): one service matched at a place.
Pair = tuple
# Candidates checked for keywords and hours in the first go when only the nearest few are
# wanted; each further go checks twice as many.
CHECKED_AT_ONCE = 200


def search(
    filters: SearchFilters, *, now: datetime | None = None, locale: str = "en"
) -> SearchResult:
    """Run one search. ``now`` (aware) is the instant "open now" is judged at; tests pass it.

    Nothing about the search — place, coordinates, keywords — is written anywhere: not to a
    table, not to a log.
    """
    session = db.session
    now = now or datetime.now(UTC)
    seen = engine().current(session)
    snapshot = seen[0]
    remote = remote_choices(session, snapshot, filters, now.date())
    # The remote services' cards are read with the page's: one set of queries.
    remote_ids = [r.service_id for r in remote]
    ranked, hits, services = _hits(session, seen, filters, now, remote=remote_ids)
    topics = snapshot.taxonomy.legality_topics(filters.categories)
    nearest = []
    if not ranked and _can_widen(filters):
        wider = replace(filters, radius_miles=MAX_RADIUS_MILES, page=1, per_page=NEAREST_COUNT)
        nearest = _hits(session, seen, wider, now, counted=False)[1]
    return SearchResult(
        origin=filters.origin,
        hits=hits,
        remote=[RemoteHit(services[r.service_id], r.reach, r.serves) for r in remote],
        legality=snapshot.legality_notes(filters.search_state, topics, locale),
        total=len(ranked),
        page=filters.page,
        per_page=filters.per_page,
        state=filters.search_state,
        nearest=nearest,
    )


def remote_choices(
    session: Session, snapshot: Snapshot, filters: SearchFilters, today: date
) -> list[RemoteChoice]:
    """The remote services a search shows: the index checks every filter but keywords, SQL
    checks the keywords on the services it found."""
    keep = partial(_mentioning_services, session, filters.keywords) if filters.keywords else None
    return snapshot.index.remote_choices(filters, snapshot.taxonomy, today, keep)


def _can_widen(filters: SearchFilters) -> bool:
    """Whether an empty search can look further for the nearest matches."""
    origin = filters.origin
    return origin is not None and origin.kind != "state" and filters.radius_miles < MAX_RADIUS_MILES


def matches(filters: SearchFilters, *, now: datetime | None = None) -> list[tuple]:
    """(location id, service id) of every service that matched, at every place the search
    finds, in its order (places as ranked, services by id), without reading any card: what
    HSDS pages through, since it counts services at locations, not places."""
    session = db.session
    now = now or datetime.now(UTC)
    ranked, pairs = _matched(session, engine().current(session)[0], filters, now)
    rank = {location_id: position for position, location_id in enumerate(ranked.uuids())}
    return sorted(((p[0], p[1]) for p in pairs if p[0] in rank), key=lambda p: (rank[p[0]], p[1]))


def _hits(
    session: Session,
    seen: tuple[Snapshot, bool],
    filters: SearchFilters,
    now: datetime,
    *,
    remote: list = (),
    counted: bool = True,
) -> tuple[Ranked, list[SearchHit], dict]:
    """Every matching place in result order (only as many as the page needs when they need
    not be ``counted``), the cards of the asked page, and every service card read (the
    page's and the ``remote`` ones)."""
    start = (filters.page - 1) * filters.per_page
    stop = start + filters.per_page
    ranked, pairs = _matched(session, seen[0], filters, now, (start, stop), counted=counted)
    page = ranked.page(start, stop)
    return ranked, *_cards(session, seen, page, pairs, filters, now, remote)


def _matched(
    session: Session,
    snapshot: Snapshot,
    filters: SearchFilters,
    now: datetime,
    window: tuple[int, int] | None = None,
    *,
    counted: bool = True,
) -> tuple[Ranked, list[Pair]]:
    """Every matching place in result order, and the pairs of those in ``window`` (start, stop
    in that order; all when None)."""
    matcher = _matcher(session, snapshot, filters, now.date())
    ranked = matcher.ranked()
    if not (filters.keywords or filters.filters_hours):
        return ranked, matcher.pairs(ranked, *(window or (0, len(ranked))))
    # Keywords and hours are checked on every candidate when the count depends on them;
    # otherwise in distance order, until the window is filled.
    step = len(ranked) if counted or window is None else CHECKED_AT_ONCE
    pairs, matched, scanned = [], set(), 0
    while scanned < len(ranked) and (counted or len(matched) < window[1]):
        found = matcher.pairs(ranked, scanned, scanned + step)
        keep = {pair[0] for pair in found}
        if filters.filters_hours:
            keep = _open_at(session, found, filters.open_at or now)
        pairs += [pair for pair in found if pair[0] in keep]
        matched |= keep
        scanned, step = scanned + step, step * 2  # few round trips, however far the matches
    # Compared as the index keeps ids (raw), not converting every candidate to a UUID.
    raw = {form for location_id in matched for form in id_forms(location_id)}
    ranked = ranked.keep(i < scanned and ranked.ids[i] in raw for i in range(len(ranked)))
    if window is not None:
        shown = set(ranked.uuids(*window))
        pairs = [pair for pair in pairs if pair[0] in shown]
    return ranked, pairs


def page_of(
    filters: SearchFilters, page: list[tuple[tuple, float | None]], now: datetime
) -> list[SearchHit]:
    """The cards of a page ranked elsewhere ((raw id, latitude, longitude, name), miles), their
    services checked in SQL: how the bench's naive scan shows what it found."""
    session = db.session
    seen = engine().current(session)
    ranked = Ranked.from_rows([row for row, _ in page])
    pairs = SqlMatcher(session, seen[0], filters, now.date()).pairs(ranked, 0, len(ranked))
    return _cards(session, seen, page, pairs, filters, now)[0]


def _open_at(session: Session, pairs: list[Pair], at: datetime) -> set:
    """The places of these pairs open at ``at``."""
    places, services = {pair[0] for pair in pairs}, {pair[1] for pair in pairs}
    of_places, of_services = opening_hours(session.connection(), places, services)
    hours = assemble(pairs, of_services, of_places)
    return {location_id for location_id, card in hours.items() if card.is_open(at)}


@dataclass
class Matcher:
    """Ranks the matching places and says which of their services matched: the index does
    both for a radius search, SQL checking keywords on the pairs it found; a state listed by
    name is SQL's (``SqlMatcher``)."""

    session: Session
    snapshot: Snapshot
    filters: SearchFilters
    today: date

    def ranked(self) -> Ranked:
        return self.snapshot.index.ranked(self.filters, self.snapshot.taxonomy, self.today)

    def pairs(self, ranked: Ranked, start: int, stop: int) -> list[Pair]:
        pairs = ranked.pairs(start, stop)
        if self.filters.keywords:
            return _mentioning_pairs(self.session, self.filters.keywords, pairs)
        return pairs


class SqlMatcher(Matcher):
    """A whole state listed by name: SQL says which places and services match."""

    def ranked(self) -> Ranked:
        return _state_listing(self.session, self.snapshot, self.filters, self.today)

    def pairs(self, ranked: Ranked, start: int, stop: int) -> list[Pair]:
        found = []
        for chunk in chunks(ranked.uuids(start, stop)):
            query = matching_pairs(self.filters, self.snapshot.taxonomy, self.today, chunk)
            found.extend(self.session.execute(query).all())
        return found


def _matcher(session: Session, snapshot: Snapshot, filters: SearchFilters, today) -> Matcher:
    origin = filters.origin
    by_index = origin is not None and origin.kind != "state"
    return (Matcher if by_index else SqlMatcher)(session, snapshot, filters, today)


def _mentioning_pairs(session: Session, keywords: list[str], pairs: list[Pair]) -> list[Pair]:
    """Of these pairs, those whose service, place or the place's organization mentions every
    keyword."""
    if not pairs:
        return []
    connection = session.connection()
    query = mentioning_pairs(connection.dialect.name, len(keywords))
    parameters = {"locations": list({pair[0] for pair in pairs}), **keyword_parameters(keywords)}
    found = {tuple(row) for row in connection.execute(query, parameters)}
    return [pair for pair in pairs if (pair[0], pair[1]) in found]


def _mentioning_services(session: Session, keywords: list[str], service_ids: set) -> set:
    """Of these services, those whose text or organization mentions every keyword."""
    connection = session.connection()
    query = mentioning_services(connection.dialect.name, len(keywords))
    parameters = {"services": list(service_ids), **keyword_parameters(keywords)}
    return set(connection.scalars(query, parameters))


def _state_listing(session: Session, snapshot: Snapshot, filters: SearchFilters, today) -> Ranked:
    """A state given as the place: the whole state, by name."""
    query = select(
        raw_id(locations.c.id),
        locations.c.latitude,
        locations.c.longitude,
        locations.c.name,
    ).where(Location.visible, offers_matching_service(filters, snapshot.taxonomy, today))
    state = filters.search_state
    if state:
        query = query.where(
            locations.c.id.in_(select(Address.location_id).where(Address.state_province == state))
        )
    return Ranked.from_rows(
        sorted(session.execute(query), key=lambda row: (row[3].casefold(), row[3], row[0]))
    )


def _cards(
    session: Session,
    seen: tuple[Snapshot, bool],
    page: list[tuple[tuple, float | None]],
    pairs: list[Pair],
    filters: SearchFilters,
    now: datetime,
    remote: list = (),
) -> tuple[list[SearchHit], dict]:
    """The page's cards (each place with its matched services, their hours and distance), and
    the service cards read, those of ``remote`` too."""
    shown_at: dict = {raw: [] for raw in (as_uuid(row[0]) for row, _ in page)}
    for location_id, service_id, *_ in pairs:
        shown_at[location_id].append(service_id)
    places, services = engine().cards.cards(session, seen, shown_at, remote)
    hours = assemble(
        pairs,
        {sid: services[sid].spans for sid in services},
        {location_id: places[location_id].spans for location_id in places},
    )
    at = filters.open_at or now
    hits = []
    for (location_id, shown), (_, miles) in zip(shown_at.items(), page, strict=True):
        if location_id in places:  # else gone since the snapshot's version
            shown = [services[s] for s in shown if s in services]
            hits.append(_hit(places[location_id], shown, miles, hours.get(location_id), at, now))
    return hits, services


def _hit(location, shown: list, miles, card: CardHours | None, at: datetime, now: datetime):
    shown.sort(key=lambda service: (service.name, str(service.id)))
    status = card.status(at) if card else UNKNOWN
    open_now = card.status(now) if card and at is not now else status
    dates = [d for d in [location.assured_date, *(s.assured_date for s in shown)] if d]
    return SearchHit(
        location=location,
        services=shown,
        distance_miles=miles,
        open_status=status,
        open_now=None if open_now.state == "unknown" else open_now.state == "open",
        last_verified=max(dates) if dates else None,
    )

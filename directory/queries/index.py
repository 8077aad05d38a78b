"""The radius search's in-memory index: every place a visible service is offered, in arrays.

Why not SQL alone: on a national directory with a quarter of a million locations, a 25-mile box
around Manhattan holds over ten thousand candidates, and checking each one's services in SQL
(an EXISTS per candidate) took around 100 ms. Here the same work is a handful of vectorised
comparisons over the offers sorted by latitude: a millisecond or two.

An *offer* is one visible service (active or temporarily closed, not archived) at one visible
physical location with coordinates. For each offer the index keeps the location's latitude,
longitude and state, bitmasks of the service's taxonomy terms (category, cost, access,
population) and of the languages spoken (the service's and the location's), and the later of
the service's and the location's verified dates — exactly what ``predicates.service_conditions``
asks of one service, so "every filter must match the same service" still holds. Keywords are not
indexed: the search checks them in SQL on the pairs the index found, as it checks opening hours.

Freshness is the engine's (``queries.engine``): it builds an index at one version of the
database and, when the version moves, reloads the changed locations into a small *delta* part
that shadows the base (``SearchIndex.with_changes``); many changes, or a new term, language or
state, make it build a new one.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.geo import bounding_box, haversine_miles
from directory.geo.distance import EARTH_RADIUS_MILES
from directory.models import Address, Attribute, Language, Location, Service, ServiceArea
from directory.queries.context import (
    RemoteChoice,
    choose,
    covered_codes,
)
from directory.queries.predicates import (
    as_uuid,
    id_forms,
    locations,
    raw_id,
    service_at_locations,
    services,
)
from directory.queries.results import SearchFilters
from directory.queries.taxonomy import TaxonomyIndex

# Locations kept in the delta before the base is rebuilt with them.
DELTA_LIMIT = 5000
# Distances this close to the radius are decided with the exact scalar haversine, so an index
# search counts the same locations as a full scan does.
_EDGE = 1e-9
_IN_CHUNK = 5000
_WORD = 64
_MASK = (1 << _WORD) - 1


# Of these service ids, the ones to keep.
Keep = Callable[[set[uuid.UUID]], set[uuid.UUID]]


class Rebuild(Exception):
    """The delta cannot be built against the base's vocabulary: rebuild everything."""


@dataclass(frozen=True)
class Vocabulary:
    """Bit positions of taxonomy terms and languages, and small codes for states."""

    terms: dict[uuid.UUID, int]
    languages: dict[str, int]
    states: dict[str, int]

    @property
    def term_words(self) -> int:
        return max(1, -(-len(self.terms) // _WORD))

    @property
    def language_words(self) -> int:
        return max(1, -(-len(self.languages) // _WORD))


def _words(masks: list[int], count: int) -> np.ndarray:
    """Python-int bitmasks as a (len, count) array of 64-bit words."""
    array = np.zeros((len(masks), count), dtype=np.uint64)
    for word in range(count):
        shift = word * _WORD
        array[:, word] = np.fromiter(
            ((mask >> shift) & _MASK for mask in masks), dtype=np.uint64, count=len(masks)
        )
    return array


@dataclass
class Part:
    """Offers sorted by latitude, and the locations they are at."""

    lat: np.ndarray
    lng: np.ndarray
    loc: np.ndarray  # the offer's location: a position in the arrays below
    state: np.ndarray
    terms: np.ndarray
    languages: np.ndarray
    verified: np.ndarray  # date ordinal, 0 when never verified
    services: np.ndarray  # the offer's raw service id
    statuses: np.ndarray  # the offer's service status (active or temporarily closed)
    ids: np.ndarray  # raw location ids
    names: np.ndarray
    loc_lat: np.ndarray
    loc_lng: np.ndarray
    rank: np.ndarray  # the order of (name, raw id): the tie-break after distance
    timezones: np.ndarray
    positions: dict[object, int] = field(default_factory=dict)  # raw id → position
    sorted_keys: list[tuple] = field(default_factory=list)  # (name, raw id) in order; base only

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, location_id: uuid.UUID) -> int | None:
        return next(
            (self.positions[raw] for raw in id_forms(location_id) if raw in self.positions), None
        )

    def matching(self, box, term_words, language_words, cutoff, state) -> tuple:
        """The offers in the box that pass every filter, and the positions of their locations
        (each once)."""
        min_lat, max_lat, min_lng, max_lng = box
        start = int(np.searchsorted(self.lat, min_lat, side="left"))
        stop = int(np.searchsorted(self.lat, max_lat, side="right"))
        lng = self.lng[start:stop]
        keep = (lng >= min_lng) & (lng <= max_lng)
        keep &= _passes(
            self.terms[start:stop],
            self.languages[start:stop],
            self.verified[start:stop],
            term_words,
            language_words,
            cutoff,
        )
        if state is not None:
            keep &= self.state[start:stop] == state
        offers = start + np.flatnonzero(keep)
        return offers, np.unique(self.loc[offers])


def _passes(terms, languages, verified, term_words, language_words, cutoff) -> np.ndarray:
    """Which offers have a term of every kind asked for, a language asked for, and a recent
    enough verification: ``predicates.service_conditions`` in arrays."""
    keep = np.ones(len(terms), dtype=bool)
    for words in term_words:
        keep &= (terms & words).any(axis=1)
    if language_words is not None:
        keep &= (languages & language_words).any(axis=1)
    if cutoff is not None:
        keep &= verified >= cutoff
    return keep


@dataclass
class RemotePart:
    """Every service area of every visible remote service, with the service's masks."""

    services: np.ndarray  # service ids (UUIDs: there are few)
    extents: np.ndarray  # "nationwide", "state", "county" or "postal_code"
    codes: np.ndarray  # "NY", "NY:Kings", "10001", or None for nationwide
    reaches: np.ndarray
    names: np.ndarray
    terms: np.ndarray
    languages: np.ndarray  # the service's own: a remote service has no location
    verified: np.ndarray

    def choices(
        self, filters: SearchFilters, term_words, language_words, cutoff, keep: Keep | None
    ) -> list:
        """The services reaching the origin (or the state) that pass the filters, and those
        ``keep`` keeps of them (the keyword check), chosen as ``context.choose`` does."""
        covers = self.extents == "nationwide"
        for extent, code in covered_codes(filters):
            covers |= (self.extents == extent) & (self.codes == code)
        rows = np.flatnonzero(
            covers
            & _passes(self.terms, self.languages, self.verified, term_words, language_words, cutoff)
        )
        columns = (self.services, self.extents, self.codes, self.reaches, self.names)
        areas = list(zip(*(column[rows].tolist() for column in columns), strict=True))
        if keep is not None and areas:
            kept = keep({area[0] for area in areas})
            areas = [area for area in areas if area[0] in kept]
        return choose(areas)


@dataclass
class Matches:
    """One part's matching offers, ordered by location position for lookups."""

    part: Part
    locs: np.ndarray
    offers: np.ndarray

    @classmethod
    def of(cls, part: Part, offers: np.ndarray) -> Matches:
        locs = part.loc[offers]
        order = np.argsort(locs, kind="stable")
        return cls(part, locs[order], offers[order])


@dataclass
class Ranked:
    """Matching locations in result order, kept as arrays until a page is asked for.

    From the index it also knows which services matched at each location (``pairs``), so the
    caller need not ask SQL again; a state listing (``from_rows``) does not.
    """

    ids: np.ndarray
    names: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    origin: tuple[float, float] | None = None
    matches: list[Matches] = field(default_factory=list)
    part_of: np.ndarray | None = None  # which Matches each row's location is in
    pos: np.ndarray | None = None  # the row's location position in that part

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: list) -> Ranked:
        """From (raw id, latitude, longitude, name) rows already in order (a state listing)."""
        ids = _objects(row[0] for row in rows)
        names = _objects(row[3] for row in rows)
        lat = np.array([row[1] for row in rows], dtype=np.float64)
        lng = np.array([row[2] for row in rows], dtype=np.float64)
        return cls(ids, names, lat, lng)

    def uuids(self, start: int = 0, stop: int | None = None) -> list[uuid.UUID]:
        """The ids of the rows in [start, stop) as UUIDs."""
        return [as_uuid(raw) for raw in self.ids[start:stop]]

    def keep(self, mask: Iterable[bool]) -> Ranked:
        mask = np.fromiter(mask, dtype=bool, count=len(self))
        return Ranked(
            self.ids[mask],
            self.names[mask],
            self.lat[mask],
            self.lng[mask],
            self.origin,
            self.matches,
            None if self.part_of is None else self.part_of[mask],
            None if self.pos is None else self.pos[mask],
        )

    def pairs(self, start: int = 0, stop: int | None = None) -> list[tuple]:
        """(location id, service id, status, time zone) of every service that matched at the
        rows in [start, stop), in row order: what ``opening.assemble`` takes."""
        stop = len(self) if stop is None else min(stop, len(self))
        found = []
        for index, matches in enumerate(self.matches):
            rows = start + np.flatnonzero(self.part_of[start:stop] == index)
            if not len(rows):
                continue
            positions = self.pos[rows]
            lows = np.searchsorted(matches.locs, positions, side="left")
            counts = np.searchsorted(matches.locs, positions, side="right") - lows
            # Each row repeated once per offer at its place, and those offers in turn.
            each = np.repeat(np.arange(len(rows)), counts)
            offers = matches.offers[
                lows[each] + np.arange(len(each)) - np.repeat(np.cumsum(counts) - counts, counts)
            ]
            part = matches.part
            location_ids = [as_uuid(raw) for raw in self.ids[rows]]
            found += zip(
                rows[each].tolist(),
                [location_ids[i] for i in each.tolist()],
                [as_uuid(raw) for raw in part.services[offers]],
                part.statuses[offers].tolist(),
                part.timezones[positions[each]].tolist(),
                strict=True,
            )
        found.sort(key=lambda pair: pair[0])  # stable: each place's offers stay together
        return [pair[1:] for pair in found]

    def page(self, start: int, stop: int) -> list[tuple[tuple, float | None]]:
        """((raw id, latitude, longitude, name), exact miles) of the rows in [start, stop)."""
        rows = []
        for i in range(start, min(stop, len(self))):
            lat, lng = float(self.lat[i]), float(self.lng[i])
            miles = haversine_miles(*self.origin, lat, lng) if self.origin else None
            rows.append(((self.ids[i], lat, lng, self.names[i]), miles))
        return rows


def _haversine(lat0: float, lng0: float, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    phi0, phi = np.radians(lat0), np.radians(lat)
    a = (
        np.sin((phi - phi0) / 2) ** 2
        + np.cos(phi0) * np.cos(phi) * np.sin(np.radians(lng - lng0) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@dataclass
class SearchIndex:
    vocabulary: Vocabulary
    base: Part
    remote: RemotePart
    delta: Part | None = None
    dead: np.ndarray | None = None  # base locations shadowed by the delta
    delta_ids: frozenset = frozenset()

    def terms_in_use(self) -> frozenset[uuid.UUID]:
        """The taxonomy terms of at least one visible offer or remote service: the filter
        choices that can match something."""
        words = np.zeros(self.vocabulary.term_words, dtype=np.uint64)
        for terms in (self.base.terms, self.remote.terms, getattr(self.delta, "terms", None)):
            if terms is not None and len(terms):
                words |= np.bitwise_or.reduce(terms, axis=0)
        return frozenset(
            term_id
            for term_id, bit in self.vocabulary.terms.items()
            if int(words[bit // _WORD]) >> (bit % _WORD) & 1
        )

    def _criteria(self, filters: SearchFilters, taxonomy: TaxonomyIndex, today: date) -> tuple:
        """The filters as the index checks them: one term mask per kind of term asked for, a
        language mask (or None) and the earliest verified date's ordinal (or None)."""
        vocab = self.vocabulary
        term_words = []
        for codes in (filters.categories, filters.costs, filters.access, filters.populations):
            if codes:
                bits = [vocab.terms[t] for t in taxonomy.expand(codes) if t in vocab.terms]
                term_words.append(_words([sum(1 << b for b in bits)], vocab.term_words)[0])
        language_words = None
        if filters.languages:
            bits = [vocab.languages[c] for c in filters.languages if c in vocab.languages]
            language_words = _words([sum(1 << b for b in bits)], vocab.language_words)[0]
        cutoff = None
        if filters.verified_within is not None:
            cutoff = (today - timedelta(days=filters.verified_within)).toordinal()
        return term_words, language_words, cutoff

    def remote_choices(
        self,
        filters: SearchFilters,
        taxonomy: TaxonomyIndex,
        today: date,
        keep: Keep | None = None,
    ) -> list[RemoteChoice]:
        """The remote services reaching the origin: every filter checked here but keywords,
        which ``keep`` checks on the services found (``search.remote_choices``)."""
        return self.remote.choices(filters, *self._criteria(filters, taxonomy, today), keep)

    def ranked(self, filters: SearchFilters, taxonomy: TaxonomyIndex, today: date) -> Ranked:
        """Every location within the radius with a service matching the indexed filters (all
        but keywords and hours), nearest first, ties by name then id."""
        origin, radius = filters.origin, filters.radius_miles
        box = bounding_box(origin.lat, origin.lng, radius)
        term_words, language_words, cutoff = self._criteria(filters, taxonomy, today)
        vocab = self.vocabulary
        # -2: a state no location is in (-1 marks a location without an address).
        state = vocab.states.get(filters.state, -2) if filters.state else None

        found = []
        matches = []
        for part, dead in ((self.base, self.dead), (self.delta, None)):
            if part is None or not len(part):
                continue
            offers, at = part.matching(box, term_words, language_words, cutoff, state)
            matches.append(Matches.of(part, offers))
            if dead is not None:
                at = at[~dead[at]]
            miles = _haversine(origin.lat, origin.lng, part.loc_lat[at], part.loc_lng[at])
            inside = miles <= radius
            for i in np.flatnonzero(np.abs(miles - radius) <= _EDGE * max(1.0, radius)):
                exact = haversine_miles(
                    origin.lat, origin.lng, float(part.loc_lat[at[i]]), float(part.loc_lng[at[i]])
                )
                inside[i] = exact <= radius
            at, miles = at[inside], miles[inside]
            found.append((part, at, miles))
        if not found:
            empty = np.empty(0)
            return Ranked(empty.astype(object), empty.astype(object), empty, empty)
        miles = np.concatenate([m for _, _, m in found])
        rank = np.concatenate([part.rank[at] for part, at, _ in found])
        order = np.lexsort((rank, miles))

        def gather(name: str) -> np.ndarray:
            return np.concatenate([getattr(part, name)[at] for part, at, _ in found])[order]

        part_of = np.concatenate(
            [np.full(len(at), index, dtype=np.int8) for index, (_, at, _) in enumerate(found)]
        )
        return Ranked(
            gather("ids"),
            gather("names"),
            gather("loc_lat"),
            gather("loc_lng"),
            (origin.lat, origin.lng),
            matches,
            part_of[order],
            np.concatenate([at for _, at, _ in found])[order],
        )


# --- Building -------------------------------------------------------------------------------


def _vocabulary(session: Session) -> Vocabulary:
    term_ids = session.scalars(select(Attribute.taxonomy_term_id).distinct()).all()
    codes = session.scalars(select(func.lower(Language.code)).distinct()).all()
    states = session.scalars(select(Address.state_province).distinct()).all()
    return Vocabulary(
        terms={term_id: i for i, term_id in enumerate(sorted(term_ids))},
        languages={code: i for i, code in enumerate(sorted(set(codes)))},
        states={code: i for i, code in enumerate(sorted(states))},
    )


def _chunked(query, column, ids: list | None) -> list[tuple]:
    """Run the query, narrowed to these ids in chunks (all rows when ids is None)."""
    if ids is None:
        return [query]
    return [query.where(column.in_(ids[i : i + _IN_CHUNK])) for i in range(0, len(ids), _IN_CHUNK)]


def _term_masks(connection, vocab: Vocabulary, service_ids: list | None) -> dict[object, int]:
    """Each service's taxonomy terms as a bitmask, by raw service id."""
    terms: dict[object, int] = defaultdict(int)
    term_bits: dict[object, int | None] = {}  # raw term id → bit, parsed once per term
    attribute_query = select(raw_id(Attribute.service_id), raw_id(Attribute.taxonomy_term_id))
    for query in _chunked(attribute_query, Attribute.service_id, service_ids):
        for service_id, term_id in connection.execute(query):
            if term_id not in term_bits:
                term_bits[term_id] = vocab.terms.get(as_uuid(term_id))
            bit = term_bits[term_id]
            if bit is None:
                raise Rebuild(f"term {term_id}")
            terms[service_id] |= 1 << bit
    return terms


def _language_masks(
    connection, vocab: Vocabulary, service_ids: list | None, location_ids: list | None
) -> dict[object, int]:
    """The languages spoken, as a bitmask by raw id, for these services and locations."""
    spoken: dict[object, int] = defaultdict(int)
    language_query = select(
        raw_id(Language.service_id), raw_id(Language.location_id), func.lower(Language.code)
    )
    queries = _chunked(language_query, Language.service_id, service_ids)
    if location_ids is not None:
        queries += _chunked(language_query, Language.location_id, location_ids)
    for query in queries:
        for service_id, location_id, code in connection.execute(query):
            bit = vocab.languages.get(code)
            if bit is None:
                raise Rebuild(f"language {code}")
            for owner in (service_id, location_id):
                if owner is not None:
                    spoken[owner] |= 1 << bit
    return spoken


def _load_remote(session: Session, vocab: Vocabulary) -> RemotePart:
    """Every area of every visible service that has one (there are few: the national lines,
    mail-based programs, a state's hotline)."""
    connection = session.connection()
    rows = connection.execute(
        select(
            raw_id(ServiceArea.service_id),
            ServiceArea.extent_type,
            ServiceArea.code,
            ServiceArea.reach,
            services.c.name,
            services.c.assured_date,
        )
        .join(services, services.c.id == ServiceArea.service_id)
        .where(Service.visible)
    ).all()
    service_ids = sorted({as_uuid(row[0]) for row in rows})
    terms = _term_masks(connection, vocab, service_ids)
    spoken = _language_masks(connection, vocab, service_ids, [])
    return RemotePart(
        services=_objects(as_uuid(row[0]) for row in rows),
        extents=_objects(row[1] for row in rows),
        codes=_objects(row[2] for row in rows),
        reaches=_objects(row[3] for row in rows),
        names=_objects(row[4] for row in rows),
        terms=_words([terms.get(row[0], 0) for row in rows], vocab.term_words),
        languages=_words([spoken.get(row[0], 0) for row in rows], vocab.language_words),
        verified=np.array([row[5].toordinal() if row[5] else 0 for row in rows], dtype=np.int32),
    )


def _load_part(
    session: Session,
    vocab: Vocabulary,
    location_ids: list[uuid.UUID] | None = None,
    base: Part | None = None,
) -> Part:
    """Read the offers of these locations (all when None) into a Part.

    Raises Rebuild when a delta meets a term, language or state the base's vocabulary lacks.
    """
    where_location = select(
        raw_id(locations.c.id),
        locations.c.latitude,
        locations.c.longitude,
        locations.c.name,
        Address.state_province,
        locations.c.assured_date,
        locations.c.timezone,
    ).outerjoin(Address, Address.location_id == locations.c.id)
    where_location = where_location.where(
        Location.visible, locations.c.latitude.is_not(None), locations.c.longitude.is_not(None)
    )
    # Core rows straight from the connection: the ORM's result machinery would double the
    # build time on a national directory.
    connection = session.connection()
    rows = []
    for query in _chunked(where_location, locations.c.id, location_ids):
        rows.extend(connection.execute(query).all())
    positions = {row[0]: i for i, row in enumerate(rows)}

    offers_query = (
        select(
            raw_id(service_at_locations.c.location_id),
            raw_id(services.c.id),
            services.c.assured_date,
            services.c.status,
        )
        .join(services, services.c.id == service_at_locations.c.service_id)
        .where(Service.visible)
    )
    offers = []
    for query in _chunked(offers_query, service_at_locations.c.location_id, location_ids):
        offers.extend(row for row in connection.execute(query) if row[0] in positions)
    service_ids = None if location_ids is None else sorted({as_uuid(o[1]) for o in offers})

    terms = _term_masks(connection, vocab, service_ids)
    spoken = _language_masks(connection, vocab, service_ids, location_ids)

    states = []
    for row in rows:
        if row[4] is not None and row[4] not in vocab.states:
            raise Rebuild(f"state {row[4]}")
        states.append(vocab.states.get(row[4], -1))

    loc = np.fromiter((positions[o[0]] for o in offers), dtype=np.int32, count=len(offers))
    loc_lat = np.array([row[1] for row in rows], dtype=np.float64)
    loc_lng = np.array([row[2] for row in rows], dtype=np.float64)
    location_verified = [row[5].toordinal() if row[5] else 0 for row in rows]
    verified = np.fromiter(
        (max(o[2].toordinal() if o[2] else 0, location_verified[positions[o[0]]]) for o in offers),
        dtype=np.int32,
        count=len(offers),
    )
    rank, sorted_keys = _ranks(rows, base)
    order = np.argsort(loc_lat[loc], kind="stable")
    ids = _objects(row[0] for row in rows)
    names = _objects(row[3] for row in rows)
    loc = loc[order]
    return Part(
        lat=loc_lat[loc],
        lng=loc_lng[loc],
        loc=loc,
        state=np.array(states, dtype=np.int16)[loc],
        terms=_words([terms.get(o[1], 0) for o in offers], vocab.term_words)[order],
        languages=_words(
            [spoken.get(o[1], 0) | spoken.get(o[0], 0) for o in offers], vocab.language_words
        )[order],
        verified=verified[order],
        services=_objects(o[1] for o in offers)[order],
        statuses=_objects(o[3] for o in offers)[order],
        ids=ids,
        names=names,
        loc_lat=loc_lat,
        loc_lng=loc_lng,
        rank=rank,
        sorted_keys=sorted_keys,
        timezones=_objects(row[6] for row in rows),
        positions=positions,
    )


def _objects(values: Iterable) -> np.ndarray:
    """A numpy array of Python objects (ids, names), which fancy indexing copies cheaply."""
    values = list(values)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _ranks(rows: list, base: Part | None) -> tuple[np.ndarray, list[tuple]]:
    """The (name, raw id) order as numbers, and for a base the keys in that order.

    A base ranks by position; a delta gets numbers that fall between the base's neighbours
    (found in its sorted keys), so both parts sort together."""
    keys = [(row[3], row[0]) for row in rows]
    in_order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.float64)
    if base is None:
        rank[in_order] = np.arange(len(keys))
        return rank, [keys[i] for i in in_order]
    by_slot: dict[int, list[int]] = defaultdict(list)
    for i in in_order:
        by_slot[bisect.bisect_left(base.sorted_keys, keys[i])].append(i)
    for slot, members in by_slot.items():
        for j, i in enumerate(members, start=1):
            rank[i] = slot - 1 + j / (len(members) + 1)
    return rank, []


# --- Keeping up with changes ----------------------------------------------------------------


def build(session: Session) -> SearchIndex:
    """Everything, from scratch."""
    vocab = _vocabulary(session)
    return SearchIndex(vocab, _load_part(session, vocab), _load_remote(session, vocab))


def with_changes(session: Session, index: SearchIndex, moved: set, remote: set) -> SearchIndex:
    """The index with these locations and remote services read again. Raises Rebuild when a
    new one is simpler: too many changed locations, or a term, language or state it lacks."""
    delta_ids = index.delta_ids | moved
    if len(delta_ids) > DELTA_LIMIT:
        raise Rebuild(f"{len(delta_ids)} changed locations")
    delta, dead = index.delta, index.dead
    if moved:
        delta = _load_part(session, index.vocabulary, sorted(delta_ids), base=index.base)
        dead = np.zeros(len(index.base), dtype=bool)
        shadowed = [index.base.position(location_id) for location_id in delta_ids]
        dead[[p for p in shadowed if p is not None]] = True
    return SearchIndex(
        index.vocabulary,
        index.base,
        _load_remote(session, index.vocabulary) if remote else index.remote,
        delta=delta,
        dead=dead,
        delta_ids=frozenset(delta_ids),
    )

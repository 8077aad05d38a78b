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
indexed: the caller checks them in SQL on the index's candidates, as it checks opening hours.

Freshness: every flush that touches searchable rows notes the affected locations in
``search_changes`` (``directory.queries.changes``). Each search compares a fingerprint of the
newest change rows with the ones its index applied (one small range query on the primary key);
when they differ the changed locations are reloaded into a small *delta* part that shadows the
base, and the base is rebuilt when the delta grows large or a change says "everything".

The index also keeps every state's legality notes (a few hundred rows), which a search shows
beside its cards. The same statement that fingerprints the change rows asks for their count
and latest modification, so a search costs one query to learn that all it keeps is current.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.geo import bounding_box, haversine_miles
from directory.geo.distance import EARTH_RADIUS_MILES
from directory.models import Address, Attribute, Language, LegalityNote, SearchChange, ServiceArea
from directory.models.services import VISIBLE_STATUSES
from directory.queries.context import (
    LegalitySummary,
    RemoteChoice,
    choose,
    covered_codes,
    load_legality,
    notes_in_order,
)
from directory.queries.predicates import (
    as_uuid,
    id_forms,
    locations,
    not_archived,
    raw_id,
    service_at_locations,
    services,
    visible_location,
)
from directory.queries.results import SearchFilters
from directory.queries.taxonomy import TaxonomyIndex

logger = logging.getLogger(__name__)

# Change rows read again on every catch-up: on PostgreSQL a transaction can commit after later
# ones (ids are handed out at insert, not at commit), so the index looks back this far.
WINDOW = 1000
# Locations kept in the delta before the base is rebuilt with them.
DELTA_LIMIT = 5000
# Distances this close to the radius are decided with the exact scalar haversine, so an index
# search counts the same locations as a full scan does.
_EDGE = 1e-9
_IN_CHUNK = 5000
_WORD = 64
_MASK = (1 << _WORD) - 1


# Each index made in this process gets a higher number; the catch-ups since the last build
# are remembered this far back, so the card cache (``queries.cards``) can forget what changed.
_generations = itertools.count(1)
HISTORY = 1000
# How long after the newest legality edit the notes are read again, and how often (see
# ``KeptLegality``): more than gunicorn's 30 s request timeout; once a second, not on every
# search (right after a seed load, that was every search of the first minute).
LEGALITY_SETTLING = timedelta(seconds=60)
LEGALITY_RECHECK = 1.0
# The clock the notes' re-reads are timed by (tests move it instead of the whole process's).
_clock = time.monotonic


@dataclass(frozen=True)
class Step:
    """What one catch-up reloaded: the locations and the remote services that changed."""

    generation: int
    locations: frozenset
    services: frozenset


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

    services: np.ndarray  # raw service ids
    extents: np.ndarray  # "nationwide", "state", "county" or "postal_code"
    codes: np.ndarray  # "NY", "NY:Kings", "10001", or None for nationwide
    reaches: np.ndarray
    names: np.ndarray
    terms: np.ndarray
    languages: np.ndarray  # the service's own: a remote service has no location
    verified: np.ndarray

    def choices(self, filters: SearchFilters, term_words, language_words, cutoff) -> list:
        """The services reaching the origin (or the state) that pass the filters, chosen as
        ``context.choose`` does."""
        covers = self.extents == "nationwide"
        for extent, code in covered_codes(filters):
            covers |= (self.extents == extent) & (self.codes == code)
        rows = np.flatnonzero(
            covers
            & _passes(self.terms, self.languages, self.verified, term_words, language_words, cutoff)
        )
        return choose(
            (
                as_uuid(self.services[row]),
                self.extents[row],
                self.codes[row],
                self.reaches[row],
                self.names[row],
            )
            for row in rows
        )


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

    def uuids(self) -> list[uuid.UUID]:
        return [as_uuid(raw) for raw in self.ids]

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

    @property
    def knows_matches(self) -> bool:
        return self.part_of is not None

    def pairs(self, start: int = 0, stop: int | None = None) -> list[tuple]:
        """(location id, service id, status, time zone) of every service that matched at the
        rows in [start, stop): what ``opening.load_card_hours`` takes."""
        stop = len(self) if stop is None else min(stop, len(self))
        found = []
        for index, matches in enumerate(self.matches):
            rows = start + np.flatnonzero(self.part_of[start:stop] == index)
            if not len(rows):
                continue
            positions = self.pos[rows]
            lows = np.searchsorted(matches.locs, positions, side="left")
            highs = np.searchsorted(matches.locs, positions, side="right")
            part = matches.part
            for row, position, low, high in zip(rows, positions, lows, highs, strict=True):
                location_id, timezone = as_uuid(self.ids[row]), part.timezones[position]
                for offer in matches.offers[low:high]:
                    found.append(
                        (
                            location_id,
                            as_uuid(part.services[offer]),
                            part.statuses[offer],
                            timezone,
                        )
                    )
        return found

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


@dataclass(frozen=True)
class KeptLegality:
    """Every state's legality notes, by state, and the version of the notes they were read at:
    their count and newest modification time.

    That time is taken when an edit is written, not when it commits: on PostgreSQL an earlier
    edit can commit after a later one and leave the version as it was. So for a while after
    the newest edit (longer than any request may last) the notes are not trusted: they are
    read again (a few hundred rows) once a second, whatever the version says.
    """

    by_state: dict[str, tuple[LegalitySummary, ...]] = field(default_factory=dict)
    version: tuple = (0, None)
    settled: bool = True
    read_at: float = 0.0  # _clock()

    @classmethod
    def read(cls, session: Session, version: tuple) -> KeptLegality:
        latest = version[1]  # aware UTC (models.base.UTCDateTime)
        settled = latest is None or datetime.now(UTC) - latest > LEGALITY_SETTLING
        return cls(load_legality(session), version, settled, _clock())

    def current(self, version: tuple) -> bool:
        if version != self.version:
            return False
        return self.settled or _clock() - self.read_at < LEGALITY_RECHECK


@dataclass
class SearchIndex:
    vocabulary: Vocabulary
    base: Part
    remote: RemotePart
    delta: Part | None = None
    dead: np.ndarray | None = None  # base locations shadowed by the delta
    delta_ids: frozenset = frozenset()
    floor: int = 0
    applied: dict[int, int] = field(default_factory=dict)  # change id → stamp, above floor
    fingerprint: tuple = (None, 0, 0)
    generation: int = 0
    history: tuple[Step, ...] = ()  # catch-ups since the last build, oldest first, ≤ HISTORY
    # The generation before the oldest step still in history (at first, the build's own).
    history_floor: int = 0
    legality: KeptLegality = field(default_factory=KeptLegality)

    def legality_notes(
        self, state: str | None, topics_first: list[str], locale: str
    ) -> list[LegalitySummary]:
        """The state's notes in the locale (English where a translation is missing), the
        topics of the searched categories first, then the rest in the fixed topic order."""
        if not state:
            return []
        return notes_in_order(self.legality.by_state.get(state, ()), topics_first, locale)

    def changes_since(self, generation: int) -> tuple[set, set] | None:
        """The locations and remote services changed after index ``generation`` and taken in
        by this one; None when that cannot be told (rebuilt since, or too long ago)."""
        if generation < self.history_floor:
            return None
        locations: set = set()
        services: set = set()
        for step in self.history:
            if step.generation > generation:
                locations |= step.locations
                services |= step.services
        return locations, services

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

    def offers(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Every visible location with coordinates, and the visible services offered there."""
        offered: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for part, dead in ((self.base, self.dead), (self.delta, None)):
            if part is None:
                continue
            for position, service_id in zip(part.loc.tolist(), part.services, strict=True):
                if dead is None or not dead[position]:
                    offered[as_uuid(part.ids[position])].add(as_uuid(service_id))
        return offered

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
        self, filters: SearchFilters, taxonomy: TaxonomyIndex, today: date
    ) -> list[RemoteChoice]:
        """What ``context.remote_choices`` answers, for searches without keywords."""
        return self.remote.choices(filters, *self._criteria(filters, taxonomy, today))

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
        .where(services.c.status.in_(VISIBLE_STATUSES), not_archived(services.c.archived_at))
    ).all()
    service_ids = sorted({as_uuid(row[0]) for row in rows})
    terms = _term_masks(connection, vocab, service_ids)
    spoken = _language_masks(connection, vocab, service_ids, [])
    return RemotePart(
        services=_objects(row[0] for row in rows),
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
        visible_location(), locations.c.latitude.is_not(None), locations.c.longitude.is_not(None)
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
        .where(services.c.status.in_(VISIBLE_STATUSES), not_archived(services.c.archived_at))
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


def _change_rows(session: Session, floor: int) -> list[tuple[int, int, object, object]]:
    """(id, stamp, location id, remote service id) of the change rows above ``floor``."""
    table = SearchChange.__table__
    query = select(table.c.id, table.c.stamp, table.c.location_id, table.c.service_id).where(
        table.c.id > floor
    )
    return [tuple(row) for row in session.execute(query.order_by(table.c.id))]


def _look_statement():
    changes, notes = SearchChange.__table__, LegalityNote.__table__
    above = changes.c.id > bindparam("floor")
    return select(
        select(func.max(changes.c.id)).where(above).scalar_subquery(),
        select(func.count()).select_from(changes).where(above).scalar_subquery(),
        select(func.coalesce(func.sum(changes.c.stamp), 0)).where(above).scalar_subquery(),
        select(func.count()).select_from(notes).scalar_subquery(),
        select(func.max(notes.c.last_modified)).scalar_subquery(),
    )


# Built once, not per search: building a select() costs more than the database takes to
# answer this one.
_LOOK = _look_statement()


def _look(session: Session, floor: int) -> tuple[tuple, tuple]:
    """The fingerprint of the change rows above ``floor``, and the legality notes' version."""
    row = session.connection().execute(_LOOK, {"floor": floor}).one()
    return (row[0], int(row[1]), int(row[2])), (int(row[3]), row[4])


def _window(changes: list[tuple]) -> tuple[int, dict[int, int], tuple]:
    high = max((change[0] for change in changes), default=0)
    floor = max(0, high - WINDOW)
    applied = {cid: stamp for cid, stamp, *_ in changes if cid > floor}
    fingerprint = (max(applied, default=None), len(applied), sum(applied.values()))
    return floor, applied, fingerprint


def build(session: Session) -> SearchIndex:
    """Everything, from scratch."""
    (high, *_), legality_version = _look(session, 0)
    changes = _change_rows(session, max(0, (high or 0) - WINDOW))
    vocab = _vocabulary(session)
    base = _load_part(session, vocab)
    remote = _load_remote(session, vocab)
    floor, applied, fingerprint = _window(changes)
    generation = next(_generations)
    return SearchIndex(
        vocab,
        base,
        remote,
        floor=floor,
        applied=applied,
        fingerprint=fingerprint,
        generation=generation,
        history_floor=generation,
        legality=KeptLegality.read(session, legality_version),
    )


def catch_up(session: Session, index: SearchIndex) -> SearchIndex:
    """The index with the changes noted since it was made; rebuilt when that is simpler."""
    changes = _change_rows(session, index.floor)
    seen = {cid: stamp for cid, stamp, *_ in changes}
    if any(seen.get(cid) != stamp for cid, stamp in index.applied.items()):
        return build(session)  # a change it applied was rolled back (tests do this)
    new = [change for change in changes if change[0] not in index.applied]
    if any(location_id is None and service_id is None for *_, location_id, service_id in new):
        return build(session)
    moved = {as_uuid(location_id) for *_, location_id, _ in new if location_id is not None}
    delta_ids = index.delta_ids | moved
    if len(delta_ids) > DELTA_LIMIT:
        return build(session)
    delta, dead, remote = index.delta, index.dead, index.remote
    try:
        if moved:
            delta = _load_part(session, index.vocabulary, sorted(delta_ids), base=index.base)
            dead = np.zeros(len(index.base), dtype=bool)
            shadowed = [index.base.position(location_id) for location_id in delta_ids]
            dead[[p for p in shadowed if p is not None]] = True
        remote_ids = {as_uuid(service_id) for *_, service_id in new if service_id is not None}
        if remote_ids:
            remote = _load_remote(session, index.vocabulary)
    except Rebuild:
        return build(session)
    floor, applied, fingerprint = _window(changes)
    step = Step(next(_generations), frozenset(moved), frozenset(remote_ids))
    history = (*index.history, step)
    history_floor = index.history_floor
    if len(history) > HISTORY:
        history_floor = history[-HISTORY - 1].generation
        history = history[-HISTORY:]
    return SearchIndex(
        index.vocabulary,
        index.base,
        remote,
        delta=delta,
        dead=dead,
        delta_ids=frozenset(delta_ids),
        floor=floor,
        applied=applied,
        fingerprint=fingerprint,
        generation=step.generation,
        history=history,
        history_floor=history_floor,
        legality=index.legality,
    )


_lock = threading.Lock()
_indexes: dict[str, SearchIndex] = {}


def search_index(session: Session) -> SearchIndex:
    """This database's index, brought up to date with every change the session can see."""
    key = str(session.get_bind().url)
    index = _indexes.get(key)
    if index is not None and _current(index, *_look(session, index.floor)):
        return index
    with _lock:
        index = _indexes.get(key)
        if index is None:
            index = build(session)
        else:
            changes, legality_version = _look(session, index.floor)
            if changes != index.fingerprint:
                index = catch_up(session, index)
            if not index.legality.current(legality_version):
                # The cards do not show the law: the same generation, new notes.
                index = replace(index, legality=KeptLegality.read(session, legality_version))
        _indexes[key] = index
    return index


def _current(index: SearchIndex, changes: tuple, legality_version: tuple) -> bool:
    return changes == index.fingerprint and index.legality.current(legality_version)


def warm_up() -> None:
    """Build the current app's index now (gunicorn's master, before it forks the workers, so
    they share it instead of the first searches each waiting for a build)."""
    from directory.extensions import db

    try:
        search_index(db.session)
    except SQLAlchemyError as error:  # an empty or unmigrated database: build on first search
        logger.warning("search index not built at start-up: %s", type(error).__name__)
    finally:
        db.session.remove()
        db.engine.dispose()

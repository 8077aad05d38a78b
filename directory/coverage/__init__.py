"""Where the directory still has nothing: per state and need, how many in-person places offer it,
and the share of the state's ZIP codes that have one within 25 miles, or a remote service (mail,
phone, online) that serves them.

An operator's view of the data, not of the searches: it reads the listings and the ZIP centroids
the place parser already holds, and nothing about who searched.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import haversine_miles
from directory.geo.distance import bounding_box
from directory.geo.index import get_index
from directory.geo.records import ZipRecord
from directory.models import Address, Location, Service, ServiceArea
from directory.queries.predicates import (
    locations,
    offers_matching_service,
    service_conditions,
)
from directory.queries.results import SearchFilters
from directory.queries.taxonomy import taxonomy_index

COVERAGE_MILES = 25.0
# The needs a person searches for most, as taxonomy codes (a parent covers its children).
NEEDS = (
    "naloxone",
    "fentanyl_test_strips",
    "syringe_services",
    "overdose_prevention_centers",
    "buprenorphine",
    "methadone",
    "peer_support",
    "treatment",
    "hiv_hcv_services",
    "housing",
)


@dataclass(frozen=True)
class Coverage:
    """One state's coverage for one need."""

    state: str
    need: str
    places: int  # in-person places in the state offering it
    zips: int  # the state's ZIP codes
    zips_in_person: int  # ZIPs with such a place within COVERAGE_MILES (in any state)
    zips_covered: int  # ZIPs with such a place nearby, or a remote service that serves them

    @property
    def in_person_share(self) -> float:
        return self.zips_in_person / self.zips if self.zips else 0.0

    @property
    def share(self) -> float:
        return self.zips_covered / self.zips if self.zips else 0.0


class _PointGrid:
    """Points in one-degree cells, for "is any point within r miles of here" questions."""

    def __init__(self, points: Iterable[tuple[float, float]]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
        for lat, lng in points:
            self.cells[(math.floor(lat), math.floor(lng))].append((lat, lng))

    def any_within(self, lat: float, lng: float, miles: float) -> bool:
        min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, miles)
        for row in range(math.floor(min_lat), math.floor(max_lat) + 1):
            for column in range(math.floor(min_lng), math.floor(max_lng) + 1):
                for point in self.cells.get((row, column), ()):
                    if haversine_miles(lat, lng, point[0], point[1]) <= miles:
                        return True
        return False


def coverage(
    session: Session,
    states: Iterable[str] | None = None,
    needs: Iterable[str] = NEEDS,
    today: date | None = None,
) -> list[Coverage]:
    """Coverage by state (in code order) and need, for the given states (default: all)."""
    today = today or datetime.now(UTC).date()
    taxonomy = taxonomy_index(session)
    zips_by_state: dict[str, list[ZipRecord]] = defaultdict(list)
    for record in get_index().zips.values():
        zips_by_state[record.state].append(record)
    chosen = sorted(set(states) if states else zips_by_state)
    rows: list[Coverage] = []
    for need in needs:
        filters = SearchFilters(categories=(need,))
        places = session.execute(
            select(locations.c.latitude, locations.c.longitude, Address.state_province)
            .select_from(locations)
            .outerjoin(Address, Address.location_id == locations.c.id)
            .where(
                Location.visible,
                offers_matching_service(filters, taxonomy, today),
                locations.c.latitude.is_not(None),
                locations.c.longitude.is_not(None),
            )
        ).all()
        grid = _PointGrid((lat, lng) for lat, lng, _ in places)
        per_state = Counter(state for _, _, state in places)
        reaches = _RemoteReach.of(session, filters, taxonomy, today)
        for state in chosen:
            zips = zips_by_state.get(state, [])
            in_person = covered = 0
            for record in zips:
                nearby = grid.any_within(record.lat, record.lng, COVERAGE_MILES)
                in_person += nearby
                covered += nearby or reaches.serves(record)
            rows.append(Coverage(state, need, per_state[state], len(zips), in_person, covered))
    return sorted(rows, key=lambda row: (row.state, list(needs).index(row.need)))


@dataclass
class _RemoteReach:
    """The areas that the matching mail, phone and online services serve."""

    nationwide: bool
    areas: set[tuple[str, str]]

    @classmethod
    def of(cls, session: Session, filters, taxonomy, today) -> _RemoteReach:
        rows = session.execute(
            select(ServiceArea.extent_type, ServiceArea.code)
            .join(Service, Service.id == ServiceArea.service_id)
            .where(*service_conditions(filters, taxonomy, today, at_location=False))
            .distinct()
        ).all()
        return cls(
            nationwide=any(extent == "nationwide" for extent, _ in rows),
            areas={(extent, code) for extent, code in rows if code},
        )

    def serves(self, record: ZipRecord) -> bool:
        if self.nationwide:
            return True
        return bool(
            {
                ("state", record.state),
                ("county", f"{record.state}:{record.county}"),
                ("postal_code", record.code),
            }
            & self.areas
        )

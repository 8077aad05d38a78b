"""Search timings: the search function, the whole API request, and a naive full scan.

For each origin (a real ZIP centroid) at a 25-mile radius:

* ``search()`` — what the pages, the API and HSDS call (the in-memory index ranks the
  candidates, the page's cards are loaded). Each origin is new to it, so its cards are read from
  the database: the first search near a place;
* ``GET /api/v1/search`` — the same through the Flask test client: argument parsing, place
  lookup, search and JSON. It follows ``search()`` for the same origin, so it finds the cards
  kept: any later search near the same place;
* the naive baseline — every location's coordinates from SQL, haversine on all of them in
  Python, filter, sort, then the same loading of the page's records;
* ``search()`` with every filter on (categories, cost, access, language, keywords,
  verified within a year, open now).

Wall-clock times are what a person waits; CPU times are reported beside them because on a
shared machine other processes stretch the wall clock.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import String, select, type_coerce

from directory.extensions import db
from directory.geo import Place, haversine_miles, zip_centroid
from directory.geo.index import get_index
from directory.models import Location
from directory.queries import SearchFilters, search
from directory.queries.predicates import locations
from directory.queries.search import page_of

RADIUS_MILES = 25.0
WARM_UP = 5
# The naive scan reads every location for every origin (seconds each): timed on the first
# origins only, which is plenty for its median.
NAIVE_ORIGINS = 50
EVERY_FILTER = {
    "categories": ("naloxone", "fentanyl_test_strips"),
    "costs": ("free",),
    "access": ("walk_in", "no_id_required"),
    "languages": ("es",),
    "q": "synthetic",
    "verified_within": 365,
    "open_now": True,
}


@dataclass
class Timing:
    name: str
    wall_ms: list[float]
    cpu_ms: list[float]
    results: list[int]

    def p(self, fraction: float, cpu: bool = False) -> float:
        samples = sorted(self.cpu_ms if cpu else self.wall_ms)
        return samples[min(len(samples) - 1, round(fraction * (len(samples) - 1)))]

    @property
    def mean_results(self) -> float:
        return statistics.fmean(self.results) if self.results else 0.0


def origins(count: int, seed: int = 2026) -> list[str]:
    """ZIP codes picked at random (seeded) among every US ZIP with a centroid."""
    codes = sorted(get_index().zips)
    return random.Random(seed).sample(codes, count)


def _timed(measures: list[tuple[str, Sequence, Callable[[object], int]]]) -> list[Timing]:
    """Time each measure on its inputs, interleaved origin by origin so that whatever else the
    machine is doing weighs on every measure alike."""
    for _, inputs, run in measures:
        for item in inputs[:WARM_UP]:
            run(item)
            db.session.remove()
    # As gunicorn's master does once the snapshot is built (gunicorn.conf.py): the long-lived
    # objects leave the garbage collector's sight, so its full collections stay short.
    gc.freeze()
    timings = [Timing(name, [], [], []) for name, _, _ in measures]
    for index in range(max(len(inputs) for _, inputs, _ in measures)):
        for timing, (_, inputs, run) in zip(timings, measures, strict=True):
            if index >= len(inputs):
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            found = run(inputs[index])
            timing.wall_ms.append((time.perf_counter() - wall) * 1000)
            timing.cpu_ms.append((time.process_time() - cpu) * 1000)
            timing.results.append(found)
            db.session.remove()
    return timings


def naive_search(filters: SearchFilters, now: datetime) -> int:
    """The baseline: no bounding box, haversine on every location in the directory."""
    origin = filters.origin
    rows = db.session.execute(
        select(
            type_coerce(locations.c.id, String),
            locations.c.latitude,
            locations.c.longitude,
            locations.c.name,
        ).where(
            Location.visible,
            locations.c.latitude.is_not(None),
        )
    )
    within = []
    for row in rows:
        miles = haversine_miles(origin.lat, origin.lng, row[1], row[2])
        if miles <= filters.radius_miles:
            within.append((row, miles))
    within.sort(key=lambda pair: (pair[1], pair[0][3], pair[0][0]))
    page_of(filters, within[: filters.per_page], now)
    return len(within)


def run(app: Flask, count: int) -> list[Timing]:
    codes = origins(count)
    with app.app_context():
        places: list[Place] = [zip_centroid(code) for code in codes]
        now = datetime.now(UTC)
        plain = [SearchFilters(origin=place, radius_miles=RADIUS_MILES) for place in places]
        filtered = [replace(filters, **EVERY_FILTER) for filters in plain]
        client = app.test_client()

        def api(code: str) -> int:
            response = client.get(f"/api/v1/search?near={code}&radius={RADIUS_MILES:g}")
            if response.status_code != 200:
                raise RuntimeError(f"/api/v1/search?near={code} answered {response.status_code}")
            return response.json["pagination"]["total"]

        return _timed(
            [
                ("search()", plain, lambda f: search(f, now=now).total),
                ("GET /api/v1/search", codes, api),
                (
                    f"naive scan ({NAIVE_ORIGINS} origins)",
                    plain[:NAIVE_ORIGINS],
                    lambda f: naive_search(f, now),
                ),
                ("search(), every filter on", filtered, lambda f: search(f, now=now).total),
            ]
        )

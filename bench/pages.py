"""Server render time of the public pages, through the Flask test client.

``bench_results_page(app, origins)`` is called by ``python -m bench`` (bench/__main__.py) with an
app whose database already holds the synthetic listings; it times the whole request — parsing,
place lookup, search, template — as a person's browser would trigger it, with no network.
``bench_route_kinds(app)`` times every public route kind (``public_routes``, which the national
smoke check ``bench/smoke.py`` requests too) and reports p50/p95 per kind.
Run alone: ``python -m bench.pages [COUNT]`` seeds a throwaway SQLite database first.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask

# A search as the home page sends it, and one narrowed by the filters people use most.
QUERIES = (
    {"radius": "25"},
    {"radius": "10", "service": "naloxone", "cost": "free"},
)


# Results pages are asked for around these ZIPs in turn: dense and sparse places, four zones.
RESULT_ORIGINS = ("10001", "98101", "60601", "30303", "77002", "94103", "59901", "04101")
STATE_PAGE_P95_TARGET_MS = 300.0
PAGE_P95_TARGET_MS = 1000.0
HSDS_LISTS = (
    "/hsds/services",
    "/hsds/organizations",
    "/hsds/service_at_locations",
    "/hsds/taxonomies",
    "/hsds/taxonomy_terms",
)
PROXIMITY_METRES = (40_000, 500_000)


def public_routes(get_json: Callable[[str], dict]) -> dict[str, list[str]]:
    """Every public route kind with the URLs that exercise it, found from the directory's own
    API (``get_json(path)`` answers a JSON body): all states, every top-level need in English
    and Spanish, a few places. Whole-dataset NDJSON streams are kept apart (``ndjson_lists``).
    """
    states = [state["code"] for state in get_json("/api/v1/states")["states"]]
    needs = [
        term["code"]
        for term in get_json("/api/v1/taxonomy")["terms"]
        if term["kind"] == "category" and term["parent"] is None
    ]
    places = [
        result["location"]["id"]
        for origin in RESULT_ORIGINS[:3]
        for result in get_json(f"/api/v1/search?near={origin}&per_page=3")["results"]
    ]
    # Each need searched around another of the origins, so the results pages vary in size.
    searches = [
        f"near={RESULT_ORIGINS[n % len(RESULT_ORIGINS)]}&service={need}"
        for n, need in enumerate(needs)
    ]
    return {
        "state page": [f"/states/{code}" for code in states],
        "state API": [f"/api/v1/states/{code}" for code in states],
        "results": [f"/search?{query}" for query in searches]
        + [f"/search?near={origin}" for origin in RESULT_ORIGINS],
        "results (es)": [f"/search?{query}&lang=es" for query in searches],
        "location page": [f"/locations/{place}" for place in places],
        "home, about, login": ["/", "/?lang=es", "/about", "/auth/login"],
        "API search": [f"/api/v1/search?{query}" for query in searches]
        + [f"/api/v1/search?near={origin}" for origin in RESULT_ORIGINS],
        "HSDS list": [
            *HSDS_LISTS,
            "/hsds/services?full=true",
            "/hsds/service_at_locations?full=true",
        ],
        "HSDS proximity": [
            f"/hsds/service_at_locations?postcode={origin}&proximity={metres}"
            for origin in RESULT_ORIGINS[:4]
            for metres in PROXIMITY_METRES
        ],
    }


def ndjson_lists() -> list[str]:
    """Every HSDS list as an NDJSON stream, each spanning many batches. Services and their
    places are narrowed to one need's words: whole, they are 50-80 MB that take a minute or
    more each to stream on a busy machine (``make bench`` times a whole export)."""
    return [
        "/hsds/services?search=naloxone&format=ndjson",
        "/hsds/organizations?format=ndjson",
        "/hsds/service_at_locations?search=naloxone&format=ndjson",
        f"/hsds/service_at_locations?postcode=10001&proximity={PROXIMITY_METRES[0]}&format=ndjson",
        "/hsds/taxonomies?format=ndjson",
        "/hsds/taxonomy_terms?format=ndjson",
    ]


def figures(timings_ms: list[float]) -> dict:
    return {
        "n": len(timings_ms),
        "p50_ms": round(statistics.median(timings_ms), 1),
        "p95_ms": round(_percentile(timings_ms, 0.95), 1),
        "max_ms": round(max(timings_ms), 1),
    }


def target_ms(kind: str) -> float:
    return STATE_PAGE_P95_TARGET_MS if kind == "state page" else PAGE_P95_TARGET_MS


def bench_route_kinds(app: Flask, rounds: int = 3) -> dict[str, dict]:
    """Time every URL of ``public_routes`` ``rounds`` times after one warm-up request each;
    p50/p95/max milliseconds per route kind. A URL answering other than 200 raises."""
    client = app.test_client()

    def get_json(path: str) -> dict:
        return json.loads(client.get(path).get_data())

    routes = public_routes(get_json)
    for url in (url for urls in routes.values() for url in urls):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    # As gunicorn.conf.py does once the snapshot is built: what lives as long as the process
    # leaves the garbage collector's sight, and full collections walking it are not timed as
    # the pages' own cost.
    gc.freeze()
    timings: dict[str, list[float]] = {}
    try:
        for kind, urls in routes.items():
            for _ in range(rounds):
                for url in urls:
                    started = time.perf_counter()
                    client.get(url).get_data()
                    timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    finally:
        gc.unfreeze()
    return {kind: figures(samples) for kind, samples in timings.items()}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_results_page(app: Flask, origins: Sequence[str], rounds: int = 5) -> dict:
    """Render /search for every origin × query ``rounds`` times; milliseconds per page.

    Returns ``{"pages": n, "p50_ms", "p95_ms", "max_ms", "mean_bytes", "skipped"}``. The first
    render of each URL is a warm-up (geo index, taxonomy cache, template compilation) and is not
    counted; an origin the page cannot resolve (it answers 422) is skipped and counted.
    """
    client = app.test_client()
    urls = [
        "/search?" + urlencode({"near": origin, **query}) for origin in origins for query in QUERIES
    ]
    timings: list[float] = []
    sizes: list[int] = []
    answered = [url for url in urls if client.get(url).status_code == 200]
    if not answered:
        raise RuntimeError(f"no results page rendered for origins {list(origins)[:5]}…")
    skipped = len(urls) - len(answered)
    urls = answered
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(response.data))
    return {
        "pages": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "mean_bytes": round(statistics.fmean(sizes)),
        "skipped": skipped,
    }


def main(count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.database import synthetic_directory

    with synthetic_directory(count) as app:
        figures = bench_results_page(app, ["10001", "60601", "Albany, NY", "94103"])
    print(f"results page, {count} synthetic listings: {figures}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)

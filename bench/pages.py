"""Server render time of the results page: GET /search through the Flask test client.

``bench_results_page(app, origins)`` is called by ``python -m bench`` (bench/__main__.py) with an
app whose database already holds the synthetic listings; it times the whole request — parsing,
place lookup, search, template — as a person's browser would trigger it, with no network.
Run alone: ``python -m bench.pages [COUNT]`` seeds a throwaway SQLite database first.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask

# A search as the home page sends it, and one narrowed by the filters people use most.
QUERIES = (
    {"radius": "25"},
    {"radius": "10", "service": "naloxone", "cost": "free"},
)


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

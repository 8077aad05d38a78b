"""HSDS proximity: ``/hsds/service_at_locations?postcode=&proximity=`` at 40 km and at 500 km.

Each distance is asked around four big-city postcodes, ``ROUNDS`` times each after one warm-up
request, through the Flask test client; the figures are p50/p95/max milliseconds per distance and
the service-at-locations the first postcode finds (what a page counts, not what it shows).

Run alone: ``python -m bench.hsds_proximity [DATABASE_URL]`` (default: ``DATABASE_URL``).
"""

from __future__ import annotations

import sys
import time

from flask import Flask

from bench.database import bench_app, default_source_url
from bench.pages import PROXIMITY_METRES, RESULT_ORIGINS, figures

POSTCODES = RESULT_ORIGINS[:4]
ROUNDS = 5


def bench_hsds_proximity(app: Flask, rounds: int = ROUNDS) -> dict[int, dict]:
    """Figures per proximity in metres. A request answering other than 200 raises."""
    client = app.test_client()

    def get(url: str) -> dict:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response.get_json()

    measured = {}
    for metres in PROXIMITY_METRES:
        urls = [
            f"/hsds/service_at_locations?postcode={code}&proximity={metres}" for code in POSTCODES
        ]
        found = [get(url)["total_items"] for url in urls]
        timings = []
        for _ in range(rounds):
            for url in urls:
                started = time.perf_counter()
                get(url)
                timings.append((time.perf_counter() - started) * 1000)
        measured[metres] = figures(timings) | {"total_items": found[0]}
    return measured


def describe(measured: dict[int, dict]) -> str:
    lines = [f"HSDS proximity ({', '.join(POSTCODES)}; Flask test client)"]
    for metres, row in measured.items():
        lines.append(
            f"  {metres / 1000:g} km: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"max {row['max_ms']} ms over {row['n']} requests; "
            f"{row['total_items']:,} service-at-locations near {POSTCODES[0]}"
        )
    return "\n".join(lines)


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else default_source_url()
    app = bench_app(url)
    with app.app_context():
        print(describe(bench_hsds_proximity(app)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``GET /api/v1/search`` under gunicorn on 127.0.0.1: requests per second and latency, the
figures ``make bench`` reports.

It reuses the load test's server and clients (``bench.load_server``, ``bench.load_clients``):
a short warm-up, then a closed-loop phase of API searches only. These are figures, not a
target: the clients share the machine's CPUs with the server (docs/deployment.md §7).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.load import APP_SPEC
from bench.load_clients import percentile, run_phase
from bench.load_server import gunicorn
from bench.load_workload import api_search, sample_targets

CLIENTS = int(os.environ.get("BENCH_THROUGHPUT_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "10"))
KIND = "api search"


def bench_search_throughput(database_url: str) -> dict[str, float]:
    """Requests per second of API searches, their p50 and p95 in milliseconds, and errors."""
    targets = sample_targets(database_url)
    log_path = Path(tempfile.mkdtemp(prefix="hrd-bench-")) / "gunicorn.log"
    search = api_search(targets)
    with gunicorn(database_url, log_path, app_spec=APP_SPEC) as server:
        warm_up = run_phase("warm-up", server.port, CLIENTS, 2, lambda _: search)
        searches = run_phase("searches", server.port, CLIENTS, SECONDS, lambda _: search)
    latencies = searches.tally.latencies.get(KIND, [])
    return {
        "search_per_s": round(searches.rate(KIND), 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "server_errors": warm_up.server_errors() + searches.server_errors(),
        "clients": CLIENTS,
        "seconds": SECONDS,
    }

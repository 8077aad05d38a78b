"""``GET /api/v1/search`` throughput under gunicorn on 127.0.0.1, against ``/healthz`` on the
same server in the same run: the figure and the ratio ``make bench`` reports.

It reuses the load test's server and clients (``bench.load_server``, ``bench.load_clients``):
a short closed-loop phase of ``/healthz`` only, then one of API searches only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.load import APP_SPEC
from bench.load_clients import run_phase
from bench.load_server import gunicorn
from bench.load_workload import api_search, healthz, sample_targets

CLIENTS = int(os.environ.get("BENCH_THROUGHPUT_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "10"))


def bench_search_throughput(database_url: str) -> dict[str, float]:
    """Requests per second of /healthz and of API searches, and their ratio."""
    targets = sample_targets(database_url)
    log_path = Path(tempfile.mkdtemp(prefix="hrd-bench-")) / "gunicorn.log"
    with gunicorn(database_url, log_path, app_spec=APP_SPEC) as server:
        run_phase("warm-up", server.port, CLIENTS, 2, lambda _: healthz)
        baseline = run_phase("healthz", server.port, CLIENTS, SECONDS, lambda _: healthz)
        search = api_search(targets)
        searches = run_phase("searches", server.port, CLIENTS, SECONDS, lambda _: search)
    healthz_rate = baseline.rate("healthz")
    search_rate = searches.rate("api search")
    return {
        "healthz_per_s": round(healthz_rate, 1),
        "search_per_s": round(search_rate, 1),
        "ratio": round(search_rate / healthz_rate, 3) if healthz_rate else 0.0,
        "server_errors": baseline.server_errors() + searches.server_errors(),
        "clients": CLIENTS,
        "seconds": SECONDS,
    }

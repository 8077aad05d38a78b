"""Streaming the whole directory as HSDS NDJSON: GET /hsds/services?format=ndjson.

``bench_ndjson_export(app)`` is called by ``python -m bench`` with an app whose database already
holds the listings; it reads the whole stream through the Flask test client (no network) and
reports throughput, and the peak Python memory of a second pass, which stays flat as the
dataset grows because rows are fetched in batches (``yield_per``) and written line by line.
Run alone: ``python -m bench.hsds_export [COUNT]`` seeds a throwaway SQLite database first.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

from flask import Flask

URL = "/hsds/services?format=ndjson"


def _stream(app: Flask) -> tuple[int, int]:
    """Read the whole stream chunk by chunk; returns (lines, bytes)."""
    lines = size = 0
    response = app.test_client().get(URL, buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"{URL} answered {response.status_code}")
    for chunk in response.response:
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        size += len(chunk)
    response.close()
    return lines, size


def bench_ndjson_export(app: Flask) -> dict:
    """Time one full NDJSON stream of every service.

    Returns ``{"services", "seconds", "services_per_s", "mb", "peak_python_mb"}``.
    """
    _stream(app)  # warm-up: imports, connection pool, query compilation
    started = time.perf_counter()
    services, size = _stream(app)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _stream(app)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "services": services,
        "seconds": round(seconds, 2),
        "services_per_s": round(services / seconds) if seconds else None,
        "mb": round(size / 1e6, 1),
        "peak_python_mb": round(peak / 1e6, 1),
    }


def main(count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.database import synthetic_directory

    with synthetic_directory(count) as app:
        figures = bench_ndjson_export(app)
    print(f"HSDS NDJSON export, {count} synthetic listings: {figures}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)

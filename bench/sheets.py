"""Render time of a printable resource sheet, GET /sheets, as HTML and as a PDF (WeasyPrint).

``report_sheets(prepared, origins)`` is called by ``python -m bench``; like the results page
figure it runs on the national data when that is the source database (no synthetic listings),
else on the benchmark database, and says which. Each URL is rendered once first (fonts, caches,
templates) and then ``rounds`` times through the Flask test client: the whole request, no network.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy.engine import make_url

from bench import database
from bench.database import Prepared

SHEET_ORIGINS = 8


def bench_sheets(app: Flask, origins: Sequence[str], rounds: int = 3) -> dict[str, dict]:
    """p50/p95/max milliseconds of the sheet of each origin's 12 nearest places, per format."""
    client = app.test_client()
    figures = {}
    for output in ("html", "pdf"):
        urls = [f"/sheets?{urlencode({'near': origin, 'format': output})}" for origin in origins]
        urls = [url for url in urls if client.get(url).status_code == 200]
        if not urls:
            raise RuntimeError(f"no sheet rendered for origins {list(origins)[:5]}…")
        timings, cpu = [], []
        for _ in range(rounds):
            for url in urls:
                started, cpu_started = time.perf_counter(), time.process_time()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
        timings.sort()
        figures[output] = {
            "sheets": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], 1),
            "max_ms": round(timings[-1], 1),
            # On a shared machine wall time waits for the CPU; the process's own time does not.
            "cpu_p50_ms": round(statistics.median(cpu), 1),
        }
    return figures


def report_sheets(prepared: Prepared, origins: Sequence[str]) -> None:
    national = database.default_source_url()
    counts = database.sqlite_counts(Path(make_url(national).database or ""))
    on_national = counts is not None and counts[1] > 0 and counts[0] == 0
    app = database.bench_app(national) if on_national else prepared.app
    label = "national data" if on_national else prepared.label
    with app.app_context():
        try:
            figures = bench_sheets(app, origins[:SHEET_ORIGINS])
        except RuntimeError as error:
            print(f"\nresource sheet GET /sheets: not measured ({error})")
            return
    for output, row in figures.items():
        print(
            f"resource sheet GET /sheets format={output} ({label}, 12 places): "
            f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, max {row['max_ms']} ms, "
            f"CPU p50 {row['cpu_p50_ms']} ms ({row['sheets']} renders)"
        )

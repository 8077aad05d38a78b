"""``make bench`` times ``search()`` against a naive full scan: the two must count the same
places, or the speed-up it reports compares different answers."""

from __future__ import annotations

from bench import search as bench_search
from directory.extensions import db
from directory.geo import zip_centroid
from tests.search.helpers import place, save


def test_the_benchmark_s_search_and_naive_scan_count_the_same_places(app, monkeypatch):
    codes = ["10001", "10027", "11201", "12207"]  # Manhattan, Harlem, Brooklyn, Albany
    monkeypatch.setattr(bench_search, "origins", lambda count: codes[:count])
    monkeypatch.setattr(bench_search, "NAIVE_ORIGINS", len(codes))
    monkeypatch.setattr(bench_search, "WARM_UP", 1)
    for n, code in enumerate(codes[:3]):
        centre = zip_centroid(code)
        save(*[place(f"{code} place {i}", centre.lat + i / 200, centre.lng) for i in range(3 + n)])
    db.session.remove()

    timings = {timing.name: timing for timing in bench_search.run(app, len(codes))}

    by_search = timings["search()"].results
    assert by_search == timings[f"naive scan ({len(codes)} origins)"].results
    assert by_search == timings["GET /api/v1/search"].results
    assert by_search[0] >= 3  # Manhattan's 25 miles hold Harlem's and Brooklyn's places too
    assert by_search[3] == 0  # nothing listed near Albany

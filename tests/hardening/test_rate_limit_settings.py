"""Rate limits an operator sets from the environment, and one on the results pages that a
person searching by hand never meets."""

from __future__ import annotations

from limits import parse


def test_the_api_rate_limit_comes_from_the_environment(monkeypatch, make_app):
    monkeypatch.setenv("API_RATE_LIMIT", "3 per minute")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [client.get("/api/v1/taxonomy").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_results_pages_are_rate_limited_per_client(monkeypatch, make_app):
    monkeypatch.setenv("SEARCH_PAGE_RATE_LIMIT", "3 per minute")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [client.get("/search?near=10001").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/search?near=10001")
    assert limited.mimetype == "text/html"
    assert "Retry-After" in limited.headers


def test_the_results_page_limit_is_beyond_what_a_person_searching_reaches(make_app):
    limit = parse(make_app().config["SEARCH_PAGE_RATE_LIMIT"])
    # A search every two seconds for a whole minute is still allowed.
    assert limit.amount / limit.get_expiry() >= 0.5

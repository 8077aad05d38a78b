"""Several app servers sharing one Redis enforce one rate limit between them.

Two gunicorn servers (separate processes, as on two machines) run against the same database
and ``RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/<n>`` with a small API limit; requests
alternate between them and meet the limit at the shared count, not at twice it.
"""

from __future__ import annotations

import contextlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from bench.load_server import gunicorn
from directory.extensions import db
from tests.hardening.conftest import build_app

REDIS_URL = os.environ.get("HARDENING_REDIS_URL", "redis://127.0.0.1:6379/13")
LIMIT = 6


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (start redis-server to run this test)")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


@pytest.mark.slow
def test_two_servers_sharing_redis_enforce_one_rate_limit(
    scratch_database_url, shared_redis, tmp_path: Path
):
    app = build_app(scratch_database_url)
    with app.app_context():
        db.engine.dispose()
    settings = {
        # Servers of one site share their secret (docs/deployment.md): limits count hashed
        # client addresses, so the hash must be the same on both.
        "SECRET_KEY": "one-secret-for-the-whole-site",
        "RATELIMIT_STORAGE_URI": shared_redis,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    spec = f'directory:create_app({{"API_RATE_LIMIT": "{LIMIT} per minute"}})'
    with contextlib.ExitStack() as stack:
        first, second = (
            stack.enter_context(
                gunicorn(
                    scratch_database_url, tmp_path / f"{name}.log", app_spec=spec, env=settings
                )
            )
            for name in ("first", "second")
        )
        statuses = [
            status_of(f"{server.base_url}/api/v1/taxonomy") for server in [first, second] * LIMIT
        ]
    assert statuses[:LIMIT] == [200] * LIMIT
    assert statuses[LIMIT:] == [429] * LIMIT


def test_rate_limited_answers_keep_coming_when_redis_is_down(make_app):
    # Nothing listens on port 1: every Redis call fails, as when Redis restarts.
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        API_RATE_LIMIT="3 per minute",
    )
    client = app.test_client()
    statuses = [client.get("/api/v1/taxonomy").status_code for _ in range(4)]
    # Each process then counts on its own: still limited, never a 500.
    assert statuses == [200, 200, 200, 429]

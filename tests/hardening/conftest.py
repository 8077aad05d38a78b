"""Fixtures for the hardening tests: apps of their own on scratch databases.

Fault tests break a database on purpose (take it away, make it read-only, fill it), so they
never touch the shared test database: each gets a scratch one of the same kind as the run —
a SQLite file, or on PostgreSQL a scratch database created next to ``TEST_DATABASE_URL``'s.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from bench.load_server import create_postgresql_database, drop_postgresql_database
from directory import create_app
from directory.api.search import ApiSearchArgsSchema
from directory.extensions import db
from directory.seeding import reference

ON_POSTGRESQL = os.environ.get("DIRECTORY_TEST_DB") == "postgresql"

# Every parameter a search accepts (the API's superset of the shared schema), read from the
# schema itself so a new parameter is fuzzed and injected into without anyone listing it.
SEARCH_PARAMETERS = sorted(ApiSearchArgsSchema().fields)


def scratch_sqlite_url(directory) -> str:
    return f"sqlite:///{directory / 'scratch.db'}"


@pytest.fixture
def scratch_database_url(tmp_path) -> Iterator[str]:
    """An empty database of the run's kind that this test alone uses, dropped afterwards."""
    if not ON_POSTGRESQL:
        yield scratch_sqlite_url(tmp_path)
        return
    admin_url = os.environ["TEST_DATABASE_URL"]
    name = f"hrd_hardening_{uuid.uuid4().hex[:10]}"
    url = create_postgresql_database(name, admin_url)
    try:
        yield url
    finally:
        drop_postgresql_database(url)


def build_app(database_url: str, **overrides: Any) -> Flask:
    """A production-like app (CSRF and rate limits configurable) with the schema and the
    reference data loaded."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "hardening-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        reference.load_taxonomy(db.session)
        reference.load_states(db.session)
        db.session.commit()
    return app


@pytest.fixture
def make_app(scratch_database_url) -> Iterator[Callable[..., Flask]]:
    """``make_app(**config)`` builds an app on this test's scratch database."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = build_app(overrides.pop("database_url", scratch_database_url), **overrides)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()

"""Shared fixtures: one app per test session on a real database, emptied after every test.

The database is SQLite (a temporary file) by default, or PostgreSQL when
``DIRECTORY_TEST_DB=postgresql`` and ``TEST_DATABASE_URL`` are set (``make test`` does both).
Reference data (taxonomy, states) is loaded once; every other table is emptied after each test,
so tests see real commits, real constraints and real concurrency — never a mocked database.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from directory import create_app
from directory.extensions import db
from directory.queries.changes import everything_changed
from directory.seeding import reference

# Kept between tests: the reference data, and the search's version counter, which only moves
# forward (emptying the listings is itself a change every search engine must see).
REFERENCE_TABLES = {"taxonomies", "taxonomy_terms", "states", "alembic_version", "search_version"}


def test_database_url(tmp_path_factory) -> str:
    if os.environ.get("DIRECTORY_TEST_DB") == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("DIRECTORY_TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=2)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        reference.load_taxonomy(db.session)
        reference.load_states(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_listing_tables() -> None:
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    everything_changed(db.session)
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(request):
    """Every test that uses the app runs inside its context and leaves the listings empty."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        empty_listing_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return db.session

"""When the database goes away, turns read-only or fills up, people get a clear answer.

Each test runs an app of its own on a scratch database of the run's kind and breaks that
database for real: on PostgreSQL by terminating the app's connections and refusing new ones
(``ALLOW_CONNECTIONS false``) or making transactions read-only; on SQLite by taking the
database's folder away, opening the file read-only, or capping its size.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench.load_server import gunicorn
from directory.extensions import db
from directory.models import Location, Suggestion
from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.hardening.conftest import ON_POSTGRESQL, build_app

UNREACHABLE = "not reachable right now"
REFUSES_WRITES = "cannot save changes right now"


def add_listing(app: Flask) -> str:
    with app.app_context():
        location = LocationFactory()
        ServiceFactory(categories=["naloxone"], locations=[location])
        ScheduleFactory(location=location)
        location_id = str(location.id)
        db.session.remove()
    return location_id


def has_route(app: Flask, rule: str) -> bool:
    return any(r.rule == rule for r in app.url_map.iter_rules())


def database_urls(app: Flask, location_id: str) -> list[str]:
    """Pages and API answers that need the database to answer."""
    urls = [
        f"/locations/{location_id}",
        f"/api/v1/locations/{location_id}",
        "/search?near=10001",
    ]
    if has_route(app, "/api/v1/search"):
        urls.append("/api/v1/search?near=10001")
    return urls


def admin_connection(database_url: str) -> psycopg.Connection:
    url = make_url(database_url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


class PostgresOutage:
    """Refuse new connections to one database and end the ones it has; then allow them."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.name = make_url(database_url).database

    def begin(self) -> None:
        with admin_connection(self.database_url) as admin:
            admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (self.name,),
            )

    def end(self) -> None:
        with admin_connection(self.database_url) as admin:
            admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


class SqliteOutage:
    """Take the database's folder away, then put it back.

    A SQLite connection that is already open keeps reading its file wherever it moves, so the
    app meets the loss on its next new connection: the pool is emptied to get there, as a
    worker restart or a recycled connection would.
    """

    def __init__(self, app: Flask, folder: Path) -> None:
        self.app = app
        self.folder = folder
        self.away = folder.with_name(folder.name + "-away")

    def begin(self) -> None:
        self.folder.rename(self.away)
        with self.app.app_context():
            db.engine.dispose()

    def end(self) -> None:
        self.away.rename(self.folder)


@pytest.fixture
def outage_app(request, scratch_database_url, tmp_path):
    """An app with one listing, and an outage switch for its database."""
    if ON_POSTGRESQL:
        app = build_app(scratch_database_url)
        outage = PostgresOutage(scratch_database_url)
    else:
        folder = tmp_path / "data"
        app = build_app(f"sqlite:///{folder / 'directory.db'}")
        outage = SqliteOutage(app, folder)
    location_id = add_listing(app)
    yield app, outage, location_id
    with contextlib.suppress(Exception):
        outage.end()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Traffic:
    """Clients asking for ``urls`` round and round in threads until stopped."""

    def __init__(self, app: Flask, urls: list[str], clients: int = 4) -> None:
        self.app = app
        self.urls = urls
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self) -> None:
        client = self.app.test_client()
        turn = 0
        while not self.stopping.is_set():
            status = client.get(self.urls[turn % len(self.urls)]).status_code
            turn += 1
            with self.lock:
                self.statuses[status] += 1

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


@pytest.mark.slow
def test_an_unreachable_database_gives_503_everywhere_and_the_service_recovers_by_itself(
    outage_app,
):
    app, outage, location_id = outage_app
    client = app.test_client()
    urls = database_urls(app, location_id)
    for url in [*urls, "/healthz"]:
        assert client.get(url).status_code == 200, url

    with Traffic(app, [*urls, "/healthz"]) as traffic:
        outage.begin()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 503, url
            assert response.headers["Retry-After"] == "30"
            if url.startswith("/api/"):
                assert response.json["code"] == 503
                assert UNREACHABLE in response.json["message"]
            else:
                assert response.mimetype == "text/html"
                assert UNREACHABLE in response.get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json == {"status": "unavailable", "database": "unreachable"}

        outage.end()
        for url in [*urls, "/healthz"]:
            assert client.get(url).status_code == 200, url

    # Nobody in the traffic saw anything but an answer or a clear "try again".
    assert set(traffic.statuses) <= {200, 503}, traffic.statuses
    assert traffic.statuses[200] > 0


def report_form(app: Flask, location_id: str, message: str = "It moved.") -> tuple[str, dict]:
    return f"/locations/{location_id}/report", {"kind": "closed", "message": message}


def assert_writes_refused_and_reads_served(app: Flask, location_id: str, message: str) -> None:
    client = app.test_client()
    for url in [*database_urls(app, location_id), "/healthz"]:
        assert client.get(url).status_code == 200, url
    url, form = report_form(app, location_id, message)
    response = client.post(url, data=form)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert REFUSES_WRITES in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_a_read_only_database_refuses_writes_clearly_while_searches_keep_working(
    scratch_database_url,
):
    app = build_app(scratch_database_url, WTF_CSRF_ENABLED=False)
    location_id = add_listing(app)
    with app.app_context():
        db.engine.dispose()
    if ON_POSTGRESQL:
        name = make_url(scratch_database_url).database
        with admin_connection(scratch_database_url) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        read_only_url = scratch_database_url
    else:
        path = make_url(scratch_database_url).database
        read_only_url = f"sqlite:///file:{path}?mode=ro&uri=true"
    from directory import create_app

    read_only = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "hardening-secret",
            "SQLALCHEMY_DATABASE_URI": read_only_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        assert_writes_refused_and_reads_served(read_only, location_id, "It moved.")
    finally:
        with read_only.app_context():
            db.engine.dispose()
    with app.app_context():
        assert db.session.query(Suggestion).count() == 0


@pytest.mark.skipif(
    ON_POSTGRESQL, reason="a PostgreSQL disk cannot be filled from a test; see the read-only test"
)
def test_a_full_database_refuses_writes_clearly_while_searches_keep_working(scratch_database_url):
    app = build_app(scratch_database_url, WTF_CSRF_ENABLED=False)
    location_id = add_listing(app)
    with app.app_context():
        db.engine.dispose()

        # SQLite's max_page_count cannot go below the pages in use: the file may not grow.
        @event.listens_for(db.engine, "connect")
        def no_room_to_grow(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA max_page_count = 1")

    # 2,000 three-byte characters: a row larger than a page, so it needs pages the file lacks.
    assert_writes_refused_and_reads_served(app, location_id, "€" * 2000)
    with app.app_context():
        assert db.session.query(Suggestion).count() == 0
        assert db.session.query(Location).count() == 1


BUSY = "busy saving other changes, and nothing of yours was saved"


def test_a_write_waits_at_most_five_seconds_for_another(app):
    with db.engine.connect() as connection:
        if ON_POSTGRESQL:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
        else:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_write_kept_waiting_by_another_is_told_busy_nothing_half_saved_and_reads_go_on(
    scratch_database_url,
):
    # The app waits 0.3 s for what another change holds, not the production 5 s.
    app = build_app(
        scratch_database_url,
        WTF_CSRF_ENABLED=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}
        | ({"connect_args": {"options": "-c lock_timeout=300"}} if ON_POSTGRESQL else {}),
    )
    location_id = add_listing(app)
    with app.app_context():
        db.engine.dispose()
        if not ON_POSTGRESQL:

            @event.listens_for(db.engine, "connect")
            def wait_briefly(dbapi_connection, _record):
                dbapi_connection.execute("PRAGMA busy_timeout = 300")

    # Another process's change holds what a report needs: the suggestions table, or on SQLite
    # the whole file's write lock.
    if ON_POSTGRESQL:
        url = make_url(scratch_database_url).set(drivername="postgresql")
        holder = psycopg.connect(url.render_as_string(hide_password=False))
        holder.execute("LOCK TABLE suggestions IN EXCLUSIVE MODE")
    else:
        holder = sqlite3.connect(make_url(scratch_database_url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    client = app.test_client()
    url, form = report_form(app, location_id, "It moved.")
    try:
        response = client.post(url, data=form)
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        assert BUSY in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "5"
        # Readers are not kept waiting by a writer.
        for read in database_urls(app, location_id):
            assert client.get(read).status_code == 200, read
    finally:
        holder.rollback()
        holder.close()

    with app.app_context():
        assert db.session.query(Suggestion).count() == 0
    # Once the other change is done, the same report goes through.
    assert client.post(url, data=form).status_code in {200, 302, 303}
    with app.app_context():
        assert db.session.query(Suggestion).count() == 1
        db.session.remove()
        db.engine.dispose()


def status_and_body(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


@pytest.mark.slow
@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="a SQLite file stays readable by the connections that hold it open"
)
def test_gunicorn_workers_answer_503_while_postgresql_is_away_and_recover_without_restart(
    scratch_database_url, tmp_path
):
    app = build_app(scratch_database_url)
    location_id = add_listing(app)
    with app.app_context():
        db.engine.dispose()
    outage = PostgresOutage(scratch_database_url)
    urls = [f"/locations/{location_id}", f"/api/v1/locations/{location_id}", "/healthz"]
    try:
        with gunicorn(
            scratch_database_url,
            tmp_path / "gunicorn.log",
            app_spec='directory:create_app({"RATELIMIT_ENABLED": False})',
            env={"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2"},
        ) as server:
            # Every worker's pool holds connections before the database goes away.
            for _ in range(8):
                for url in urls:
                    assert status_and_body(server.base_url + url)[0] == 200, url
            outage.begin()
            for _ in range(4):
                for url in urls:
                    status, body = status_and_body(server.base_url + url)
                    assert status == 503, url
                    assert "unreachable" in body or UNREACHABLE in body, url
            outage.end()
            for _ in range(4):
                for url in urls:
                    assert status_and_body(server.base_url + url)[0] == 200, url
            log = server.log()
    finally:
        outage.end()
    assert "Traceback" not in log

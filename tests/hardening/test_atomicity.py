"""An import killed halfway leaves nothing half-written, and the next run completes.

``flask import source`` runs in a child process against a scratch database and is killed with
SIGKILL (no clean-up, as in a power cut or an OOM kill) while it holds its write transaction.
Every listing table must then hold what it held before — nothing of the import — and a second
run must import the whole file.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.load_server import BIN, PROJECT_ROOT, app_environment
from directory.extensions import db
from directory.models import (
    Address,
    Location,
    Organization,
    Phone,
    Revision,
    Service,
    ServiceAtLocation,
    Source,
    SourceRecord,
)
from tests.hardening.conftest import build_app

SOURCE = "samhsa_otp"
COUNTED = (
    Organization,
    Location,
    Address,
    Phone,
    Service,
    ServiceAtLocation,
    Source,
    SourceRecord,
    Revision,
)


def counts(app) -> dict[str, int]:
    with app.app_context():
        result = {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }
        db.session.remove()
        return result


def is_writing(database_url: str) -> bool:
    """True while some other connection holds a write transaction on the database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            connection.close()
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        return bool(
            connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        )


def start_import(database_url: str, *command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(BIN / "flask"), "import", *(command or ("source", SOURCE))],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_while_writing(database_url: str, *command: str) -> None:
    """Start ``flask import …`` and SIGKILL it once it holds its write transaction."""
    importer = start_import(database_url, *command)
    try:
        deadline = time.monotonic() + 60
        while not is_writing(database_url):
            assert importer.poll() is None, "the import ended before it was caught writing"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        time.sleep(0.2)  # into the rows, well before the commit
        assert importer.poll() is None
        importer.send_signal(signal.SIGKILL)
    finally:
        importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_an_import_killed_halfway_leaves_nothing_half_written(scratch_database_url):
    app = build_app(scratch_database_url)
    before = counts(app)

    kill_while_writing(scratch_database_url)

    assert counts(app) == before
    if make_url(scratch_database_url).get_backend_name() == "sqlite":
        connection = sqlite3.connect(make_url(scratch_database_url).database)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()

    completed = start_import(scratch_database_url)
    assert completed.wait(timeout=300) == 0
    after = counts(app)
    assert after["locations"] > before["locations"]
    assert after["source_records"] > 0
    with app.app_context():
        db.engine.dispose()


@pytest.mark.slow
def test_an_hsds_package_import_killed_halfway_leaves_nothing_half_written(
    scratch_database_url, tmp_path
):
    app = build_app(scratch_database_url)
    assert start_import(scratch_database_url).wait(timeout=300) == 0
    package = tmp_path / "package"
    exported = subprocess.run(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(BIN / "flask"), "export", "hsds", str(package)],
        cwd=PROJECT_ROOT,
        env=app_environment(scratch_database_url),
        capture_output=True,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    app = build_app(scratch_database_url)
    before = counts(app)
    assert before["locations"] == 0

    kill_while_writing(scratch_database_url, "hsds", str(package), "--source", "export")

    assert counts(app) == before
    completed = start_import(scratch_database_url, "hsds", str(package), "--source", "export")
    assert completed.wait(timeout=300) == 0
    assert counts(app)["locations"] > 0
    with app.app_context():
        db.engine.dispose()

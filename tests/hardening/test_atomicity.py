"""An import killed halfway leaves nothing half-written, and the next run completes.

``flask import …`` runs in a child process against a scratch database
(``tests/hardening/halting_import.py``): once a real write finds 50 or more new locations in its
open transaction, the child says so on a pipe and stops there. The test then kills it with
SIGKILL (no clean-up, as in a power cut or an OOM kill). Every listing table must then hold
what it held before — nothing of the import — and a second run must import the whole file.
No sleeps, no guessing when the writes happen: the kill lands after a known number of
uncommitted rows, every time.
"""

from __future__ import annotations

import selectors
import signal
import sqlite3
import subprocess

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
from tests.hardening.halting_import import HALT_AT_LOCATIONS

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


def start_import(database_url: str, *command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(BIN / "flask"), "import", *(command or ("source", SOURCE))],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_halfway(database_url: str, *command: str) -> int:
    """Run ``flask import …`` until its transaction holds ``HALT_AT_LOCATIONS`` new
    locations, SIGKILL it there, and return how many locations that transaction held."""
    importer = subprocess.Popen(  # noqa: S603 - our own venv's python, fixed arguments
        [
            str(BIN / "python"),
            "-m",
            "tests.hardening.halting_import",
            *(command or ("source", SOURCE)),
        ],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        with selectors.DefaultSelector() as waiting:
            waiting.register(importer.stdout, selectors.EVENT_READ)
            said = importer.stdout.readline() if waiting.select(300) else "nothing in 300 s"
        assert said.startswith("halted "), f"the import was not caught writing: {said}"
        assert importer.poll() is None
        importer.send_signal(signal.SIGKILL)
    finally:
        importer.kill()
        importer.wait(timeout=30)
        importer.stdout.close()
    assert importer.returncode == -signal.SIGKILL
    return int(said.split()[1])


@pytest.mark.slow
def test_an_import_killed_halfway_leaves_nothing_half_written(scratch_database_url):
    app = build_app(scratch_database_url)
    before = counts(app)

    held = kill_halfway(scratch_database_url)

    assert held >= before["locations"] + HALT_AT_LOCATIONS
    assert counts(app) == before
    if make_url(scratch_database_url).get_backend_name() == "sqlite":
        connection = sqlite3.connect(make_url(scratch_database_url).database)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()

    completed = start_import(scratch_database_url)
    assert completed.wait(timeout=300) == 0
    after = counts(app)
    assert after["locations"] >= held
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

    held = kill_halfway(scratch_database_url, "hsds", str(package), "--source", "export")

    assert held >= HALT_AT_LOCATIONS
    assert counts(app) == before
    completed = start_import(scratch_database_url, "hsds", str(package), "--source", "export")
    assert completed.wait(timeout=300) == 0
    assert counts(app)["locations"] >= held
    with app.app_context():
        db.engine.dispose()

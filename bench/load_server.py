"""Start gunicorn or the flask CLI against a prepared database, on 127.0.0.1 only.

Shared by the load test (``make load``) and the hardening tests that need real server
processes (privacy of the access log, one rate limit shared through Redis). Every server is
started on a free local port, waited for through ``/healthz`` and stopped by its process id.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def app_environment(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a server or CLI child runs with: this database, a throwaway secret."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY"}
    }
    env.update(
        {
            "FLASK_APP": "wsgi",
            "FLASK_ENV_NAME": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    env.update(extra or {})
    return env


def flask_cli(
    args: list[str], database_url: str, *, timeout: float = 900, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``flask <args>`` in a child process against ``database_url``."""
    result = subprocess.run(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(BIN / "flask"), *args],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result


@dataclass
class Server:
    """A gunicorn (or other WSGI server) child process listening on 127.0.0.1:``port``."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: object = field(repr=False, default=None)

    @property
    def base_url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Poll ``/healthz`` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response,  # noqa: S310 - 127.0.0.1 only
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server at {base_url} did not become healthy within {timeout:.0f} s")


@contextlib.contextmanager
def gunicorn(
    database_url: str,
    log_path: Path,
    *,
    app_spec: str = "wsgi:app",
    env: Mapping[str, str] | None = None,
    options: list[str] | None = None,
) -> Iterator[Server]:
    """Serve ``app_spec`` with the project's gunicorn.conf.py on a free port, then stop it."""
    port = free_port()
    log_file = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(BIN / "gunicorn"),
            "--config",
            str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--bind",
            f"{LOCALHOST}:{port}",
            "--no-control-socket",
            *(options or []),
            app_spec,
        ],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url, env),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = Server(port=port, process=process, log_path=log_path, _log_file=log_file)
    try:
        wait_until_healthy(server.base_url, process)
        yield server
    finally:
        server.stop()


def sqlite_has_listings(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return connection.execute("SELECT count(*) FROM locations").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy even while ``make run`` has the source open (SQLite's backup API)."""
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def prepare_sqlite(workdir: Path, *, seeded_copy_of: Path | None = None) -> str:
    """A scratch SQLite database with the national data: a copy of the seeded instance
    database when there is one, else a fresh file migrated and seeded through the CLI."""
    target = workdir / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    if seeded_copy_of is not None and sqlite_has_listings(seeded_copy_of):
        copy_sqlite(seeded_copy_of, target)
        flask_cli(["db", "upgrade"], url)
    else:
        flask_cli(["db", "upgrade"], url)
        flask_cli(["seed", "load"], url)
    return url


def postgresql_admin_url() -> str:
    """The server to make scratch databases on: TEST_DATABASE_URL's, else local postgres."""
    return os.environ.get("TEST_DATABASE_URL", f"postgresql://postgres@{LOCALHOST}/postgres")


def create_postgresql_database(name: str, admin_url: str | None = None) -> str:
    """(Re)create the scratch database ``name`` on the local server and return its URL."""
    import psycopg

    url = make_url(admin_url or postgresql_admin_url())
    if url.host not in (None, LOCALHOST, "localhost"):
        raise RuntimeError(f"refusing to create scratch databases on {url.host}: local only")
    with psycopg.connect(_libpq(url.set(database="postgres")), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgresql_database(database_url: str) -> None:
    import psycopg

    url = make_url(database_url)
    with psycopg.connect(_libpq(url.set(database="postgres")), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (url.database,),
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}"')


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def prepare_postgresql(name: str = "hrd_load") -> str:
    """A scratch PostgreSQL database, migrated and seeded through the CLI like ``make run``,
    then analysed."""
    import psycopg

    url = create_postgresql_database(name)
    flask_cli(["db", "upgrade"], url)
    flask_cli(["seed", "load"], url)
    # Without statistics on freshly loaded tables the planner picks nested loops that turn a
    # 0.1 s search into several seconds (measured); autovacuum would get there eventually.
    with psycopg.connect(_libpq(make_url(url)), autocommit=True) as connection:
        connection.execute("ANALYZE")
    return url

"""What only a real gunicorn server shows: rate limits counted once for all its workers, the
scheme believed only from trusted proxies, and errors that escape Flask logged without the
searcher's query and answered with the security headers."""

from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.load_server import gunicorn
from directory.extensions import db
from tests.hardening.conftest import build_app

LOGIN_LIMIT = 10  # directory/auth/views.py: "10 per minute"
SECRET_PLACE = "Secretville-99999"


@pytest.fixture
def serve(scratch_database_url, tmp_path: Path):
    """``serve(spec, **env)``: gunicorn with gunicorn.conf.py on this test's scratch database."""
    app = build_app(scratch_database_url)
    with app.app_context():
        db.engine.dispose()

    def start(spec: str = "tests.hardening.served_app:create()", **env: str):
        return gunicorn(scratch_database_url, tmp_path / "server.log", app_spec=spec, env=env)

    return start


def request(url: str, data: dict | None = None, headers: dict | None = None):
    """(status, headers) of one request on a new connection."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    call = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, error.headers


@pytest.mark.slow
def test_logins_past_the_limit_are_refused_whichever_worker_answers(serve):
    spec = (
        "tests.hardening.served_app:create("
        "WTF_CSRF_ENABLED=False, PASSWORD_HASH_PROFILE='CHEAPEST')"
    )
    # No RATELIMIT_STORAGE_URI: gunicorn.conf.py must give the workers one shared store.
    with serve(spec, WEB_CONCURRENCY="3", GUNICORN_THREADS="1") as server:
        statuses = [
            request(
                f"{server.base_url}/auth/login",
                {"email": f"guess{n}@example.org", "password": "guess"},
            )[0]
            for n in range(LOGIN_LIMIT + 5)
        ]
        workers = server.log().count("Booting worker")
    assert workers == 3
    assert statuses == [401] * LOGIN_LIMIT + [429] * 5


@pytest.mark.slow
def test_the_forwarded_scheme_is_believed_only_from_trusted_proxies(serve):
    forged = {"X-Forwarded-Proto": "https"}
    with serve() as server:
        _, headers = request(f"{server.base_url}/about", headers=forged)
    assert "Strict-Transport-Security" not in headers
    with serve(TRUSTED_PROXIES="1") as server:
        _, headers = request(f"{server.base_url}/about", headers=forged)
    assert "Strict-Transport-Security" in headers


def raw_request(base_url: str, line: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(line + b"\r\nHost: localhost\r\n\r\n")
        return connection.recv(65536)


@pytest.mark.slow
def test_errors_that_escape_flask_are_logged_without_the_query_and_answered_with_headers(serve):
    with serve() as server:
        status, headers = request(f"{server.base_url}/search?near={SECRET_PLACE}&escape=1")
        garbled = raw_request(
            server.base_url, f"GET /search?near={SECRET_PLACE} x HTTP/1.1".encode()
        )
        log = server.log()
    assert status == 500
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert garbled.startswith(b"HTTP/1.1 400")
    assert b"X-Content-Type-Options: nosniff" in garbled
    assert SECRET_PLACE.encode() not in garbled
    assert "Error handling request" in log
    assert "Invalid request" in log
    assert SECRET_PLACE not in log
    assert "ip=127.0.0.1" not in log

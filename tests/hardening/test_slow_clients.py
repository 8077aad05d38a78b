"""Behind the shipped nginx config (deploy/nginx.conf), slow and idle clients cannot starve
gunicorn: /healthz and a search still answer while 200 idle connections and 24 requests with a
slowly arriving body are held open. Without nginx's buffering those connections hold every
gunicorn thread and a request is never answered, so the test asks whether each request is
answered at all (the client's timeout stands for "never"), not how fast.

nginx runs as an ordinary process with its own prefix and config in a temporary directory
(as ``nobody`` when the tests run as root), on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load_server import PROJECT_ROOT, Server, free_port, gunicorn, wait_until_healthy
from directory.extensions import db
from tests.hardening.conftest import build_app

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
)
IDLE_CONNECTIONS = 200
SLOW_BODIES = 24
# Far longer than any answer takes on a loaded machine: a request not answered by then is one
# that a starved server would never answer.
ANSWER_TIMEOUT_SECONDS = 30
SEARCH = "/search?near=10001"

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (apt-get install nginx-light; .ci/run does)"
)


def nginx_config(directory: Path, port: int, upstream_port: int) -> str:
    """A whole nginx.conf: deploy/nginx.conf's site on ``port``, proxying to gunicorn on
    ``upstream_port``, every file nginx writes inside ``directory``."""
    site = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    site = (
        site.replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("    listen [::]:80;\n", "")
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        .replace("/var/log/nginx/harm-reduction-directory", str(directory / "site"))
    )
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} crit;
events {{ worker_connections 1024; }}
http {{
{temp_paths}
{site}
}}
"""


@contextlib.contextmanager
def nginx_in_front_of(upstream_port: int) -> Iterator[Server]:
    """nginx with deploy/nginx.conf on a free local port, stopped (by its pid) afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="hrd-nginx-"))
    server = None
    try:
        directory.chmod(0o777)  # nginx's workers (and nginx itself run as nobody) write here
        port = free_port()
        config = directory / "nginx.conf"
        config.write_text(nginx_config(directory, port, upstream_port))
        as_nobody = {"user": "nobody", "group": "nogroup"} if os.geteuid() == 0 else {}
        log_path = directory / "nginx.out"
        error_log = str(directory / "error.log")
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 - the system's nginx, our own config
                [NGINX, "-p", str(directory), "-c", str(config), "-e", error_log],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                **as_nobody,
            )
        server = Server(port=port, process=process, log_path=log_path)
        wait_until_healthy(server.base_url, process, timeout=30)
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def slow_clients(port: int) -> Iterator[None]:
    """200 connections that send nothing, and 24 that start a 100 kB form post and stop."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        for _ in range(SLOW_BODIES):
            slow = socket.create_connection(("127.0.0.1", port), timeout=5)
            slow.sendall(
                b"POST /auth/login HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nemail=slow"
            )
            sockets.append(slow)
        yield
    finally:
        for held in sockets:
            held.close()


def answered(url: str) -> bool:
    """Whether ``url`` answers 200 before the client gives up on it."""
    try:
        with urllib.request.urlopen(url, timeout=ANSWER_TIMEOUT_SECONDS) as response:  # noqa: S310 - 127.0.0.1
            response.read()
            return response.status == 200
    except OSError:
        return False


def unanswered(base_url: str, samples: int = 5) -> dict[str, int]:
    """How many of ``samples`` requests to /healthz and to a search were not answered."""
    return {
        path: sum(not answered(base_url + path) for _ in range(samples))
        for path in ("/healthz", SEARCH)
    }


@pytest.fixture
def app_server(scratch_database_url, tmp_path: Path) -> Iterator[Server]:
    app = build_app(scratch_database_url)
    with app.app_context():
        db.engine.dispose()
    settings = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4", "TRUSTED_PROXIES": "1"}
    with gunicorn(scratch_database_url, tmp_path / "gunicorn.log", env=settings) as server:
        yield server


@pytest.mark.slow
def test_healthz_and_search_still_answer_behind_nginx_while_slow_clients_hold_on(app_server):
    with nginx_in_front_of(app_server.port) as proxy, slow_clients(proxy.port):
        missed = unanswered(proxy.base_url)
    assert missed == {"/healthz": 0, SEARCH: 0}

"""``make smoke``: every public route kind, on the real national seed, served as ``make run`` does.

Seeds the national data into a fresh SQLite file (``flask db upgrade`` then ``flask seed
load``), serves it with gunicorn and ``gunicorn.conf.py`` (the master builds the place index and
the search's snapshot first), and requests every route kind of ``bench.pages.public_routes``:
all states' pages and API answers, the results of every need in English and Spanish, places,
home, about, login, API searches, each HSDS list and postcode+proximity search, and each HSDS
list as a whole NDJSON stream.

It fails — exit status 1, one line per failure — on any answer other than 200 and on any answer
slower than 5 s: a guard against pathologies (a query plan that reads the whole country), not a
benchmark. A stream must start within 5 s and carry exactly the records its JSON page counts.
It prints p50/p95 per route kind, and the workers' memory before and after the streams.

``python -m bench.smoke --database-url URL`` serves an already seeded database instead, without
seeding (a quicker local run).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.load_server import (
    BIN,
    PROJECT_ROOT,
    Server,
    app_environment,
    flask_cli,
    free_port,
    wait_until_healthy,
)
from bench.pages import figures, ndjson_lists, public_routes

SLOW_SECONDS = 5.0
# The master builds the place index and the search's snapshot before it answers: ~15 s on the
# national data, longer on a busy machine.
START_TIMEOUT_SECONDS = 300
STREAM_TIMEOUT_SECONDS = 300
# The smoke check is one client asking fast: the per-address limits would answer it 429.
UNLIMITED = {"API_RATE_LIMIT": "100000 per minute", "SEARCH_PAGE_RATE_LIMIT": "100000 per minute"}


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    first_byte_s: float
    total_s: float


def fetch(url: str, timeout: float = 60) -> Answer:
    """GET ``url``: status, body, time to the answer's start and to its end."""
    started = time.perf_counter()
    try:
        response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - 127.0.0.1 only
    except urllib.error.HTTPError as error:
        response = error
    with response:
        first_byte = time.perf_counter() - started
        body = response.read()
        content_type = response.headers.get("Content-Type", "")
        status = response.status if hasattr(response, "status") else response.code
    return Answer(status, content_type, body, first_byte, time.perf_counter() - started)


@contextlib.contextmanager
def served(database_url: str, log_path: Path) -> Iterator[Server]:
    """gunicorn with the project's gunicorn.conf.py, as ``make run`` starts it."""
    port = free_port()
    log_file = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(BIN / "gunicorn"),
            "--config",
            str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=app_environment(database_url, UNLIMITED),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = Server(port=port, process=process, log_path=log_path, _log_file=log_file)
    try:
        wait_until_healthy(server.base_url, process, timeout=START_TIMEOUT_SECONDS)
        yield server
    finally:
        server.stop()


def workers_rss_mb(server: Server) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children")
    sizes = []
    with contextlib.suppress(OSError):
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            kilobytes = next(line for line in status.splitlines() if line.startswith("VmRSS"))
            sizes.append(int(kilobytes.split()[1]) / 1024)
    return sizes


class Smoke:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.failures: list[str] = []
        self.timings: dict[str, list[float]] = {}

    def get(self, kind: str, path: str) -> Answer | None:
        try:
            answer = fetch(self.base_url + path)
        except (OSError, http.client.HTTPException) as error:
            self.failures.append(f"FAIL {kind}: {path}: no answer ({error!r})")
            return None
        self.timings.setdefault(kind, []).append(answer.total_s * 1000)
        if answer.status != 200:
            self.failures.append(f"FAIL {kind}: {path}: answered {answer.status}")
        elif answer.total_s > SLOW_SECONDS:
            self.failures.append(f"FAIL {kind}: {path}: took {answer.total_s:.1f} s")
        return answer

    def get_json(self, path: str) -> dict:
        answer = fetch(self.base_url + path)
        if answer.status != 200:
            raise RuntimeError(
                f"{path} answered {answer.status}, cannot list the routes: {answer.body[:300]!r}"
            )
        return json.loads(answer.body)

    def stream(self, path: str) -> None:
        kind = "HSDS NDJSON stream (start)"
        try:
            counted = self.get_json(path.replace("format=ndjson", "per_page=1"))["total_items"]
        except RuntimeError as error:
            self.failures.append(f"FAIL {kind}: {path}: {error}")
            return
        try:
            answer = fetch(self.base_url + path, timeout=STREAM_TIMEOUT_SECONDS)
        except (OSError, http.client.HTTPException) as error:
            self.failures.append(f"FAIL {kind}: {path}: cut short or no answer ({error!r})")
            return
        self.timings.setdefault(kind, []).append(answer.first_byte_s * 1000)
        self.timings.setdefault("HSDS NDJSON stream (whole)", []).append(answer.total_s * 1000)
        lines = answer.body.splitlines()
        if answer.status != 200 or not answer.content_type.startswith("application/x-ndjson"):
            self.failures.append(f"FAIL {kind}: {path}: answered {answer.status}")
        elif answer.first_byte_s > SLOW_SECONDS:
            self.failures.append(f"FAIL {kind}: {path}: started after {answer.first_byte_s:.1f} s")
        elif len(lines) != counted or (answer.body and not answer.body.endswith(b"\n")):
            self.failures.append(f"FAIL {kind}: {path}: {len(lines)} records of {counted}")
        else:
            megabytes = len(answer.body) / 1e6
            print(f"  {path}: {len(lines):,} records, {megabytes:.1f} MB in {answer.total_s:.1f} s")


REQUIRED_STATES = 52  # the 50 states, DC and Puerto Rico


def run(base_url: str, server: Server) -> int:
    smoke = Smoke(base_url)
    routes = public_routes(smoke.get_json)
    if len(routes["state page"]) < REQUIRED_STATES:
        smoke.failures.append(f"FAIL state page: only {len(routes['state page'])} states listed")
    started = time.perf_counter()
    for kind, paths in routes.items():
        for path in paths:
            smoke.get(kind, path)
    requested = sum(len(paths) for paths in routes.values())
    print(f"{requested} pages and API answers in {time.perf_counter() - started:.0f} s")
    before = workers_rss_mb(server)
    print("HSDS lists as NDJSON streams:")
    for path in ndjson_lists():
        smoke.stream(path)
    after = workers_rss_mb(server)
    print(
        "workers' memory before/after the streams: "
        f"{', '.join(f'{b:.0f}/{a:.0f}' for b, a in zip(before, after, strict=False))} MB"
    )
    print(f"\n{'route kind':30}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, samples in smoke.timings.items():
        row = figures(samples)
        print(
            f"{kind:30}{row['n']:5}{row['p50_ms']:10.1f}{row['p95_ms']:10.1f}{row['max_ms']:10.1f}"
        )
    log = server.log()
    if "Traceback" in log:
        smoke.failures.append("FAIL server log: a traceback (see the gunicorn log above)")
        print(log[-4000:], file=sys.stderr)
    for failure in smoke.failures:
        print(failure, file=sys.stderr)
    print(f"\nsmoke: {'FAILED' if smoke.failures else 'passed'} ({len(smoke.failures)} failures)")
    return 1 if smoke.failures else 0


def seeded_database(workdir: Path) -> str:
    url = f"sqlite:///{workdir / 'smoke.db'}"
    started = time.perf_counter()
    flask_cli(["db", "upgrade"], url)
    flask_cli(["seed", "load"], url)
    elapsed = time.perf_counter() - started
    print(f"national seed loaded into a fresh SQLite database in {elapsed:.0f} s")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an already seeded database to serve as it is")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hrd-smoke-") as workdir:
        url = args.database_url or seeded_database(Path(workdir))
        started = time.perf_counter()
        with served(url, Path(workdir) / "gunicorn.log") as server:
            print(f"gunicorn ready in {time.perf_counter() - started:.0f} s")
            status = run(server.base_url, server)
    print(f"smoke check took {time.perf_counter() - began:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""``format=ndjson`` on the real server: every HSDS list streams whole through gunicorn.

The test client keeps the test's session open while it reads a streamed body, so it cannot see
what a server does: gunicorn reads the body after the view has returned and the request's
session has been closed. Here the directory runs under gunicorn with the project's settings, on
a scratch database holding more rows than one streamed batch, and each list's stream must
answer 200, end cleanly and hold exactly the records its JSON pages count.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from bench.load_server import (
    Server,
    create_postgresql_database,
    drop_postgresql_database,
    gunicorn,
)
from directory.extensions import db
from directory.hsds.queries import STREAM_BATCH
from directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tests.hardening.conftest import build_app, scratch_sqlite_url

pytestmark = pytest.mark.slow

# More places than one batch, so a stream must read past its first batch.
PLACES = STREAM_BATCH + 150

LISTS = [
    "/hsds/services",
    "/hsds/services?minimal=true",
    "/hsds/services?full=true",
    "/hsds/organizations",
    "/hsds/organizations?full=true&full_service=true",
    "/hsds/service_at_locations",
    "/hsds/service_at_locations?full=true",
    "/hsds/service_at_locations?postcode=10001&proximity=40000",
    "/hsds/service_at_locations?postcode=10001&proximity=40000&full=true",
    "/hsds/taxonomies",
    "/hsds/taxonomy_terms",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """gunicorn serving a scratch database of ``PLACES`` places around Manhattan."""
    workdir = tmp_path_factory.mktemp("ndjson")
    on_postgresql = os.environ.get("DIRECTORY_TEST_DB") == "postgresql"
    if on_postgresql:
        url = create_postgresql_database(
            f"hrd_ndjson_{uuid.uuid4().hex[:10]}", os.environ["TEST_DATABASE_URL"]
        )
    else:
        url = scratch_sqlite_url(workdir)
    app = build_app(url)
    try:
        with app.app_context():
            _fill(PLACES)
            db.session.remove()
            db.engine.dispose()
        with gunicorn(
            url,
            workdir / "gunicorn.log",
            app_spec='directory:create_app({"RATELIMIT_ENABLED": False})',
            env={"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"},
        ) as running:
            yield running
    finally:
        if on_postgresql:
            drop_postgresql_database(url)


def _fill(count: int) -> None:
    naloxone = db.session.query(TaxonomyTerm).filter_by(code="naloxone").one()
    organizations = [Organization(name=f"Stream test org {n}") for n in range(count // 100 + 1)]
    for n in range(count):
        organization = organizations[n % len(organizations)]
        place = Location(
            organization=organization,
            name=f"Stream test place {n}",
            latitude=40.70 + n * 0.0001,
            longitude=-73.99,
            timezone="America/New_York",
            address=Address(
                address_1=f"{n} Broadway", city="New York", state_province="NY", postal_code="10001"
            ),
        )
        service = Service(organization=organization, name=f"Stream test naloxone {n}")
        service.attributes.append(Attribute(taxonomy_term=naloxone))
        service.location_links.append(ServiceAtLocation(location=place))
        db.session.add(service)
    db.session.commit()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


def _with(path: str, **params: str) -> str:
    joined = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{path}{'&' if '?' in path else '?'}{joined}"


@pytest.mark.parametrize("path", LISTS)
def test_every_hsds_list_streams_whole_as_ndjson_through_gunicorn(server, path):
    status, _, page = _get(server.base_url + _with(path, per_page="1"))
    assert status == 200, page[:500]
    expected = json.loads(page)["total_items"]

    try:
        status, content_type, body = _get(server.base_url + _with(path, format="ndjson"))
    except http.client.IncompleteRead as cut:
        pytest.fail(f"{path}: the stream was cut after {len(cut.partial)} bytes")
    assert status == 200, body[:500]
    assert content_type.startswith("application/x-ndjson")
    assert body.endswith(b"\n"), "the last record is cut short"
    records = [json.loads(line) for line in body.decode().splitlines()]
    assert len(records) == expected
    assert len({record["id"] for record in records}) == expected


def test_a_stream_reads_more_than_one_batch(server):
    """The lists above are only a proof if they span batches: this one must."""
    status, _, body = _get(server.base_url + "/hsds/service_at_locations?format=ndjson")
    assert status == 200
    assert len(body.splitlines()) == PLACES > STREAM_BATCH


def test_the_server_logged_no_error_while_streaming(server):
    for path in LISTS:
        _get(server.base_url + _with(path, format="ndjson"))
    log = server.log()
    assert '"GET /hsds/services" 200' in log  # the access log is there to be read
    assert "Traceback" not in log
    assert '" 500 ' not in log

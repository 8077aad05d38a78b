"""Pages and JSON travel compressed when the browser accepts it; streams and record ETags don't
change."""

from __future__ import annotations

import gzip

import brotli

from directory.extensions import db
from tests.factories import LocationFactory, ServiceFactory


def test_the_home_page_is_sent_with_brotli_or_gzip_as_the_browser_asks(client):
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    as_gzip = client.get("/", headers={"Accept-Encoding": "gzip"})
    as_brotli = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert as_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip.data) == plain.data
    assert as_brotli.headers["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.data) == plain.data
    assert len(as_brotli.data) < len(plain.data) / 2
    for response in (plain, as_gzip, as_brotli):
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Accept-Language" in response.headers["Vary"]


def test_json_answers_are_compressed_and_say_they_vary_by_encoding(client):
    for url in ("/api/v1/openapi.json", "/hsds/taxonomy_terms"):
        plain = client.get(url)
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert gzip.decompress(response.data) == plain.data


def test_an_ndjson_stream_is_not_compressed_so_rows_arrive_as_they_are_read(client):
    location = LocationFactory()
    ServiceFactory.create_batch(3, categories=["naloxone"], locations=[location])
    db.session.commit()
    response = client.get("/hsds/services?format=ndjson", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert len(response.get_data().splitlines()) == 3


def test_an_api_record_keeps_the_etag_a_partner_sends_back_on_a_write(client):
    location = LocationFactory(description="A long description. " * 100)
    db.session.commit()
    plain = client.get(f"/api/v1/locations/{location.id}")
    compressed = client.get(
        f"/api/v1/locations/{location.id}", headers={"Accept-Encoding": "gzip, br"}
    )
    assert compressed.headers["ETag"] == plain.headers["ETag"]
    assert ":" not in compressed.headers["ETag"]

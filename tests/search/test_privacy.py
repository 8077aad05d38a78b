"""A search leaves no trace: the place, the coordinates and the keywords are never logged or
stored, whatever the log level."""

from __future__ import annotations

import logging

from tests.search.helpers import place, save
from tests.stored import stored_text

SEARCHED = ("11211", "40.712345", "-73.954321", "tranquilidad")


def test_searches_are_not_logged_or_stored(client, caplog):
    save(place("Storefront", 40.71, -73.95, postal_code="11206"))
    caplog.set_level(logging.DEBUG)
    responses = [
        client.get("/api/v1/search?near=11211&q=tranquilidad"),
        client.get("/api/v1/search?lat=40.712345&lng=-73.954321&q=tranquilidad"),
        client.get("/api/v1/search?near=Brooklyn%2C+NY+11211&open_now=true"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200]
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    stored = stored_text()
    for secret in SEARCHED:
        assert secret not in logged
        assert secret not in stored

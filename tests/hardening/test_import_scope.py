"""`flask import hsds` runs for one organization or source, reads packages within limits, and
answers a broken package with a report by file and line, never a traceback."""

from __future__ import annotations

import json
import resource
import uuid
import zipfile
from pathlib import Path

import pytest

from directory.extensions import db
from directory.hsds import package
from directory.models import Location
from tests.factories import LocationFactory, OrganizationFactory

ORGANIZATIONS = "id,name,description\n{id},Partner A,Partner A\n"
LOCATIONS = "id,location_type,organization_id,name\n{id},physical,{org},{name}\n"


def write_package(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps({"name": "partner-a"}))
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def partners(app):
    """Partner A, and partner B with a place that has an address and a phone."""
    a, b = OrganizationFactory(name="Partner A"), OrganizationFactory(name="Partner B")
    place = LocationFactory(organization=b, name="B's drop-in")
    db.session.commit()
    return a, b, place


def run_import(runner, path: Path, *options: str):
    return runner.invoke(args=["import", "hsds", str(path), *options])


def test_a_package_for_one_organization_cannot_take_over_another_organizations_place(
    runner, partners, tmp_path
):
    a, b, place = partners
    hostile = write_package(
        tmp_path / "hostile",
        organizations=ORGANIZATIONS.format(id=a.id),
        locations=LOCATIONS.format(id=place.id, org=a.id, name="Taken over"),
    )
    result = run_import(runner, hostile, "--org", str(a.id))
    assert result.exit_code == 1
    assert "locations.csv:2: id: this record belongs to" in result.output
    assert "nothing was imported" in result.output
    db.session.expire_all()
    kept = db.session.get(Location, place.id)
    assert (kept.organization_id, kept.name) == (b.id, "B's drop-in")
    assert kept.address is not None


def test_a_package_naming_another_organization_is_refused_for_org(runner, partners, tmp_path):
    a, b, _ = partners
    package_dir = write_package(
        tmp_path / "p",
        organizations=ORGANIZATIONS.format(id=a.id),
        locations=LOCATIONS.format(id=uuid.uuid4(), org=b.id, name="New place for B"),
    )
    result = run_import(runner, package_dir, "--org", str(a.id))
    assert result.exit_code == 1
    assert "locations.csv:2: organization_id: belongs to" in result.output


def test_without_a_scope_an_import_keeps_to_the_packages_own_records(runner, partners, tmp_path):
    a, _, place = partners
    hostile = write_package(
        tmp_path / "hostile",
        organizations=ORGANIZATIONS.format(id=a.id),
        locations=LOCATIONS.format(id=place.id, org=a.id, name="Taken over"),
    )
    result = run_import(runner, hostile)
    assert result.exit_code == 1
    assert "locations.csv:2: id: this record comes from another source" in result.output
    fresh = write_package(tmp_path / "fresh", organizations=ORGANIZATIONS.format(id=uuid.uuid4()))
    assert run_import(runner, fresh).exit_code == 0


def test_a_source_cannot_change_records_that_came_from_elsewhere(runner, partners, tmp_path):
    a, _, place = partners
    hostile = write_package(
        tmp_path / "hostile",
        organizations=ORGANIZATIONS.format(id=a.id),
        locations=LOCATIONS.format(id=place.id, org=a.id, name="Taken over"),
    )
    result = run_import(runner, hostile, "--source", "partner-a")
    assert result.exit_code == 1
    assert "this record comes from another source" in result.output
    db.session.expire_all()
    assert db.session.get(Location, place.id).name == "B's drop-in"


def test_an_operator_can_move_a_place_with_allow_reassign_and_it_is_logged(
    runner, partners, tmp_path, caplog
):
    a, _, place = partners
    move = write_package(
        tmp_path / "move",
        organizations=ORGANIZATIONS.format(id=a.id),
        locations=LOCATIONS.format(id=place.id, org=a.id, name="B's drop-in"),
    )
    result = run_import(runner, move, "--org", str(a.id), "--allow-reassign")
    assert result.exit_code == 0, result.output
    assert "--allow-reassign: locations line 2" in result.output
    assert "allow-reassign" in caplog.text
    db.session.expire_all()
    assert db.session.get(Location, place.id).organization_id == a.id


def write_bomb(path: Path, inflated_bytes: int) -> Path:
    """A small zip whose services.csv inflates to ``inflated_bytes`` (written in chunks)."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps({"name": "bomb"}))
        with archive.open("services.csv", "w", force_zip64=True) as member:
            for _ in range(inflated_bytes // len(chunk)):
                member.write(chunk)
    return path


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_zip_bomb_is_refused_with_a_clear_error_and_memory_stays_flat(runner, app, tmp_path):
    bomb = write_bomb(tmp_path / "bomb.zip", package.MAX_MEMBER_BYTES + 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024
    before = peak_memory_mb()
    result = run_import(runner, bomb, "--source", "bomb")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "bomb.zip:0: -: services.csv:" in result.output
    assert peak_memory_mb() - before < 64


def test_a_package_of_too_many_files_is_refused(runner, app, tmp_path):
    crowded = tmp_path / "crowded.zip"
    with zipfile.ZipFile(crowded, "w") as archive:
        for n in range(package.MAX_MEMBERS + 1):
            archive.writestr(f"extra{n}.csv", "id\n")
    result = run_import(runner, crowded, "--source", "crowded")
    assert result.exit_code == 1
    assert f"a package holds at most {package.MAX_MEMBERS}" in result.output


def test_a_latin1_package_is_reported_by_file_and_line(runner, app, tmp_path):
    folder = write_package(tmp_path / "latin1")
    organization = f"id,name,description\n{uuid.uuid4()},Salud Pública,Salud\n"
    (folder / "organizations.csv").write_bytes(organization.encode("latin-1"))
    result = run_import(runner, folder, "--source", "latin1")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "organizations.csv:2: -: not UTF-8 text (byte 0xfa)" in result.output


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("organizations.csv", 'id,name\n"unclosed,x\n' + "y" * 140_000 + "\n", "field larger"),
        ("datapackage.json", "{not json", "datapackage.json:1: -:"),
    ],
)
def test_a_malformed_file_is_reported_not_raised(runner, app, tmp_path, name, text, expected):
    folder = write_package(tmp_path / "broken")
    (folder / name).write_text(text, encoding="utf-8")
    result = run_import(runner, folder, "--source", "broken")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert expected in result.output

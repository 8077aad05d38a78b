"""The HSDS export is the official package: it validates with Frictionless against the official
descriptor (columns, types, primary and foreign keys), and survives a round trip unchanged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from frictionless import Package

from directory.extensions import db
from directory.hsds.tables import OFFICIAL_DESCRIPTOR
from directory.models import Phone, ServiceArea
from tests.conftest import empty_listing_tables
from tests.factories import LocationFactory, ServiceFactory


def official_report(folder: Path):
    # Frictionless lifts the csv module's field size limit for the whole process when its CSV
    # parser loads; the import keeps the default limit as a guard, and other tests check it.
    limit = csv.field_size_limit()
    try:
        package = Package(json.loads(json.dumps(OFFICIAL_DESCRIPTOR)), basepath=str(folder))
        return package.validate()
    finally:
        csv.field_size_limit(limit)


def package_texts(folder: Path) -> dict[str, list[str]]:
    """Every file's lines, sorted (row order aside)."""
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in folder.iterdir()}


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def areas_of_every_kind(service) -> None:
    service.service_areas.extend(
        [
            ServiceArea(extent_type="nationwide", code=None, reach="phone"),
            ServiceArea(extent_type="state", code="NY", reach="mail"),
            ServiceArea(extent_type="county", code="NY:Kings", reach="online"),
            ServiceArea(extent_type="postal_code", code="10001", reach="text"),
        ]
    )


def test_the_export_validates_against_the_official_descriptor_with_its_foreign_keys(
    runner, listing, tmp_path
):
    _organization, _location, service = listing
    areas_of_every_kind(service)
    LocationFactory(confidential=True, front_door="Call 212-555-0199 for the door")
    db.session.commit()
    assert runner.invoke(args=["export", "hsds", str(tmp_path / "out")]).exit_code == 0
    report = official_report(tmp_path / "out")
    assert report.valid, report.flatten(["type", "note", "fieldName", "rowNumber"])[:10]
    ours = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    by_name = {resource["name"]: resource for resource in ours["resources"]}
    for official in OFFICIAL_DESCRIPTOR["resources"]:
        assert by_name[official["name"]]["schema"] == official["schema"]
    assert by_name["service"]["schema"]["foreignKeys"] == [
        {"fields": "organization_id", "reference": {"resource": "organization", "fields": "id"}},
        {"fields": "program_id", "reference": {"resource": "program", "fields": "id"}},
    ]


def test_service_areas_are_text_extents_named_as_people_read_them(runner, listing, tmp_path):
    _organization, _location, service = listing
    service.service_areas.clear()
    areas_of_every_kind(service)
    db.session.commit()
    runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    rows = read_rows(tmp_path / "out", "service_areas.csv")
    assert {row["extent_type"] for row in rows} == {"text"}
    assert {(row["name"], row["extent"]) for row in rows} == {
        ("United States", "US"),
        ("New York", "US-NY"),
        ("Kings County, NY", "Kings County, NY"),
        ("ZIP code 10001", "10001"),
    }


def test_export_import_export_gives_the_same_files_with_every_kind_of_area(
    runner, listing, tmp_path
):
    _organization, _location, service = listing
    areas_of_every_kind(service)
    other = ServiceFactory(categories=["syringe_services"], locations=[LocationFactory()])
    other.service_areas.append(ServiceArea(extent_type="state", code="CA", reach="mail"))
    other.phones.extend(
        [Phone(number="800-555-0100", type="hotline"), Phone(number="800-555-0101", type="tty")]
    )
    db.session.commit()
    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(args=["export", "hsds", str(first)]).exit_code == 0
    types = {row["number"]: row["type"] for row in read_rows(first, "phones.csv")}
    assert (types["800-555-0100"], types["800-555-0101"]) == ("voice", "textphone")
    empty_listing_tables()
    imported = runner.invoke(
        args=["import", "hsds", str(first), "--source", "harm-reduction-directory"]
    )
    assert imported.exit_code == 0, imported.output
    assert "warning" not in imported.output
    assert runner.invoke(args=["export", "hsds", str(second)]).exit_code == 0
    assert package_texts(first) == package_texts(second)
    again = runner.invoke(
        args=["import", "hsds", str(second), "--source", "harm-reduction-directory"]
    )
    assert "services: 0 new, 0 changed" in again.output


PACKAGE = Path(__file__).resolve().parent.parent / "fixtures" / "hsds" / "packages"


def test_an_outside_packages_text_areas_are_understood_and_a_geometry_is_a_warning(runner):
    result = runner.invoke(args=["import", "hsds", str(PACKAGE / "areas"), "--source", "metro211"])
    assert result.exit_code == 0, result.output
    assert "service_areas.csv:4: extent: a geojson extent" in result.output
    kinds = {(a.extent_type, a.code) for a in db.session.query(ServiceArea)}
    assert kinds == {("state", "NJ"), ("county", "NJ:Essex"), ("postal_code", "07102")}

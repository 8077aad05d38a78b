"""`flask export hsds` and `flask import hsds`: HSDS tabular data packages, all or nothing."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Location, Revision, Service, Source
from tests.conftest import empty_listing_tables
from tests.hsds.conftest import assert_valid

CORE_TABLES = ("organizations", "locations", "addresses", "services", "service_at_location")


def package_files(path: Path) -> dict[str, str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name).decode() for name in archive.namelist()}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())}


def read_rows(path: Path, table: str) -> list[dict[str, str]]:
    with (path / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_a_csv_per_table_and_a_datapackage_descriptor(runner, listing, tmp_path):
    result = runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert descriptor["profile"] == "tabular-data-package"
    paths = {resource["path"] for resource in descriptor["resources"]}
    assert {f"{table}.csv" for table in CORE_TABLES} <= paths
    for resource in descriptor["resources"]:
        assert (tmp_path / "out" / resource["path"]).exists()
    [service] = read_rows(tmp_path / "out", "services")
    assert service["status"] == "temporarily closed"
    [area] = read_rows(tmp_path / "out", "service_areas")
    assert (area["extent_type"], area["extent"], area["name"]) == ("text", "US-NY", "New York")
    [extension] = read_rows(tmp_path / "out", "x-hrd-service_areas")
    assert (extension["area_kind"], extension["code"]) == ("state", "NY")
    assert extension["reach"] == "mail"


def test_exported_rows_validate_against_the_hsds_object_schemas(runner, listing, tmp_path):
    runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    [organization] = read_rows(tmp_path / "out", "organizations")
    assert_valid({k: v for k, v in organization.items() if v}, "organization.json")
    [address] = read_rows(tmp_path / "out", "addresses")
    assert_valid({k: v for k, v in address.items() if v}, "address.json")


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_package(
    runner, listing, tmp_path
):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    assert runner.invoke(args=["export", "hsds", str(first)]).exit_code == 0
    empty_listing_tables()
    imported = runner.invoke(args=["import", "hsds", str(first)])
    assert imported.exit_code == 0, imported.output
    assert "locations: 1 new, 0 changed" in imported.output
    assert runner.invoke(args=["export", "hsds", str(second)]).exit_code == 0
    assert package_files(first) == package_files(second)


def test_import_records_its_source_and_a_revision_per_record(runner, listing, tmp_path):
    runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    empty_listing_tables()
    assert runner.invoke(args=["import", "hsds", str(tmp_path / "out")]).exit_code == 0
    source = db.session.scalar(select(Source))
    assert source.name == "HSDS import from harm-reduction-directory"
    location = db.session.scalar(select(Location))
    service = db.session.scalar(select(Service))
    assert location.source_id == service.source_id == source.id
    revisions = db.session.scalars(select(Revision)).all()
    assert {r.actor_type for r in revisions} == {"source"}
    assert {r.action for r in revisions} == {"create"}


def test_reimporting_the_same_package_changes_nothing(runner, listing, tmp_path):
    runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    runner.invoke(args=["import", "hsds", str(tmp_path / "out"), "--org", str(listing[0].id)])
    revisions = db.session.scalar(select(func.count()).select_from(Revision))
    again = runner.invoke(
        args=["import", "hsds", str(tmp_path / "out"), "--org", str(listing[0].id)]
    )
    assert again.exit_code == 0
    assert "services: 0 new, 0 changed" in again.output
    assert db.session.scalar(select(func.count()).select_from(Revision)) == revisions


def test_a_changed_row_updates_the_record_with_a_revision(runner, listing, tmp_path):
    out = tmp_path / "out"
    runner.invoke(args=["export", "hsds", str(out)])
    runner.invoke(args=["import", "hsds", str(out), "--org", str(listing[0].id)])
    text = (out / "phones.csv").read_text()
    (out / "phones.csv").write_text(text.replace("212-555-0100", "212-555-0199"))
    result = runner.invoke(args=["import", "hsds", str(out), "--org", str(listing[0].id)])
    assert "locations: 0 new, 1 changed" in result.output
    _, location, _ = listing
    db.session.expire_all()
    assert [p.number for p in db.session.get(Location, location.id).phones] == ["212-555-0199"]
    latest = db.session.scalars(
        select(Revision).where(Revision.entity_id == location.id).order_by(Revision.created_at)
    ).all()[-1]
    assert latest.changes["phones"][1][0]["number"] == "212-555-0199"


def test_invalid_rows_are_reported_by_file_line_and_field_and_nothing_is_imported(
    runner, listing, tmp_path
):
    out = tmp_path / "out"
    runner.invoke(args=["export", "hsds", str(out)])
    empty_listing_tables()
    services = (out / "services.csv").read_text().replace("temporarily closed", "gone fishing")
    (out / "services.csv").write_text(services)
    locations = (out / "locations.csv").read_text().replace("40.7506", "north")
    (out / "locations.csv").write_text(locations)
    result = runner.invoke(args=["import", "hsds", str(out)])
    assert result.exit_code == 1
    assert "services.csv:2: status:" in result.output
    assert "locations.csv:2: latitude:" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Location)) == 0


def test_rows_pointing_at_unknown_records_are_errors(runner, listing, tmp_path):
    out = tmp_path / "out"
    runner.invoke(args=["export", "hsds", str(out)])
    empty_listing_tables()
    (out / "organizations.csv").write_text("id,name\n")
    result = runner.invoke(args=["import", "hsds", str(out)])
    assert result.exit_code == 1
    # HSDS requires a service's organization (an error); a location's may be empty.
    assert "services.csv:2: organization_id: no such record" in result.output


def test_package_tables_use_the_official_file_names_and_fields(runner, tmp_path):
    """Every official table is in the package with exactly the official columns, in order;
    our own columns are in extension files beside them."""
    official = json.loads(
        (Path(__file__).resolve().parent.parent / "fixtures/hsds/compiled/tabular.json").read_text()
    )["properties"]
    by_path = {entry["items"]["path"]: entry["items"] for entry in official.values()}
    runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    paths = {resource["path"] for resource in descriptor["resources"]}
    assert set(by_path) <= paths
    for resource in descriptor["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with (tmp_path / "out" / resource["path"]).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == fields, resource["path"]
        if resource["path"].startswith("x-hrd-"):
            continue
        table = by_path[resource["path"]]
        assert resource["name"] == table["name"]
        scalar = [name for name, prop in table["properties"].items() if "constraints" in prop]
        assert fields == scalar, resource["path"]

"""Importing another directory's HSDS package (tests/fixtures/hsds/packages/metro211, in the shape
of the official example): its own taxonomy kept as it came, attributes on organizations and
locations, links to records it does not carry reported as warnings or errors as HSDS allows."""

from __future__ import annotations

import csv
import shutil
import uuid
from pathlib import Path

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import (
    ForeignTaxonomy,
    ForeignTerm,
    LinkedAttribute,
    Location,
    Phone,
    Revision,
    Service,
)
from tests.hsds.conftest import assert_valid

PACKAGES = Path(__file__).resolve().parent.parent / "fixtures" / "hsds" / "packages"
METRO = PACKAGES / "metro211"
TERM_MAP = PACKAGES / "metro211_taxonomy_map.csv"
SERVICE = uuid.UUID("7a1c2b3d-4e5f-4a6b-8c7d-000000000014")
ORGANIZATION = uuid.UUID("7a1c2b3d-4e5f-4a6b-8c7d-000000000010")
LOCATION = uuid.UUID("7a1c2b3d-4e5f-4a6b-8c7d-000000000012")


def import_metro(runner, *extra: str, path: Path = METRO):
    options = ["--source", "metro211", "--taxonomy-map", str(TERM_MAP), *extra]
    return runner.invoke(args=["import", "hsds", str(path), *options])


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_package_with_its_own_taxonomy_imports_and_keeps_that_taxonomy(runner):
    result = import_metro(runner)
    assert result.exit_code == 0, result.output
    taxonomy = db.session.scalar(select(ForeignTaxonomy))
    assert taxonomy.name == "Metro211 Service Taxonomy"
    terms = {term.code: term for term in db.session.scalars(select(ForeignTerm))}
    assert set(terms) == {"BH-1800", "BH-1800.1500-100", "YF-5000"}
    assert terms["BH-1800.1500-100"].parent_id == terms["BH-1800"].id
    assert terms["BH-1800"].term_uri == "https://metro211.example.org/taxonomy/BH-1800"
    entities = {a.link_entity for a in db.session.scalars(select(LinkedAttribute))}
    assert entities == {"service", "organization", "location"}


def test_a_mapped_term_gives_its_services_our_category_so_the_search_finds_them(runner, client):
    assert import_metro(runner).exit_code == 0
    service = db.session.get(Service, SERVICE)
    assert [a.taxonomy_term.code for a in service.attributes] == ["naloxone"]
    found = client.get("/api/v1/search?near=07102&service=naloxone").get_json()
    assert [hit["location"]["id"] for hit in found["results"]] == [str(LOCATION)]


def test_missing_links_that_hsds_allows_empty_are_warnings_and_the_rows_come_in_without_them(
    runner,
):
    result = import_metro(runner)
    assert result.exit_code == 0, result.output
    output = result.output
    assert "warning: phones.csv:2: location_id: no such record; imported without the link" in (
        output
    )
    assert "warning: phones.csv:3: location_id: no such record" in output
    assert "left out (nothing owns it)" in output
    assert "warning: locations.csv:2: organization_id" in output
    assert "warning: attributes.csv:5: link_entity: attributes on phone are not kept" in output
    [phone] = db.session.scalars(select(Phone)).all()
    assert (phone.number, phone.service_id, phone.location_id) == ("973-555-0100", SERVICE, None)
    assert db.session.get(Location, LOCATION).organization_id == ORGANIZATION


def test_a_missing_link_that_hsds_requires_is_an_error_and_nothing_is_imported(runner, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(METRO, broken)
    services = (broken / "services.csv").read_text(encoding="utf-8")
    (broken / "services.csv").write_text(
        services.replace(str(ORGANIZATION), "00000000-0000-4000-8000-000000000000"),
        encoding="utf-8",
    )
    result = import_metro(runner, path=broken)
    assert result.exit_code == 1
    assert "services.csv:2: organization_id: no such record" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(ForeignTerm)) == 0
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0


def test_a_second_import_of_the_same_package_changes_nothing(runner):
    assert import_metro(runner).exit_code == 0
    revisions = db.session.scalar(select(func.count()).select_from(Revision))
    again = import_metro(runner)
    assert again.exit_code == 0, again.output
    assert "services: 0 new, 0 changed" in again.output
    assert "locations: 0 new, 0 changed" in again.output
    assert db.session.scalar(select(func.count()).select_from(Revision)) == revisions
    assert db.session.scalar(select(func.count()).select_from(LinkedAttribute)) == 3


def test_the_foreign_taxonomy_is_exported_back_unchanged(runner, tmp_path):
    assert import_metro(runner).exit_code == 0
    assert runner.invoke(args=["export", "hsds", str(tmp_path / "out")]).exit_code == 0
    for name in ("taxonomy_terms.csv", "taxonomies.csv"):
        theirs = rows(METRO, name)
        exported = {row["id"]: row for row in rows(tmp_path / "out", name)}
        for row in theirs:
            assert exported[row["id"]] == row, name
    exported = {row["id"]: row for row in rows(tmp_path / "out", "attributes.csv")}
    for row in rows(METRO, "attributes.csv")[:3]:
        assert exported[row["id"]] == row


def test_the_imported_service_is_served_under_hsds_with_its_foreign_terms(runner, client):
    assert import_metro(runner).exit_code == 0
    body = client.get(f"/hsds/services/{SERVICE}").get_json()
    codes = {attribute["taxonomy_term"]["code"] for attribute in body["attributes"]}
    assert {"naloxone", "BH-1800.1500-100"} <= codes
    [area] = body["service_areas"]
    assert (area["name"], area["extent_type"]) == ("Essex County, NJ", "text")


def test_the_foreign_taxonomy_is_listed_and_searchable_under_hsds(runner, client):
    assert import_metro(runner).exit_code == 0
    found = client.get("/hsds/taxonomy_terms?search=naloxone&per_page=50").get_json()
    names = {term["name"] for term in found["contents"]}
    assert "Naloxone Distribution" in names
    assert found["total_items"] == len(found["contents"])
    term = next(t for t in found["contents"] if t["name"] == "Naloxone Distribution")
    detail = client.get(f"/hsds/taxonomy_terms/{term['id']}").get_json()
    assert detail["taxonomy_detail"]["name"] == "Metro211 Service Taxonomy"
    assert_valid(detail, "taxonomy_term.json")
    taxonomies = client.get("/hsds/taxonomies").get_json()["contents"]
    assert "Metro211 Service Taxonomy" in {taxonomy["name"] for taxonomy in taxonomies}
    streamed = client.get("/hsds/taxonomy_terms?format=ndjson").get_data(as_text=True)
    assert "BH-1800.1500-100" in streamed


def test_pages_run_across_our_terms_and_then_the_foreign_ones(runner, client):
    assert import_metro(runner).exit_code == 0
    everything = client.get("/hsds/taxonomy_terms?per_page=100").get_json()
    total = everything["total_items"]
    seen = []
    for page in range(1, total // 10 + 2):
        body = client.get(f"/hsds/taxonomy_terms?per_page=10&page={page}").get_json()
        seen += [term["id"] for term in body["contents"]]
    assert seen == [term["id"] for term in everything["contents"]]
    assert len(set(seen)) == total

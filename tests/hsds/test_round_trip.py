"""What broke the round trip on the national data (export → import into an empty database →
export), each reproduced on a few records: our taxonomy as another database numbers it, and rows
of records the export leaves out. Also what the bulk import must keep: a revision per record
with its parts, and a part two new records share written once."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import (
    ForeignTerm,
    LinkedAttribute,
    Location,
    Phone,
    Revision,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.conftest import empty_listing_tables
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.hsds.test_official_package import official_report, package_texts

SOURCE = ("--source", "harm-reduction-directory")


def export(runner, folder: Path) -> None:
    result = runner.invoke(args=["export", "hsds", str(folder)])
    assert result.exit_code == 0, result.output


def import_into_empty_database(runner, folder: Path) -> str:
    empty_listing_tables()
    result = runner.invoke(args=["import", "hsds", str(folder), *SOURCE])
    assert result.exit_code == 0, result.output
    return result.output


def renumber(folder: Path, ids: list[uuid.UUID]) -> None:
    """Give ``ids`` new values in every file of the package, as another database would."""
    new = {str(old): str(uuid.uuid4()) for old in ids}
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        for old, replacement in new.items():
            text = text.replace(old, replacement)
        path.write_text(text, encoding="utf-8", newline="")


def test_our_taxonomy_numbered_by_another_database_is_still_ours(runner, listing, tmp_path):
    out = tmp_path / "out"
    export(runner, out)
    renumber(
        out,
        [*db.session.scalars(select(Taxonomy.id)), *db.session.scalars(select(TaxonomyTerm.id))],
    )
    output = import_into_empty_database(runner, out)
    assert "warning" not in output
    service = db.session.scalar(select(Service))
    assert sorted(a.taxonomy_term.code for a in service.attributes) == ["free", "naloxone"]
    assert db.session.scalar(select(func.count()).select_from(ForeignTerm)) == 0
    assert db.session.scalar(select(func.count()).select_from(LinkedAttribute)) == 0


def archived_organization_with_a_place_and_a_service() -> Location:
    """An archived organization whose place and service are not archived themselves, the place
    with an address, a phone and an attribute an import attached to it."""
    organization = OrganizationFactory(archived_at=datetime.now(UTC))
    place = LocationFactory(organization=organization, name="Closed with its organization")
    place.phones.append(Phone(number="212-555-0177"))
    service = ServiceFactory(organization=organization, categories=["naloxone"], locations=[place])
    service.phones.append(Phone(number="212-555-0178"))
    term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "naloxone"))
    db.session.add(
        LinkedAttribute(link_entity="location", link_id=place.id, taxonomy_term_id=term.id)
    )
    db.session.commit()
    return place


def test_nothing_of_an_archived_organization_is_exported(runner, listing, tmp_path):
    place = archived_organization_with_a_place_and_a_service()
    out = tmp_path / "out"
    export(runner, out)
    text = "".join(path.read_text(encoding="utf-8") for path in out.iterdir())
    for trace in (str(place.id), str(place.organization_id), "212-555-0177", "212-555-0178"):
        assert trace not in text
    report = official_report(out)
    assert report.valid, report.flatten(["type", "note", "fieldName", "rowNumber"])[:10]


def test_the_round_trip_holds_beside_an_archived_organization(runner, listing, tmp_path):
    archived_organization_with_a_place_and_a_service()
    first, second = tmp_path / "first", tmp_path / "second"
    export(runner, first)
    assert "warning" not in import_into_empty_database(runner, first)
    export(runner, second)
    assert package_texts(first) == package_texts(second)


def test_an_attribute_on_a_service_link_the_export_leaves_out_is_left_out(
    runner, listing, tmp_path
):
    _organization, _location, service = listing
    closed = LocationFactory(organization=service.organization, archived_at=datetime.now(UTC))
    link = ServiceAtLocation(service=service, location=closed)
    db.session.add(link)
    db.session.flush()
    term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "naloxone"))
    db.session.add(
        LinkedAttribute(
            link_entity="service_at_location", link_id=link.id, taxonomy_term_id=term.id
        )
    )
    db.session.commit()
    first, second = tmp_path / "first", tmp_path / "second"
    export(runner, first)
    assert str(link.id) not in (first / "attributes.csv").read_text(encoding="utf-8")
    assert "warning" not in import_into_empty_database(runner, first)
    export(runner, second)
    assert package_texts(first) == package_texts(second)


def test_each_imported_record_has_a_creation_revision_with_its_parts(runner, listing, tmp_path):
    out = tmp_path / "out"
    export(runner, out)
    import_into_empty_database(runner, out)
    location = db.session.scalar(select(Location))
    [revision] = db.session.scalars(select(Revision).where(Revision.entity_id == location.id))
    assert (revision.action, revision.actor_type) == ("create", "source")
    assert revision.changes["name"] == [None, "Harbor drop-in"]
    assert [phone["number"] for phone in revision.changes["phones"][1]] == ["212-555-0100"]
    assert revision.changes["address"][1]["postal_code"] == "10001"
    service = db.session.scalar(select(Service))
    [revision] = db.session.scalars(select(Revision).where(Revision.entity_id == service.id))
    codes = {term.id: term.code for term in db.session.scalars(select(TaxonomyTerm))}
    tags = revision.changes["attributes"][1]
    assert sorted(codes[uuid.UUID(tag["taxonomy_term_id"])] for tag in tags) == ["free", "naloxone"]


def test_a_phone_of_a_new_place_and_of_its_new_service_is_one_phone(runner, listing, tmp_path):
    out = tmp_path / "out"
    export(runner, out)
    _organization, location, service = listing
    with (out / "phones.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["service_id"] = str(service.id)
    with (out / "phones.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    import_into_empty_database(runner, out)
    [phone] = db.session.scalars(select(Phone)).all()
    assert (phone.location_id, phone.service_id) == (location.id, service.id)

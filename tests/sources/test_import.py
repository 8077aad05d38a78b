"""Importing a declarative source: listings, provenance, idempotence, changes and removals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from directory.models import Location, Revision, Service, Source, SourceRecord
from directory.sources import SourceFileError, load_spec, run_source, run_sources
from directory.sources.spec import available_specs
from tests.sources.conftest import FIXTURES, counts


def import_fixture(session, name: str, folder: Path = FIXTURES):
    report = run_source(session, load_spec(name, folder))
    session.commit()
    return report


def location_named(session, name: str) -> Location:
    return session.scalars(select(Location).where(Location.name == name)).one()


def categories(service: Service) -> set[str]:
    return {attribute.taxonomy_term.code for attribute in service.attributes}


def test_a_source_becomes_listings_that_name_their_source_and_vintage(session):
    report = import_fixture(session, "clinics")

    assert report.created == 2
    clinic = location_named(session, "Harbor Clinic")
    assert clinic.address.postal_code == "12207"
    assert clinic.precision == "exact"
    assert clinic.timezone == "America/New_York"
    assert clinic.alternate_name == "Main campus"
    assert (clinic.source.name, clinic.source.vintage) == ("Test clinic list", "2020 extract")
    assert clinic.source.as_of_date == date(2020, 9, 1)
    [service] = clinic.services
    assert service.source_id == clinic.source_id
    assert service.assured_date is None
    assert categories(service) == {"buprenorphine", "naltrexone"}
    actors = set(session.execute(select(Revision.actor_type, Revision.actor_label)).all())
    assert actors == {("source", "test_clinics")}


def test_rows_without_coordinates_are_placed_at_their_zip_centre_and_marked_approximate(session):
    import_fixture(session, "clinics")

    pharmacy = location_named(session, "Hill Pharmacy")
    assert pharmacy.precision == "approximate"
    assert pharmacy.latitude == pytest.approx(40.75, abs=0.02)
    assert pharmacy.longitude == pytest.approx(-73.99, abs=0.02)
    assert pharmacy.timezone == "America/New_York"


def test_importing_the_same_file_again_changes_nothing(session):
    import_fixture(session, "clinics")
    before = counts(session)

    report = import_fixture(session, "clinics")

    assert counts(session) == before
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_a_changed_row_updates_the_listing_with_a_revision_naming_the_field(session, sources_dir):
    import_fixture(session, "clinics", sources_dir)
    data = sources_dir / "clinics.csv"
    data.write_text(data.read_text().replace("200 West 34th Street", "202 West 34th Street"))

    report = import_fixture(session, "clinics", sources_dir)

    assert report.updated == 1
    pharmacy = location_named(session, "Hill Pharmacy")
    assert pharmacy.address.address_1 == "202 West 34th Street"
    revision = session.scalars(
        select(Revision).where(Revision.entity_id == pharmacy.id, Revision.action == "update")
    ).one()
    assert revision.changes == {"address_1": ["200 West 34th Street", "202 West 34th Street"]}
    assert (revision.actor_type, revision.actor_label) == ("source", "test_clinics")


def test_a_newer_file_does_not_overwrite_a_listing_a_partner_now_keeps(session, sources_dir):
    import_fixture(session, "clinics", sources_dir)
    pharmacy = location_named(session, "Hill Pharmacy")
    pharmacy.organization.is_partner = True
    session.commit()
    data = sources_dir / "clinics.csv"
    data.write_text(data.read_text().replace("200 West 34th Street", "202 West 34th Street"))

    import_fixture(session, "clinics", sources_dir)

    assert location_named(session, "Hill Pharmacy").address.address_1 == "200 West 34th Street"


def test_a_newer_file_neither_changes_nor_archives_a_service_a_partner_now_keeps(
    session, sources_dir
):
    # A claimed listing: its organization keeps it in the portal now.
    import_fixture(session, "clinics", sources_dir)
    pharmacy = location_named(session, "Hill Pharmacy")
    pharmacy.organization.is_partner = True
    session.commit()
    data = sources_dir / "clinics.csv"
    data.write_text(data.read_text().replace("methadone", "buprenorphine"))

    import_fixture(session, "clinics", sources_dir)

    [service] = location_named(session, "Hill Pharmacy").services
    assert categories(service) == {"methadone"}
    data.write_text(
        "".join(
            line
            for line in data.read_text().splitlines(keepends=True)
            if "Hill Pharmacy" not in line
        )
    )

    import_fixture(session, "clinics", sources_dir)

    pharmacy = location_named(session, "Hill Pharmacy")
    assert pharmacy.archived_at is None
    assert pharmacy.services[0].archived_at is None


def test_a_row_gone_from_the_newer_file_is_archived_not_deleted(session, sources_dir):
    import_fixture(session, "clinics", sources_dir)
    data = sources_dir / "clinics.csv"
    data.write_text(
        "".join(
            line
            for line in data.read_text().splitlines(keepends=True)
            if "Hill Pharmacy" not in line
        )
    )

    report = import_fixture(session, "clinics", sources_dir)

    assert report.archived == 1
    pharmacy = location_named(session, "Hill Pharmacy")
    assert pharmacy.archived_at is not None
    assert pharmacy.services[0].archived_at is not None
    archive = session.scalars(
        select(Revision).where(Revision.entity_id == pharmacy.id, Revision.action == "archive")
    ).one()
    assert archive.actor_label == "test_clinics"
    assert location_named(session, "Harbor Clinic").archived_at is None


def test_a_row_back_in_a_later_file_brings_its_listing_back(session, sources_dir):
    data = sources_dir / "clinics.csv"
    original = data.read_text()
    import_fixture(session, "clinics", sources_dir)
    data.write_text("".join(r for r in original.splitlines(keepends=True) if "Hill" not in r))
    import_fixture(session, "clinics", sources_dir)
    data.write_text(original)

    report = import_fixture(session, "clinics", sources_dir)

    assert report.restored == 1
    pharmacy = location_named(session, "Hill Pharmacy")
    assert pharmacy.archived_at is None
    assert pharmacy.services[0].archived_at is None
    actions = session.scalars(
        select(Revision.action)
        .where(Revision.entity_id == pharmacy.id)
        .order_by(Revision.created_at)
    ).all()
    assert actions == ["create", "archive", "restore"]


def test_a_category_row_gone_from_the_file_takes_only_that_category_away(session, sources_dir):
    import_fixture(session, "clinics", sources_dir)
    data = sources_dir / "clinics.csv"
    data.write_text(
        "".join(
            line
            for line in data.read_text().splitlines(keepends=True)
            if "naltrexone" not in line.rstrip().split(",")
        )
    )

    import_fixture(session, "clinics", sources_dir)

    clinic = location_named(session, "Harbor Clinic")
    assert clinic.archived_at is None
    assert categories(clinic.services[0]) == {"buprenorphine"}


def test_bad_rows_are_reported_with_their_line_and_reason_and_the_good_rows_load(session):
    report = import_fixture(session, "malformed")

    assert report.errors == [
        (3, "bad latitude 'north'"),
        (4, "no name"),
        (5, "bad ZIP 'ABCDE'"),
    ]
    names = set(session.scalars(select(Location.name)))
    assert names == {"Good Place One", "Good Place Two", "Script Link Place"}


@pytest.mark.parametrize("web", ["http://", "https://", "javascript:alert(1)", "n/a", "http://x"])
def test_a_bare_or_malformed_web_address_is_no_address_and_the_row_still_loads(
    session, sources_dir, web
):
    data = sources_dir / "malformed.csv"
    data.write_text(data.read_text().replace("javascript:alert(1)", web))

    run_source(session, load_spec("malformed", sources_dir))

    place = location_named(session, "Script Link Place")
    assert place.organization.website is None
    assert place.services[0].url is None


def test_a_web_address_without_its_scheme_is_kept_as_an_http_address(session, sources_dir):
    data = sources_dir / "malformed.csv"
    data.write_text(data.read_text().replace("javascript:alert(1)", "www.example.org/help"))

    run_source(session, load_spec("malformed", sources_dir))

    assert location_named(session, "Script Link Place").organization.website == (
        "http://www.example.org/help"
    )


def test_a_file_that_cannot_be_read_writes_nothing(session, sources_dir):
    (sources_dir / "clinics.csv").write_text("id,name\n1,Only a name\n")

    with pytest.raises(SourceFileError, match="no column"):
        run_source(session, load_spec("clinics", sources_dir))
    session.rollback()

    assert session.scalars(select(Source)).all() == []
    assert session.scalars(select(Location)).all() == []


def test_the_same_facility_in_two_sources_becomes_one_location_with_both_services(session):
    run_sources(session, available_specs(FIXTURES)[:2])
    session.commit()

    clinics = session.scalars(select(Location).where(Location.name.like("Harbor Clinic%"))).all()
    assert len(clinics) == 1
    services = {service.name: categories(service) for service in clinics[0].services}
    assert services == {
        "Substance use treatment": {"treatment"},
        "Medications for opioid use disorder": {"buprenorphine", "naltrexone"},
    }
    records = session.scalars(select(SourceRecord)).all()
    assert {record.location_id for record in records if "harbor" in record.external_key} == {
        clinics[0].id
    }


def test_loading_all_sources_twice_gives_the_same_counts(session):
    run_sources(session, available_specs(FIXTURES))
    session.commit()
    before = counts(session)

    reports = run_sources(session, available_specs(FIXTURES))
    session.commit()

    assert counts(session) == before
    assert sum(report.created + report.updated + report.archived for report in reports) == 0


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(session, runner):
    result = runner.invoke(
        args=["import", "source", "clinics", "--dry-run", "--folder", str(FIXTURES)]
    )

    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.output
    assert "new locations: 2" in result.output
    assert session.scalars(select(Location)).all() == []
    assert session.scalars(select(Revision)).all() == []


def test_the_import_command_names_the_bad_rows_and_commits_the_good_ones(session, runner):
    result = runner.invoke(args=["import", "source", "malformed", "--folder", str(FIXTURES)])

    assert result.exit_code == 0, result.output
    assert "line 3: bad latitude 'north'" in result.output
    assert len(session.scalars(select(Location)).all()) == 3


def test_an_unknown_source_name_is_refused_with_the_known_names(runner):
    result = runner.invoke(args=["import", "source", "nope", "--folder", str(FIXTURES)])

    assert result.exit_code != 0
    assert "no source named 'nope'" in result.output
    assert "clinics" in result.output

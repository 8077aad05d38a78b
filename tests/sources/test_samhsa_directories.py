"""SAMHSA's National Directories as sources, run with the shipped mappings on real rows.

The fixtures in ``fixtures/samhsa/`` are cut from the shipped files: four facilities of the 2023
substance use workbook and one of the 2024 mental health workbook (each with the full Service
Code Reference sheet), two rows each of the geocoded 2021 locator extract, of the 2021–22 opioid
treatment program register and of NY's ESAP list.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.models import Location, Revision, Service
from directory.sources import SOURCES_DIR, available_specs, load_spec, run_source, run_sources
from directory.sources.codes import read_decisions
from directory.sources.workbook import read_sheet
from tests.sources.conftest import FIXTURES, counts, duplicate_groups

CUTS = FIXTURES / "samhsa"
# Each shipped mapping, the fixture standing in for its data file.
SHIPPED = {
    "samhsa_treatment": "samhsa_treatment_cut.csv",
    "samhsa_otp": "samhsa_otp_cut.csv",
    "samhsa_directory_su": "su_2023_cut.xlsx",
    "samhsa_directory_mh": "mh_2024_cut.xlsx",
    "ny_esap": "ny_esap_cut.csv",
}


@pytest.fixture
def shipped(tmp_path) -> Path:
    """The shipped mapping files and code lists, reading the cut files instead of the whole."""
    folder = tmp_path / "sources"
    (folder / "data").mkdir(parents=True)
    for path in SOURCES_DIR.glob("samhsa_*_codes.csv"):
        shutil.copy(path, folder / path.name)
    for name, cut in SHIPPED.items():
        shutil.copy(SOURCES_DIR / f"{name}.toml", folder / f"{name}.toml")
        target = folder / load_spec(name).path.relative_to(SOURCES_DIR)
        if target.suffix == ".gz":
            target.write_bytes(gzip.compress((CUTS / cut).read_bytes()))
        else:
            shutil.copy(CUTS / cut, target)
    return folder


def load(session, folder: Path):
    reports = run_sources(session, available_specs(folder))
    session.commit()
    return reports


def place(session, name: str) -> Location:
    return session.scalars(select(Location).where(Location.name == name)).one()


def open_services(location: Location) -> dict[str, set[str]]:
    return {
        service.name: {attribute.taxonomy_term.code for attribute in service.attributes}
        for service in location.services
        if service.archived_at is None
    }


def test_a_facility_answering_noe_peer_bu_ss_sp_offers_naloxone_peer_support_and_buprenorphine(
    session, shipped
):
    load(session, shipped)

    services = open_services(place(session, "La Frontera Center"))

    naloxone = services["Naloxone and overdose education (for clients — call to ask)"]
    assert {"naloxone", "sliding_scale"} <= naloxone
    moud = next(terms for name, terms in services.items() if name.startswith("Medications"))
    assert {"buprenorphine", "sliding_scale"} <= moud
    recovery = next(terms for name, terms in services.items() if name.startswith("Recovery"))
    assert "peer_support" in recovery
    main = services["Substance use treatment"]
    assert {"treatment", "sliding_scale", "medicaid"} <= main
    frontera = place(session, "La Frontera Center")
    spoken = {language.code for s in frontera.services for language in s.languages}
    assert "es" in spoken


def test_the_naloxone_service_says_it_is_for_clients_and_to_call_never_a_giveaway(session, shipped):
    load(session, shipped)

    [naloxone] = [
        s for s in place(session, "La Frontera Center").services if s.name.startswith("Naloxone")
    ]
    assert "usually to the people it treats" in naloxone.description
    assert "not a walk-in giveaway" in naloxone.description
    assert "2023 (2022 survey)" in naloxone.description


def test_oral_naltrexone_is_naltrexone_and_never_naloxone(session, shipped):
    load(session, shipped)

    services = open_services(place(session, "Crisis Preparation and Recovery Inc"))

    assert not any("naloxone" in terms for terms in services.values())
    assert any("naltrexone" in terms for terms in services.values())


def test_the_same_facility_as_a_geocoded_row_is_one_location_keeping_its_coordinates(
    session, shipped
):
    load(session, shipped)

    [frontera] = session.scalars(
        select(Location).where(Location.name.like("La Frontera Center%"))
    ).all()
    assert (frontera.latitude, frontera.longitude) == (32.2528121, -110.8890998)
    assert frontera.precision == "exact"
    sources = {s.source.code for s in frontera.services if s.archived_at is None}
    assert sources == {"samhsa_directory_su", "samhsa_directory_mh"}


def test_a_facility_only_in_the_older_extract_is_not_listed_as_current(session, shipped):
    load(session, shipped)

    names = set(session.scalars(select(Location.name).where(Location.archived_at.is_(None))))
    assert "Community Medical Services — Northwest Tucson" not in names
    assert "samhsa_treatment" not in {spec.code for spec in available_specs(shipped)}


def test_where_the_older_extract_was_loaded_its_services_are_archived_with_the_reason(
    session, shipped
):
    run_source(session, load_spec("samhsa_treatment", shipped))
    session.commit()

    load(session, shipped)

    frontera = place(session, "La Frontera Center")
    assert (frontera.latitude, frontera.longitude) == (32.2528121, -110.8890998)
    [old] = [s for s in frontera.services if s.source.code == "samhsa_treatment"]
    assert old.archived_at is not None
    assert archive_reason(session, old.id).startswith("superseded by SAMHSA National Directory")
    gone = place(session, "Community Medical Services — Northwest Tucson")
    assert gone.archived_at is not None
    assert "SAMHSA no longer lists this place" in archive_reason(session, gone.id)
    before = counts(session)

    load(session, shipped)

    assert counts(session) == before


def archive_reason(session, entity_id) -> str:
    return session.scalar(
        select(Revision.reason).where(Revision.entity_id == entity_id, Revision.action == "archive")
    )


def test_a_new_facility_is_placed_at_its_zip_centre_as_approximate(session, shipped):
    load(session, shipped)

    hopess = place(session, "Homes of Personal Enrichment and Sobriety Services/HOPESS")
    assert hopess.precision == "approximate"
    assert hopess.latitude == pytest.approx(33.62, abs=0.05)


def test_a_certified_program_the_directory_lists_keeps_one_location_and_the_directory_service(
    session, shipped
):
    load(session, shipped)

    [aegis] = session.scalars(select(Location).where(Location.name.like("Aegis%"))).all()
    assert (aegis.latitude, aegis.precision) == (34.0743071, "exact")
    old = [s for s in aegis.services if s.source.code == "samhsa_otp"]
    assert old[0].archived_at is not None
    assert archive_reason(session, old[0].id).startswith("superseded by")
    assert any("methadone" in terms for terms in open_services(aegis).values())


def test_a_certified_program_the_directory_lacks_stays_and_says_so(session, shipped):
    load(session, shipped)

    wchs = place(session, "WCHS, Inc.")
    [service] = wchs.services
    assert service.archived_at is None
    assert "Not in SAMHSA National Directory of Substance Use" in service.description
    before = service.description

    load(session, shipped)

    assert place(session, "WCHS, Inc.").services[0].description == before


def test_the_main_and_intake_phones_are_stored_on_the_location(session, shipped):
    load(session, shipped)

    [aegis] = session.scalars(select(Location).where(Location.name.like("Aegis%"))).all()
    phones = {(phone.number, phone.description) for phone in aegis.phones}
    assert phones == {
        ("626-471-8459", "main"),
        ("626-442-4177", "intake"),
        ("818-398-8555", "intake"),
    }


def test_an_extension_is_kept_apart_and_the_forms_blank_x0_is_no_extension(session, shipped):
    load(session, shipped)

    crisis = place(session, "Crisis Preparation and Recovery Inc")
    phones = {(phone.number, phone.extension, phone.description) for phone in crisis.phones}
    assert phones == {("480-804-0326", None, "main"), ("480-804-0326", "4002", "intake")}


def test_a_name_split_over_two_columns_is_joined_when_the_second_continues_the_first(
    session, shipped
):
    load(session, shipped)

    hopess = place(session, "Homes of Personal Enrichment and Sobriety Services/HOPESS")
    assert hopess.organization.name == hopess.name
    assert hopess.alternate_name is None


def test_a_real_second_name_names_the_site_under_its_organization(session, shipped):
    load(session, shipped)

    frontera = place(session, "La Frontera Center")
    mental_health = [s for s in frontera.services if s.source.code == "samhsa_directory_mh"]
    assert mental_health[0].organization.name == "La Frontera Center"


def test_rite_aid_pharmacies_are_archived_with_the_closure_and_its_page(session, shipped):
    load(session, shipped)

    rite_aid = place(session, "RITE AID PHARMACY #10691")
    assert rite_aid.archived_at is not None
    reason = session.scalar(
        select(Revision.reason).where(
            Revision.entity_id == rite_aid.id, Revision.action == "archive"
        )
    )
    assert reason.startswith("closed: Rite Aid closed all its stores in 2025")
    assert "https://" in reason
    assert place(session, "CVS MACK DRUG OF NEW YORK, LLC").archived_at is None


def test_loading_the_directories_twice_changes_nothing_and_closed_places_stay_archived(
    session, shipped
):
    load(session, shipped)
    before = counts(session)

    reports = load(session, shipped)

    assert counts(session) == before
    assert all(report.created == report.updated == report.archived == 0 for report in reports)
    assert place(session, "RITE AID PHARMACY #10691").archived_at is not None


def test_no_two_open_locations_share_a_name_street_and_zip(session, shipped):
    load(session, shipped)

    assert duplicate_groups(session) == []


@pytest.mark.parametrize("name", ["samhsa_directory_su", "samhsa_directory_mh"])
def test_every_code_of_the_shipped_workbooks_reference_has_a_decision(name):
    spec = load_spec(name)
    reference = read_sheet(spec.path, "Service Code Reference", {"service_code"})
    codes = {row["service_code"] for _, row in reference if row["service_code"]}
    decisions = read_decisions(SOURCES_DIR / f"samhsa_{name[-2:]}_codes.csv")

    assert codes - set(decisions) == set()
    assert {"NOE", "NXN", "BU", "PEER"} <= set(decisions) or name.endswith("mh")


def test_naloxone_comes_from_noe_alone():
    decisions = read_decisions(SOURCES_DIR / "samhsa_su_codes.csv")

    assert [code for code, d in decisions.items() if "naloxone" in d.terms] == ["NOE"]
    assert decisions["NXN"].terms == ("naltrexone",)
    assert decisions["BWN"].terms == ("buprenorphine",)


def test_every_service_of_the_directories_names_its_source_and_vintage(session, shipped):
    load(session, shipped)

    services = session.scalars(
        select(Service).where(Service.archived_at.is_(None), Service.name != "")
    ).all()
    directory = [s for s in services if s.source.code.startswith("samhsa_directory")]
    assert directory
    for service in directory:
        assert service.source.vintage in ("2023 (2022 survey)", "2024 (2023 survey)")
        assert "not verified since" in service.description
        assert service.assured_date is None
    assert session.scalar(select(func.count()).select_from(Service)) >= len(directory)

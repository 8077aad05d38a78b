"""The committed seed sources: every mapping file reads its file, with the expected row counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.models import Location
from directory.sources import SOURCES_DIR, available_specs, load_spec
from directory.sources.rows import read_rows, records
from tests.sources.conftest import counts, duplicate_groups

# Rows in each converted file (see seed/sources/README.md for what was left out and why).
EXPECTED_ROWS = {
    "samhsa_treatment": 14034,
    "samhsa_moud": 14773,
    "samhsa_otp": 1831,
    "samhsa_mental_health": 11375,
    "samhsa_directory_su": 12744,
    "samhsa_directory_mh": 8319,
    "manufacturer_naltrexone": 14773,
    "ny_esap": 3036,
    "nj_naloxone_pharmacies": 1042,
    "nj_syringe_access": 7,
    "philly_prevention_point": 8,
    "naloxone_vending_machines": 3,
    "overdose_prevention_centers": 3,
    "detroit_harm_reduction_stations": 60,
    "wayne_well_wayne_stations": 77,
    "oakland_narcan_boxes": 118,
    "orange_ny_naloxboxes": 74,
    "orange_ny_oopp": 15,
    "ri_naloxone": 91,
    "chicago_library_naloxone": 81,
    "harm_reduction_pages": 17,
}
SMALL = [name for name, rows in EXPECTED_ROWS.items() if rows < 100]


def specs_by_name():
    """Every shipped mapping, the superseded ones (read only for their points) included."""
    return {path.stem: load_spec(path.stem) for path in SOURCES_DIR.glob("*.toml")}


def test_every_seed_source_has_a_mapping_file_and_its_file_has_the_expected_rows():
    specs = specs_by_name()

    assert set(specs) == set(EXPECTED_ROWS)
    for name, spec in specs.items():
        assert sum(1 for _ in records(spec)) == EXPECTED_ROWS[name], name


@pytest.mark.parametrize("name", SMALL)
def test_every_row_of_the_hand_checked_lists_becomes_a_listing(name):
    result = read_rows(specs_by_name()[name])

    assert result.errors == []
    assert result.read == EXPECTED_ROWS[name]


def test_the_manufacturer_rows_are_never_listed_under_samhsas_name():
    specs = specs_by_name()
    [moud_rule] = specs["samhsa_moud"].skip
    [manufacturer_rule] = specs["manufacturer_naltrexone"].skip

    assert (moud_rule.column, set(moud_rule.values)) == ("source", {"vivitrolWeb"})
    assert (manufacturer_rule.column, set(manufacturer_rule.values)) == ("source", {"SAMHSA"})
    assert "not SAMHSA" in specs["manufacturer_naltrexone"].title


def test_every_seed_source_says_where_it_came_from_and_when():
    for spec in available_specs():
        assert all((spec.title, spec.vintage, spec.licence, spec.as_of_date)), spec.name


@pytest.mark.slow
def test_the_whole_seed_loads_twice_to_the_same_counts_with_no_duplicate_facilities(
    session, runner
):
    """The real seed, end to end: a second load changes nothing, no two open locations share
    a name, street and ZIP, and every Rite Aid stays archived with its closure."""
    first = runner.invoke(args=["seed", "load"])
    assert first.exit_code == 0, first.output
    before = counts(session)

    second = runner.invoke(args=["seed", "load"])

    assert second.exit_code == 0, second.output
    assert counts(session) == before
    assert duplicate_groups(session) == []
    rite_aid = session.scalars(
        select(Location).where(Location.name.like("RITE AID%"), Location.archived_at.is_(None))
    ).all()
    assert rite_aid == []

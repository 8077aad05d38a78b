"""``flask coverage report``: where the directory still has nothing, per state and need."""

from __future__ import annotations

from directory.coverage import coverage
from directory.extensions import db
from directory.geo import zip_centroid
from directory.geo.index import get_index
from tests.factories import ServiceAreaFactory, ServiceFactory
from tests.search.helpers import place, save, service

MANHATTAN = zip_centroid("10001")


def zips_of(state: str) -> list:
    return [record for record in get_index().zips.values() if record.state == state]


def test_a_place_covers_the_zip_codes_within_25_miles_and_a_mail_program_covers_its_state(app):
    save(place("Drop-in", MANHATTAN.lat, MANHATTAN.lng, service("Kits", codes=["naloxone"])))
    ServiceAreaFactory(
        service=ServiceFactory(name="Naloxone by mail (VT)", categories=["naloxone"]),
        extent_type="state",
        code="VT",
        reach="mail",
    )
    rows = {
        (row.state, row.need): row
        for row in coverage(db.session, ["NY", "VT", "NJ"], needs=["naloxone", "methadone"])
    }
    new_york = rows[("NY", "naloxone")]
    assert new_york.places == 1
    assert new_york.zips == len(zips_of("NY"))
    assert 0 < new_york.zips_in_person < new_york.zips
    assert new_york.share == new_york.in_person_share  # no remote service serves New York
    # A New York place counts for the New Jersey ZIP codes across the river, not as a NJ place.
    assert rows[("NJ", "naloxone")].places == 0
    assert rows[("NJ", "naloxone")].zips_in_person > 0
    vermont = rows[("VT", "naloxone")]
    assert (vermont.places, vermont.zips_in_person) == (0, 0)
    assert vermont.share == 1.0
    assert rows[("NY", "methadone")].zips_covered == 0


def test_the_command_prints_a_line_per_need_for_one_state_and_refuses_an_unknown_one(app):
    save(place("Drop-in", MANHATTAN.lat, MANHATTAN.lng, service("Kits", codes=["naloxone"])))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coverage", "report", "--state", "ny"])
    assert result.exit_code == 0, result.output
    naloxone = next(line for line in result.output.splitlines() if line.startswith("naloxone"))
    assert naloxone.split()[1] == "1"
    assert any(line.startswith("syringe_services") for line in result.output.splitlines())
    refused = runner.invoke(args=["coverage", "report", "--state", "XX"])
    assert refused.exit_code == 2
    assert "'XX' is not a state code" in refused.output


def test_the_national_table_has_every_state_and_a_total_row(app):
    save(place("Drop-in", MANHATTAN.lat, MANHATTAN.lng, service("Kits", codes=["naloxone"])))
    result = app.test_cli_runner().invoke(args=["coverage", "report"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    states = {line.split()[0] for line in lines[3:-1]}
    assert {"NY", "WY", "DC", "PR"} <= states
    total = lines[-1].split()
    assert total[:2] == ["all", "1"]

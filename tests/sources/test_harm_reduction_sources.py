"""The harm-reduction lists of 2026: real rows import with their supplies, places, phones and
sources; secondary and derived lists say so; lead rows appear only once a page confirmed them."""

from __future__ import annotations

import csv
import shutil
from datetime import time

import pytest
from sqlalchemy import select

from directory.models import Location, Revision, Service
from directory.sources import load_spec, run_source
from directory.sources.rows import read_rows
from directory.sources.spec import SOURCES_DIR


def import_real(session, name: str):
    report = run_source(session, load_spec(name))
    session.commit()
    return report


def located(session, name: str) -> Location:
    return session.scalars(select(Location).where(Location.name == name)).one()


def codes(service: Service) -> set[str]:
    return {attribute.taxonomy_term.code for attribute in service.attributes}


def only_service(location: Location) -> Service:
    [service] = location.services
    return service


def test_a_detroit_station_is_a_free_naloxone_box_with_its_phone_hours_and_publisher(session):
    report = import_real(session, "detroit_harm_reduction_stations")

    assert report.read == 60
    assert report.errors == []
    station = located(session, "6 & J Gas & More (Citgo Gas Station)")
    assert (station.latitude, station.longitude) == pytest.approx((42.418146, -83.101336))
    assert station.precision == "exact"
    assert station.address.address_1 == "1 East McNichols"
    assert [phone.number for phone in station.phones] == ["313-866-2562"]
    service = only_service(station)
    assert codes(service) == {"naloxone", "free"}
    assert "Open 24 hours" in service.description
    assert "Detroit Health Department" in service.description
    assert "2026-08-26; not verified since" in service.description
    assert station.source.name == "Detroit Health Department harm reduction stations"


def test_a_well_wayne_station_gives_naloxone_and_both_kinds_of_test_strips(session):
    import_real(session, "wayne_well_wayne_stations")

    church = located(session, "The Road Church")
    service = only_service(church)
    assert codes(service) == {"naloxone", "fentanyl_test_strips", "xylazine_test_strips", "free"}
    # The county's map names no street: where the box is at the site stands in for it.
    assert church.address.address_1 == "Outdoors, underneath the mailbox at the west entrance"
    assert church.address.city == "Allen Park"
    assert (church.latitude, church.longitude) == pytest.approx((42.2577009, -83.1998671))
    assert "Wayne County" in service.description
    assert "2026-09-14; not verified since" in service.description


def test_an_oakland_county_box_keeps_its_phone_and_the_countys_date(session):
    import_real(session, "oakland_narcan_boxes")

    jail = located(session, "Oakland County Jail")
    assert jail.address.postal_code == "48341"
    assert [phone.number for phone in jail.phones] == ["248-858-1800"]
    service = only_service(jail)
    assert codes(service) == {"naloxone", "free"}
    assert "Oakland County's Narcan Locations map, 2026-08-06" in service.description


def test_orange_county_naloxboxes_show_their_hours_and_its_programs_their_phones(session):
    import_real(session, "orange_ny_naloxboxes")
    import_real(session, "orange_ny_oopp")

    hall = located(session, "Aquinas Hall")
    assert (hall.address.address_1, hall.address.city) == ("330 Powell Ave", "Newburgh")
    description = only_service(hall).description
    assert "Monday: 8:30AM-5PM; Tuesday" in description
    assert "June 2025; not verified since" in description
    hospital = located(session, "Garnet Health Medical Center")
    assert [phone.number for phone in hospital.phones] == ["845-333-2043"]
    assert codes(only_service(hospital)) == {"naloxone"}
    # A published row without a name says what and where it is instead of pretending a name.
    assert located(session, "NaloxBox at 10 Little Britain Rd").address.city == "Newburgh"


def test_rhode_island_rows_without_a_real_point_are_placed_at_their_zip_and_say_secondary(
    session,
):
    import_real(session, "ri_naloxone")

    barry = located(session, "Barry Hall")  # published at 0,0
    assert barry.precision == "approximate"
    assert barry.address.postal_code == "02920"
    assert barry.latitude == pytest.approx(41.77, abs=0.1)
    carousel = located(session, "Watch Hill Carousel")
    assert carousel.precision == "exact"
    assert (carousel.latitude, carousel.longitude) == pytest.approx((41.309315, -71.8579451))
    for place in (barry, carousel):
        assert "SECONDARY list" in only_service(place).description
    assert (
        "vending machine" in only_service(located(session, "CODAC Behavioral Health")).description
    )
    names = set(session.scalars(select(Location.name)))
    assert not any("install pending" in name for name in names)


def test_every_chicago_library_box_is_labelled_derived_and_dated_2022(session):
    report = import_real(session, "chicago_library_naloxone")

    assert report.created == 81
    branch = located(session, "Chicago Public Library - Albany Park")
    assert branch.address.postal_code == "60625"
    for service in session.scalars(select(Service)):
        assert "DERIVED listing" in service.description
        assert "2022-12-05" in service.description


def test_a_lead_row_is_published_only_once_a_page_confirmed_it(session):
    spec = load_spec("harm_reduction_pages")
    rows = read_rows(spec).rows
    import_real(session, "harm_reduction_pages")

    center = located(session, "Harm Reduction Action Center")
    assert center.address.postal_code == "80203"
    assert [phone.number for phone in center.phones] == ["303-572-7800"]
    service = only_service(center)
    assert codes(service) >= {"syringe_services", "naloxone", "fentanyl_test_strips"}
    assert service.url == "https://www.harmreductionactioncenter.org/what-we-do-1"
    dundalk = located(session, "Harm Reduction Program – Dundalk Health Center")
    assert [phone.number for phone in dundalk.phones] == ["443-750-4914"]
    assert codes(only_service(dundalk)) >= {"syringe_services", "naloxone", "peer_support"}
    assert located(session, "Taylor County Health Department SSP").address.postal_code == "42718"
    # Where the confirming page is newer than the lead, the page's address wins.
    watsonville = located(session, "Santa Cruz County Syringe Services Program (Watsonville site)")
    assert watsonville.address.address_1 == "1430 Freedom Blvd, Ste B"
    # Leads no page confirmed (an intersection-only 2017 news item; a centre with no street).
    names = {str(row.values["name"]) for row in rows}
    assert "Trac-B Exchange (storefront syringe exchange)" not in names
    assert "Four A's Syringe Access Program (Anchorage)" not in names
    listed = set(session.scalars(select(Location.name)))
    assert "Trac-B Exchange (storefront syringe exchange)" not in listed


def test_prevention_point_philadelphia_gets_naloxone_from_the_page_that_says_so(session):
    import_real(session, "philly_prevention_point")
    import_real(session, "harm_reduction_pages")

    headquarters = located(session, "Prevention Point Philadelphia")
    by_service = {service.name: service for service in headquarters.services}
    assert codes(by_service["Syringe exchange"]) == {"syringe_services"}
    naloxone = by_service["Harm reduction services (confirmed on the program's page)"]
    assert codes(naloxone) == {"naloxone"}
    assert naloxone.url.startswith("https://www.reliefcomm.com/2025/03/15/")


def test_onpoint_nyc_centers_also_list_naloxone_and_syringes_citing_its_page(session):
    import_real(session, "overdose_prevention_centers")

    for name in ("OnPoint NYC — East Harlem", "OnPoint NYC — Washington Heights"):
        service = only_service(located(session, name))
        assert codes(service) == {"overdose_prevention_centers", "naloxone", "syringe_services"}
        assert "onpointnyc.org/promoting-health-in-nyc-neighborhoods" in service.description
    weber = located(session, "Project Weber/RENEW overdose prevention center")
    assert codes(only_service(weber)) == {"overdose_prevention_centers"}


def test_importing_the_new_lists_again_changes_nothing(session):
    for name in ("wayne_well_wayne_stations", "ri_naloxone"):
        import_real(session, name)
        report = import_real(session, name)
        assert (report.created, report.updated, report.archived) == (0, 0, 0)
        assert report.unchanged == report.read


ALL_WEEK = ("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))


def week(service: Service) -> list[tuple]:
    return [(s.byday, s.opens_at, s.closes_at) for s in service.schedules]


def test_a_box_listed_as_open_24_hours_is_open_now_and_one_with_office_hours_is_not(
    client, session
):
    import_real(session, "detroit_harm_reduction_stations")

    around_the_clock = only_service(located(session, "6 & J Gas & More (Citgo Gas Station)"))
    assert week(around_the_clock) == [ALL_WEEK]
    office = only_service(located(session, "Detroit Health Department"))  # "8:30-4pm M-F"
    assert week(office) == []
    response = client.get(
        "/api/v1/search?lat=42.418146&lng=-83.101336&radius=1&service=naloxone&open_now=true"
    )
    names = [hit["location"]["name"] for hit in response.get_json()["results"]]
    assert "6 & J Gas & More (Citgo Gas Station)" in names
    assert "Detroit Health Department" not in names


def test_a_box_no_longer_listed_as_open_around_the_clock_loses_its_all_week_hours(
    session, tmp_path
):
    folder = tmp_path / "sources"
    (folder / "data").mkdir(parents=True)
    shutil.copy(SOURCES_DIR / "wayne_well_wayne_stations.toml", folder)
    data = SOURCES_DIR / "data" / "wayne_well_wayne_stations.csv"
    shutil.copy(data, folder / "data")
    run_source(session, load_spec("wayne_well_wayne_stations", folder))
    session.commit()
    church = only_service(located(session, "The Road Church"))
    assert week(church) == [ALL_WEEK]

    with data.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["name"] == "The Road Church":
            row["open_24_7"] = ""
    with (folder / "data" / data.name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report = run_source(session, load_spec("wayne_well_wayne_stations", folder))
    session.commit()

    assert report.updated == 1
    session.expire_all()
    assert week(only_service(located(session, "The Road Church"))) == []
    revision = session.scalars(
        select(Revision).where(Revision.entity_id == church.id, Revision.action == "update")
    ).one()
    assert revision.changes == {"open_24_7": [True, False]}

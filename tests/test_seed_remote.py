"""Hotlines, directories and mail programs load once, reaching the nation or only their states,
and a search shows a state's own mail program to the people in that state."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from directory.models import Revision, Service, ServiceArea
from directory.seeding.remote import REMOTE_SERVICES_PATH, load_remote_services


def test_remote_services_reach_the_whole_country_by_their_channels(session):
    assert load_remote_services(session) == 15
    session.commit()
    lifeline = session.scalar(select(Service).where(Service.name.startswith("988")))
    assert {area.reach for area in lifeline.service_areas} == {"phone", "text", "online"}
    assert all(area.extent_type == "nationwide" for area in lifeline.service_areas)
    assert lifeline.phones[0].number == "988"
    assert lifeline.source.name.startswith("Providers' own published details")
    assert not lifeline.locations


def test_loading_remote_services_twice_changes_nothing(session):
    load_remote_services(session)
    session.commit()
    revisions = session.scalar(select(func.count()).select_from(Revision))
    assert load_remote_services(session) == 0
    session.commit()
    assert session.scalar(select(func.count()).select_from(Revision)) == revisions
    assert session.scalar(select(func.count()).select_from(ServiceArea)) == 28


def test_a_changed_seed_entry_updates_the_service_with_a_revision(session, tmp_path):
    load_remote_services(session)
    session.commit()
    data = json.loads(REMOTE_SERVICES_PATH.read_text(encoding="utf-8"))
    data["services"][0]["description"] = "New description."
    changed = tmp_path / "remote.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    assert load_remote_services(session, changed) == 1
    session.commit()
    revision = session.scalars(
        select(Revision).where(Revision.action == "update").order_by(Revision.created_at)
    ).one()
    assert revision.changes["description"][1] == "New description."
    assert revision.actor_label == "national_remote_services"


def remote_named(session, name: str) -> Service:
    return session.scalars(select(Service).where(Service.name.startswith(name))).one()


def test_a_state_mail_program_reaches_only_its_state_and_cites_its_own_page(session):
    load_remote_services(session)
    session.commit()

    washington = remote_named(session, "Free naloxone by mail anywhere in Washington State")
    areas = {(area.extent_type, area.code, area.reach) for area in washington.service_areas}
    assert areas == {("state", "WA", "mail"), ("state", "WA", "online")}
    assert {a.taxonomy_term.code for a in washington.attributes} >= {"naloxone", "free"}
    creation = session.scalars(
        select(Revision).where(Revision.entity_id == washington.id, Revision.action == "create")
    ).one()
    assert creation.changes["source_url"][1] == (
        "http://peoplesharmreductionalliance.org/mission-history-philosophy"
    )


def entries_added_from_leads():
    data = json.loads(REMOTE_SERVICES_PATH.read_text(encoding="utf-8"))
    return [entry for entry in data["services"] if "source_date" in entry]


def test_every_mail_program_added_from_a_lead_names_the_page_read_and_when():
    entries = entries_added_from_leads()
    assert len(entries) == 8
    for entry in entries:
        assert entry["source_url"].startswith(("https://", "http://"))
        assert "read 2026-12-03" in entry["source_date"]


def remote_services_found(client, near: str, service: str) -> dict[str, str]:
    response = client.get(f"/api/v1/search?near={near}&service={service}")
    assert response.status_code == 200
    return {hit["service"]["name"]: hit["serves"] for hit in response.get_json()["remote_services"]}


def test_a_naloxone_search_in_a_state_shows_that_states_mail_program_and_no_other(client, session):
    load_remote_services(session)
    session.commit()

    seattle = remote_services_found(client, "98101", "naloxone")
    phra = "Free naloxone by mail anywhere in Washington State (People's Harm Reduction Alliance)"
    assert seattle[phra] == "WA"
    assert (
        seattle["NEXT Distro: free naloxone (and syringes where it operates) by mail"]
        == "nationwide"
    )
    assert not any("Ohio" in name or "Texas" in name for name in seattle)
    portland = remote_services_found(client, "97201", "naloxone")
    assert phra not in portland
    assert (
        portland["NEXT Distro: free naloxone (and syringes where it operates) by mail"]
        == "nationwide"
    )
    houston = remote_services_found(client, "77002", "naloxone")
    assert houston["Free naloxone shipped to your home in Texas (Naloxone Texas)"] == "TX"


def test_a_syringe_services_search_anywhere_points_to_national_pointers(client, session):
    load_remote_services(session)
    session.commit()

    anchorage = remote_services_found(client, "99501", "syringe_services")
    assert anchorage == {
        "NASEN directory of syringe services programs": "nationwide",
        "NEXT Distro: free naloxone (and syringes where it operates) by mail": "nationwide",
    }

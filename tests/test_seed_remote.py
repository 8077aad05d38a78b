"""National hotlines and mail-order services load once, with nationwide reach and sources."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from directory.models import Revision, Service, ServiceArea
from directory.seeding.remote import REMOTE_SERVICES_PATH, load_remote_services


def test_remote_services_reach_the_whole_country_by_their_channels(session):
    assert load_remote_services(session) == 7
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
    assert session.scalar(select(func.count()).select_from(ServiceArea)) == 13


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

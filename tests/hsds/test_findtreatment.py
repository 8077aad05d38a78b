"""`flask import findtreatment`: FindTreatment.gov exportsAsJson/v2 responses."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from directory.extensions import db
from directory.hsds.findtreatment_codes import term_codes
from directory.models import Location, Revision, Service, Source, SourceRecord

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "findtreatment"
SAMPLE = SAMPLE / "findtreatment_locator_sample_30rows_2019.json"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_sample_response_becomes_thirty_listings_with_their_source(runner):
    result = runner.invoke(args=["import", "findtreatment", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "30 new, 0 changed, 0 unchanged" in result.output
    assert count(Location) == count(Service) == count(SourceRecord) == 30
    source = db.session.scalar(select(Source))
    assert source.name == "FindTreatment.gov (SAMHSA)"
    assert {loc.source_id for loc in db.session.scalars(select(Location))} == {source.id}


def test_services_are_tagged_with_our_taxonomy(runner):
    runner.invoke(args=["import", "findtreatment", str(SAMPLE)])
    mohr = db.session.scalar(select(Location).where(Location.name == "Mohr Center"))
    assert mohr.address.postal_code == "22902"
    assert mohr.timezone == "America/New_York"
    [service] = mohr.services
    codes = {attribute.taxonomy_term.code for attribute in service.attributes}
    assert {"treatment", "residential_treatment", "medicaid", "sliding_scale"} <= codes
    assert service.url == "http://www.regionten.org"


def test_reimporting_the_same_file_changes_nothing(runner):
    runner.invoke(args=["import", "findtreatment", str(SAMPLE)])
    revisions = count(Revision)
    again = runner.invoke(args=["import", "findtreatment", str(SAMPLE)])
    assert "0 new, 0 changed, 30 unchanged" in again.output
    assert count(Revision) == revisions
    assert count(Location) == 30


def test_a_changed_facility_is_updated_with_a_revision(runner, tmp_path):
    runner.invoke(args=["import", "findtreatment", str(SAMPLE)])
    document = json.loads(SAMPLE.read_text())
    document["rows"][0]["phone"] = "434-555-0100"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    result = runner.invoke(args=["import", "findtreatment", str(changed)])
    assert "0 new, 1 changed, 29 unchanged" in result.output
    mohr = db.session.scalar(select(Location).where(Location.name == "Mohr Center"))
    assert "434-555-0100" in [phone.number for phone in mohr.phones]
    latest = db.session.scalars(
        select(Revision).where(Revision.entity_id == mohr.id).order_by(Revision.created_at)
    ).all()[-1]
    assert latest.actor_type == "source"
    assert "phones" in latest.changes


def test_codes_and_item_texts_map_onto_the_taxonomy():
    codes, languages = term_codes(
        [
            {"f2": "OT", "f3": "Buprenorphine used in Treatment; Methadone maintenance"},
            {"f2": "PAY", "f3": "Medicaid; Medicare; Private health insurance"},
            {"f2": "SET", "f3": "Outpatient; Residential"},
            {"f2": "OL", "f3": "Spanish"},
            {"f2": "BU", "f3": ""},
            {"f2": "X", "f3": "NU; DT; SS"},
        ]
    )
    assert codes >= {"buprenorphine", "methadone", "naltrexone", "medicaid", "medicare"}
    assert codes >= {"private_insurance", "outpatient_treatment", "residential_treatment"}
    assert codes >= {"withdrawal_management", "sliding_scale"}
    assert languages == {"es"}
    assert term_codes([{"f2": "SP", "f3": "Spanish"}])[1] == {"es"}
    assert term_codes([{"f2": "LANG", "f3": "SP"}])[1] == {"es"}


def test_rows_without_an_address_are_reported_and_nothing_is_imported(runner, tmp_path):
    document = json.loads(SAMPLE.read_text())
    document["rows"][3]["zip"] = ""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    result = runner.invoke(args=["import", "findtreatment", str(broken)])
    assert result.exit_code == 1
    assert "rows[4]: zip:" in result.output
    assert count(Location) == 0

"""Services with no door to walk into: hotlines, directories and mail-order programs.

They come from ``seed/remote_services.json`` and reach people by phone, text, online or mail, so
each gets service areas instead of a location: nationwide, or, when the entry names
``service_areas`` (state codes), only those states — a state's own mail program is shown to a
search in that state and nowhere else. Loading is idempotent: a service is rewritten (with a
revision) only when its seed entry changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.config import PROJECT_ROOT
from directory.models import (
    Attribute,
    Language,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    Source,
    SourceRecord,
    TaxonomyTerm,
)
from directory.operations import Actor, apply_changes, record_creation

REMOTE_SERVICES_PATH = PROJECT_ROOT / "seed" / "remote_services.json"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"


def _source(session: Session, meta: dict[str, Any]) -> Source:
    source = session.scalar(select(Source).where(Source.code == meta["code"]))
    values = {
        "name": meta["name"],
        "vintage": meta["vintage"],
        "url": meta["url"],
        "as_of_date": date.fromisoformat(meta["as_of_date"]),
        "licence": meta["licence"],
    }
    if source is None:
        source = Source(code=meta["code"], **values)
        session.add(source)
    else:
        for field, value in values.items():
            setattr(source, field, value)
    session.flush()
    return source


def _organization(session: Session, name: str, source: Source) -> Organization:
    organization = session.scalar(
        select(Organization).where(Organization.name == name, Organization.source_id == source.id)
    )
    if organization is None:
        organization = Organization(name=name, source=source)
        session.add(organization)
    return organization


def _fill_details(
    session: Session, service: Service, entry: dict[str, Any], terms: dict[str, TaxonomyTerm]
) -> None:
    """Replace the service's areas, phones, languages, hours and tags with the seed entry's."""
    if service.id is not None:
        # The old rows must be gone before equal new ones are inserted (unique constraints).
        for collection in ("attributes", "service_areas", "phones", "languages", "schedules"):
            getattr(service, collection).clear()
        session.flush()
    service.attributes = [
        Attribute(taxonomy_term=terms[code]) for code in entry["categories"] + entry["attributes"]
    ]
    states = entry.get("service_areas")
    service.service_areas = (
        [
            ServiceArea(extent_type="state", code=state, reach=reach)
            for state in states
            for reach in entry["reach"]
        ]
        if states
        else [
            ServiceArea(extent_type="nationwide", code=None, reach=reach)
            for reach in entry["reach"]
        ]
    )
    service.phones = [Phone(**phone) for phone in entry["phones"]]
    service.languages = [
        Language(code=code, name=LANGUAGE_NAMES.get(code)) for code in entry["languages"]
    ]
    service.schedules = (
        [Schedule(byday=ALL_DAYS, opens_at=time(0), closes_at=time(0))]
        if entry["hours"] == "24/7"
        else []
    )


def load_remote_services(session: Session, path: Path = REMOTE_SERVICES_PATH) -> int:
    """Create or refresh the national remote services; returns how many changed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    source = _source(session, data["source"])
    actor = Actor("source", source.code, source.id)
    terms = {term.code: term for term in session.scalars(select(TaxonomyTerm))}
    known = select(SourceRecord).where(SourceRecord.source_id == source.id)
    records = {record.external_key: record for record in session.scalars(known)}
    changed = 0
    for entry in data["services"]:
        row_hash = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
        record = records.get(entry["key"])
        if record is not None and record.row_hash == row_hash:
            continue
        values = {
            "name": entry["name"],
            "description": entry["description"],
            "url": entry["url"],
            "fees_description": entry.get("fees_description"),
            "status": "active",
        }
        if record is None or record.service_id is None:
            service = Service(
                organization=_organization(session, entry["organization"], source),
                source=source,
                **values,
            )
            _fill_details(session, service, entry, terms)
            session.add(service)
            session.flush()
            record_creation(session, service, actor, source_url=entry["source_url"])
            session.add(
                SourceRecord(
                    source_id=source.id,
                    external_key=entry["key"],
                    service_id=service.id,
                    row_hash=row_hash,
                )
            )
        else:
            service = session.get(Service, record.service_id)
            apply_changes(session, service, values, actor, reason="seed entry changed")
            _fill_details(session, service, entry, terms)
            record.row_hash = row_hash
        changed += 1
    session.flush()
    return changed

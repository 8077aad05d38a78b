"""Importing FindTreatment.gov ``locator/exportsAsJson/v2`` responses (SAMHSA's treatment
locator): one location and one treatment service per facility, tagged with our taxonomy.

Each row's services are ``{f1: category name, f2: category code, f3: "item; item; …"}``; the
items are matched by their text (and SAMHSA's short service codes such as ``BU`` or ``MD`` are
understood too), following the FindTreatment.gov API guide v1.9 (January 2025). Rows are keyed by
their ``frid`` (or, without one, by name and address), so importing the same file again changes
nothing, and a changed row updates its listing with a revision. The mapping of SAMHSA's items
and codes onto our taxonomy is in ``findtreatment_codes.py``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import timezone_for
from directory.hsds.findtreatment_codes import SERVICE_NAMES, term_codes
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Source,
    SourceRecord,
    TaxonomyTerm,
)
from directory.operations import Actor, apply_changes, record_creation, record_revision
from directory.validation import text_problem

SOURCE_CODE = "findtreatment"


class RowSchema(Schema):
    """One facility of the response; blank strings count as missing."""

    class Meta:
        unknown = EXCLUDE

    frid = fields.String(load_default=None)
    name1 = fields.String(required=True, validate=validate.Length(min=1, max=255))
    name2 = fields.String(load_default=None, allow_none=True)
    street1 = fields.String(required=True, validate=validate.Length(min=1, max=255))
    street2 = fields.String(load_default=None, allow_none=True)
    city = fields.String(required=True)
    state = fields.String(required=True, validate=validate.Length(equal=2))
    zip = fields.String(required=True, validate=validate.Regexp(r"^\d{5}(-?\d{4})?$"))
    phone = fields.String(load_default=None, allow_none=True)
    intake1 = fields.String(load_default=None, allow_none=True)
    hotline1 = fields.String(load_default=None, allow_none=True)
    website = fields.String(load_default=None, allow_none=True)
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    typeFacility = fields.String(load_default=None, allow_none=True)
    type_facility = fields.String(load_default=None, allow_none=True)
    services = fields.List(fields.Dict(), load_default=list)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _blank_to_missing(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value not in ("", None)}


def external_key(row: dict[str, Any]) -> str:
    if row.get("frid"):
        return row["frid"]
    identity = "|".join(str(row.get(k) or "") for k in ("name1", "name2", "street1", "city", "zip"))
    return "addr:" + hashlib.sha256(identity.lower().encode()).hexdigest()


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def website(value: str | None) -> str | None:
    if not value:
        return None
    return value if value.startswith(("http://", "https://")) else f"http://{value}"


class Importer:
    def __init__(self, session: Session, source: Source) -> None:
        self.session = session
        self.source = source
        self.actor = Actor("source", source.name, source.id)
        self.terms = {term.code: term for term in session.scalars(select(TaxonomyTerm))}
        self.records = {
            record.external_key: record
            for record in session.scalars(
                select(SourceRecord).where(SourceRecord.source_id == source.id)
            )
        }
        self.organizations: dict[str, Organization] = {
            org.name: org
            for org in session.scalars(
                select(Organization).where(Organization.source_id == source.id)
            )
        }

    def with_parents(self, codes: set[str]) -> list[TaxonomyTerm]:
        """The terms for ``codes`` and their parent categories, in taxonomy order."""
        terms: dict[str, TaxonomyTerm] = {}
        for code in codes:
            term = self.terms.get(code)
            while term is not None:
                terms[term.code] = term
                term = term.parent
        return sorted(terms.values(), key=lambda term: (term.sort_order, term.code))

    def organization(self, name: str) -> Organization:
        organization = self.organizations.get(name)
        if organization is None:
            organization = Organization(name=name, source_id=self.source.id)
            self.session.add(organization)
            self.session.flush()
            record_creation(self.session, organization, self.actor)
            self.organizations[name] = organization
        return organization

    def location_values(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": row.get("name2") or row["name1"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "precision": "exact",
            "timezone": timezone_for(row["latitude"], row["longitude"], row["state"], row["zip"]),
            "source_id": self.source.id,
        }

    def service_values(self, row: dict[str, Any], codes: set[str]) -> dict[str, Any]:
        kind = (row.get("typeFacility") or row.get("type_facility") or "").upper()
        name = SERVICE_NAMES.get(kind) or ("Treatment" if "treatment" in codes else "Services")
        return {"name": name, "url": website(row.get("website")), "source_id": self.source.id}

    def apply(self, row: dict[str, Any]) -> str:
        """Create or update the row's listing; returns "created", "updated" or "unchanged"."""
        key, digest = external_key(row), row_hash(row)
        record = self.records.get(key)
        if record is not None and record.row_hash == digest:
            return "unchanged"
        codes, languages = term_codes(row.get("services", []))
        organization = self.organization(row["name1"])
        parts = self.parts(row, codes, languages)
        if record is None:
            location = Location(organization=organization, **self.location_values(row))
            location.address = Address(**parts["address"])
            service = Service(organization=organization, **self.service_values(row, codes))
            self.session.add_all([location, service])
            self.set_parts(location, service, parts)
            self.session.flush()
            record_creation(self.session, location, self.actor, **self.describe(location, service))
            record_creation(self.session, service, self.actor, categories=sorted(codes))
            record = SourceRecord(
                source_id=self.source.id,
                external_key=key,
                location_id=location.id,
                service_id=service.id,
                row_hash=digest,
            )
            self.session.add(record)
            self.records[key] = record
            return "created"
        location = self.session.get(Location, record.location_id)
        service = self.session.get(Service, record.service_id)
        apply_changes(self.session, location, self.location_values(row), self.actor)
        apply_changes(self.session, service, self.service_values(row, codes), self.actor)
        before = self.describe(location, service)
        for name, value in parts["address"].items():
            setattr(location.address, name, value)
        self.set_parts(location, service, parts)
        self.session.flush()
        after = self.describe(location, service)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            record_revision(
                self.session,
                entity_type="location",
                entity_id=location.id,
                action="update",
                changes=changed,
                actor=self.actor,
            )
        record.row_hash = digest
        return "updated"

    def parts(self, row: dict[str, Any], codes: set[str], languages: set[str]) -> dict[str, Any]:
        phones = [
            (row.get("phone"), "voice", None),
            (row.get("intake1"), "voice", "Intake"),
            (row.get("hotline1"), "hotline", None),
        ]
        return {
            "address": {
                "address_1": row["street1"],
                "address_2": row.get("street2"),
                "city": row["city"],
                "state_province": row["state"].upper(),
                "postal_code": row["zip"][:5],
            },
            "phones": [(number, kind, note) for number, kind, note in phones if number],
            "terms": self.with_parents(codes),
            "languages": sorted(languages),
        }

    def set_parts(self, location: Location, service: Service, parts: dict[str, Any]) -> None:
        location.phones = [
            Phone(number=number[:32], type=kind, description=note)
            for number, kind, note in parts["phones"]
        ]
        location.languages = [Language(code=code) for code in parts["languages"]]
        current = {a.taxonomy_term_id: a for a in service.attributes}
        service.attributes = [
            current.get(term.id) or Attribute(taxonomy_term=term) for term in parts["terms"]
        ]
        if not any(link.location is location for link in service.location_links):
            service.location_links.append(ServiceAtLocation(location=location))

    @staticmethod
    def describe(location: Location, service: Service) -> dict[str, Any]:
        address = location.address
        return {
            "address": [address.address_1, address.address_2, address.city, address.postal_code]
            if address
            else None,
            "phones": [[p.number, p.type, p.description] for p in location.phones],
            "languages": [language.code for language in location.languages],
            "categories": sorted(a.taxonomy_term.code for a in service.attributes),
        }


def source_for(session: Session, file: Path) -> Source:
    source = session.scalar(select(Source).where(Source.code == SOURCE_CODE))
    if source is None:
        source = Source(
            code=SOURCE_CODE,
            name="FindTreatment.gov (SAMHSA)",
            url="https://findtreatment.gov",
            licence="US government work, public domain",
        )
        session.add(source)
    source.vintage = file.name[:64]
    session.flush()
    return source


def import_file(session: Session, file: Path) -> Report:
    """Validate every row of ``file``, then apply them all (flushed; the caller commits)."""
    report = Report()
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.errors.append(f"{file.name}: not a JSON document ({error})")
        return report
    except RecursionError:
        report.errors.append(f"{file.name}: JSON nested too deeply to be an exportsAsJson/v2 file")
        return report
    raw_rows = document.get("rows") if isinstance(document, dict) else None
    if not isinstance(raw_rows, list):
        report.errors.append(f"{file.name}: no 'rows' list: not an exportsAsJson/v2 response")
        return report
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        # Text no database can hold (a NUL byte, a lone surrogate) is the row's error, not a crash.
        for name, value in sorted(raw.items() if isinstance(raw, dict) else []):
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                report.errors.append(f"rows[{number}]: {name}: {problem}")
        try:
            rows.append(RowSchema().load(_blank_to_missing(raw if isinstance(raw, dict) else {})))
        except ValidationError as error:
            for name, messages in sorted(error.normalized_messages().items()):
                report.errors.append(f"rows[{number}]: {name}: {'; '.join(map(str, messages))}")
    if report.errors:
        return report
    importer = Importer(session, source_for(session, file))
    for row in rows:
        outcome = importer.apply(row)
        setattr(report, outcome, getattr(report, outcome) + 1)
    session.flush()
    return report

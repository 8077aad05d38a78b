"""Running one declarative source against the database: create, merge, update, archive.

Each row has a stable external key (a SourceRecord) and a hash of what it says, so a second run
over the same file changes nothing. A new row becomes a location, unless the directory already
has that place (see :mod:`directory.sources.matching`), in which case the source's service is
added to it. Every change is a revision attributed to the source. Nothing here commits: the
command commits once per run, or rolls back for a dry run.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Source,
    SourceRecord,
    TaxonomyTerm,
    utcnow,
)
from directory.operations import Actor
from directory.sources import retire, sync
from directory.sources.batch import Batch
from directory.sources.matching import Candidate, Match, MatchIndex, normalize
from directory.sources.report import ImportReport
from directory.sources.rows import (
    LOCATION_FIELDS,
    ROUND_THE_CLOCK,
    SourceRow,
    address_values,
    read_rows,
    service_values,
)
from directory.sources.spec import SourceSpec, SpecError, load_spec


@dataclass
class ExistingRecord:
    id: uuid.UUID
    location_id: uuid.UUID | None
    service_id: uuid.UUID | None
    row_hash: str
    archived_at: datetime | None


def run_sources(
    session: Session, specs: list[SourceSpec], *, now: datetime | None = None
) -> list[ImportReport]:
    """Run several sources in order, sharing one match index (built once, not per source)."""
    now = now or utcnow()
    index: MatchIndex | None = None
    reports = []
    for spec in specs:
        run = SourceRun(session, spec, now, index)
        reports.append(run.run())
        index = run.index_if_built
    superseded = retire.apply_supersession(session, specs, now)
    if superseded is not None:
        reports.append(superseded)
    reports.append(retire.apply_closures(session, retire.load_closures(), now))
    return reports


def run_source(
    session: Session, spec: SourceSpec, *, dry_run: bool = False, now: datetime | None = None
) -> ImportReport:
    """Bring the directory in line with the spec's file; returns what was done.

    Raises SourceFileError (nothing written) when the file cannot be read at all.
    """
    now = now or utcnow()
    report = SourceRun(session, spec, now, dry_run=dry_run).run()
    retire.apply_closures(session, retire.load_closures(), now)
    return report


class SourceRun:
    """One pass of one source over the database, buffering its inserts in a Batch."""

    def __init__(
        self,
        session: Session,
        spec: SourceSpec,
        now: datetime,
        index: MatchIndex | None = None,
        *,
        dry_run: bool = False,
    ):
        self.session = session
        self.spec = spec
        self.report = ImportReport(source=spec.code, dry_run=dry_run)
        self.now = now
        self.actor = Actor("source", spec.code)
        self.batch = Batch(self.actor, now)
        self.index_if_built = index
        # Taxonomy codes each of this source's services should carry, from the rows seen.
        self.desired_terms: dict[uuid.UUID, set[str]] = defaultdict(set)
        self.new_services: dict[uuid.UUID, dict] = {}
        # Each location's (number, extension) pairs, loaded when a spec with phones creates.
        self.phone_numbers: dict[uuid.UUID, set[tuple[str, str | None]]] | None = None

    def run(self) -> ImportReport:
        started = time.perf_counter()
        # Read and check everything before the first write: a bad file writes nothing at all.
        result = read_rows(self.spec)
        self.term_ids = self._term_ids()
        self.source = upsert_source(self.session, self.spec, self.now)
        report = self.report
        report.read, report.skipped, report.errors = result.read, result.skipped, result.errors
        report.duplicate_keys = result.duplicate_keys
        report.zip_from_coordinates = sum(row.zip_from_coordinates for row in result.rows)
        report.unknown_codes = result.unknown_codes
        self.import_rows(result.rows)
        report.seconds = time.perf_counter() - started
        return report

    @property
    def index(self) -> MatchIndex:
        """Every open location, by name+address and by place (loaded on first need)."""
        if self.index_if_built is None:
            self.index_if_built = build_match_index(self.session)
        self.index_if_built.source_codes[self.source.id] = self.spec.code
        for name in self.spec.supersedes:
            # A superseded extract no longer shipped has no points to lend.
            shipped = (self.spec.folder / f"{name}.toml").is_file()
            if shipped and name not in self.index_if_built.lenders:
                self.index_if_built.lenders.add(name)
                for row in read_rows(load_spec(name, self.spec.folder)).rows:
                    self.index_if_built.add(reference_candidate(row))
        return self.index_if_built

    def import_rows(self, rows: list[SourceRow]) -> None:
        records = self._records()
        new_rows: list[tuple[SourceRow, ExistingRecord | None]] = []
        changed: list[tuple[SourceRow, ExistingRecord]] = []
        for row in rows:
            existing = records.pop(row.key, None)
            if existing is None or existing.location_id is None or existing.service_id is None:
                new_rows.append((row, existing))
                continue
            self.desired_terms[existing.service_id] |= row.terms
            if existing.row_hash == row.row_hash and existing.archived_at is None:
                self.report.unchanged += 1
            else:
                changed.append((row, existing))
        if new_rows:
            self._create(new_rows)
        sync.update_changed(self, changed)
        sync.archive_gone(self, [r for r in records.values() if r.archived_at is None])
        sync.sync_terms(self)
        self.batch.write(self.session)
        if self.report.created or self.report.updated or self.report.archived:
            self.source.imported_at = self.now
        self.session.flush()

    def _records(self) -> dict[str, ExistingRecord]:
        query = select(
            SourceRecord.external_key,
            SourceRecord.id,
            SourceRecord.location_id,
            SourceRecord.service_id,
            SourceRecord.row_hash,
            SourceRecord.archived_at,
        ).where(SourceRecord.source_id == self.source.id)
        return {key: ExistingRecord(*rest) for key, *rest in self.session.execute(query)}

    def _term_ids(self) -> dict[str, uuid.UUID]:
        term_ids = dict(self.session.execute(select(TaxonomyTerm.code, TaxonomyTerm.id)).all())
        unknown = self.spec.all_terms - set(term_ids)
        if unknown:
            raise SpecError(f"{self.spec.name}.toml: unknown taxonomy codes {sorted(unknown)}")
        return term_ids

    def _create(self, rows: list[tuple[SourceRow, ExistingRecord | None]]) -> None:
        index = self.index
        source_codes = index.source_codes
        services_here = self._services_by_location()
        organizations = self._organizations()
        # The services cut from one facility's row go to the location its first service found.
        facilities: dict[str, Candidate] = {}
        if self.spec.phones:
            self._load_phone_numbers()
        for row, stale_record in rows:
            values = row.values
            organization_name = str(values.get("organization_name") or values["name"])
            facility = row.key.removesuffix(f"|{row.group}") if row.group else row.key
            same = facilities.get(facility)
            match = (
                Match(same, "the same row")
                if same is not None
                else index.find(
                    str(values["name"]),
                    str(values["address_1"]),
                    str(values["city"]),
                    str(values["postal_code"]),
                    float(values["latitude"]),  # type: ignore[arg-type]
                    float(values["longitude"]),  # type: ignore[arg-type]
                    str(values["precision"]),
                    organization_name,
                )
            )
            placed_at = None
            if match is not None and match.candidate.id is None:
                # Only a geocoded row of a superseded extract: a new location, at its point
                # unless the row pins its own door.
                placed_at, match = match.candidate, None
            if match is not None:
                location_id = match.candidate.id
                organization_id = match.candidate.organization_id
                facilities[facility] = match.candidate
                into = source_codes.get(match.candidate.source_id, "a listing with no source")
                if not row.group:
                    self.report.note_merge(
                        into,
                        f"line {row.line} {values['name']!r}, {values['address_1']} → "
                        f"{match.candidate.name!r}, {match.candidate.address_1} "
                        f"({into}; {match.how})",
                    )
                if same is None:
                    self._add_phones(row, location_id)
            else:
                organization_id = organizations.get(organization_name) or self._organization(
                    row, organizations
                )
                location_id = self._location(row, organization_id, placed_at)
                facilities[facility] = self._candidate(row, location_id, organization_id)
                index.add(facilities[facility])
                if placed_at is not None:
                    # The lender's entry in the index becomes this location.
                    placed_at.id, placed_at.organization_id = location_id, organization_id
                    placed_at.source_id = self.source.id
                    self.report.placed_at_geocoded_rows += 1
                self.report.created += 1
            service_id = services_here.get((location_id, row.group))
            if service_id is None:
                service_id = self._service(row, organization_id, location_id)
                services_here[location_id, row.group] = service_id
            self.desired_terms[service_id] |= row.terms
            self._record(row, stale_record, location_id, service_id)

    def _services_by_location(self) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
        """The source's open service at each location, by the part of a row it comes from
        (a spec that cuts rows into several services keys each by its group)."""
        query = (
            select(ServiceAtLocation.location_id, Service.id, SourceRecord.external_key)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .join(SourceRecord, SourceRecord.service_id == Service.id, isouter=True)
            .where(Service.source_id == self.source.id, Service.archived_at.is_(None))
        )
        groups = {cut.key for cut in self.spec.codes.cuts} if self.spec.codes else set()
        found: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
        for location_id, service_id, key in self.session.execute(query):
            group = (key or "").rsplit("|", 1)[-1]
            found.setdefault((location_id, group if group in groups else ""), service_id)
        return found

    def _load_phone_numbers(self) -> None:
        self.phone_numbers = defaultdict(set)
        query = select(Phone.location_id, Phone.number, Phone.extension).where(
            Phone.location_id.is_not(None)
        )
        for owner, number, extension in self.session.execute(query):
            self.phone_numbers[owner].add((number, extension))

    def _add_phones(self, row: SourceRow, location_id: uuid.UUID) -> None:
        """A row merged into a listed place adds the phones the place lacks."""
        if not row.values.get("phones") or self.phone_numbers is None:
            return
        have = self.phone_numbers[location_id]
        lacking = []
        for number, extension, description in row.values["phones"]:  # type: ignore[union-attr]
            if (number, extension) not in have:
                have.add((number, extension))
                lacking.append((number, extension, description))
        self._write_phones(location_id, lacking)

    def _write_phones(self, location_id: uuid.UUID, phones) -> None:
        """The location's (number, extension, description) lines, as voice phones."""
        for number, extension, description in phones:
            self.batch.add(
                Phone,
                location_id=location_id,
                number=number,
                extension=extension,
                type="voice",
                description=description,
            )

    def _organizations(self) -> dict[str, uuid.UUID]:
        query = select(Organization.name, Organization.id).where(
            Organization.source_id == self.source.id
        )
        return dict(self.session.execute(query).all())

    def _organization(self, row: SourceRow, organizations: dict[str, uuid.UUID]) -> uuid.UUID:
        values = {
            "name": row.values.get("organization_name") or row.values["name"],
            "website": row.values.get("website"),
            "is_partner": False,
            "source_id": self.source.id,
        }
        organization_id = self.batch.add_timestamped(Organization, **values)
        self.batch.creation("organization", organization_id, values)
        organizations[str(values["name"])] = organization_id
        return organization_id

    def _location(
        self, row: SourceRow, organization_id: uuid.UUID, placed_at: Candidate | None = None
    ) -> uuid.UUID:
        values = {field: row.values.get(field) for field in LOCATION_FIELDS}
        if placed_at is not None and values["precision"] == "approximate":
            values |= {
                "latitude": placed_at.latitude,
                "longitude": placed_at.longitude,
                "precision": placed_at.precision,
            }
        values |= {
            "organization_id": organization_id,
            "location_type": "physical",
            # A placeholder street ("- - -") is an address the publisher withholds.
            "confidential": not normalize(str(row.values["address_1"])),
            "source_id": self.source.id,
        }
        location_id = self.batch.add_timestamped(Location, **values)
        address = address_values(row)
        self.batch.add(
            Address, location_id=location_id, country="US", address_type="physical", **address
        )
        phone = row.values.get("phone")
        if phone:
            self.batch.add(Phone, location_id=location_id, number=phone, type="voice")
        phones = row.values.get("phones") or []
        self._write_phones(location_id, phones)
        if self.phone_numbers is not None:
            self.phone_numbers[location_id] |= {(p[0], p[1]) for p in phones}  # type: ignore[index]
        listed = {"phone": phone} if phone else {"phones": phones or None}
        self.batch.creation("location", location_id, values | address | listed)
        return location_id

    def _candidate(
        self, row: SourceRow, location_id: uuid.UUID, organization_id: uuid.UUID
    ) -> Candidate:
        values = row.values
        return Candidate(
            id=location_id,
            organization_id=organization_id,
            name=str(values["name"]),
            address_1=str(values["address_1"]),
            city=str(values["city"]),
            postal_code=str(values["postal_code"]),
            latitude=float(values["latitude"]),  # type: ignore[arg-type]
            longitude=float(values["longitude"]),  # type: ignore[arg-type]
            precision=str(values["precision"]),
            source_id=self.source.id,
            organization_name=str(values.get("organization_name") or values["name"]),
        )

    def _service(
        self, row: SourceRow, organization_id: uuid.UUID, location_id: uuid.UUID
    ) -> uuid.UUID:
        values = {
            "organization_id": organization_id,
            "name": self.spec.service_name,
            "status": "active",
            "source_id": self.source.id,
        } | service_values(row)
        service_id = self.batch.add_timestamped(Service, **values)
        self.batch.add_timestamped(
            ServiceAtLocation, service_id=service_id, location_id=location_id
        )
        languages = row.values.get("languages") or []
        for code, name in languages:  # type: ignore[union-attr]
            self.batch.add(Language, service_id=service_id, code=code, name=name)
        self.new_services[service_id] = values | {"location_id": location_id}
        if row.values.get("open_24_7"):
            self.batch.add(Schedule, service_id=service_id, **ROUND_THE_CLOCK)
            self.new_services[service_id]["open_24_7"] = True
        if languages:
            self.new_services[service_id]["languages"] = [code for code, _ in languages]
        return service_id

    def _record(
        self,
        row: SourceRow,
        stale: ExistingRecord | None,
        location_id: uuid.UUID,
        service_id: uuid.UUID,
    ) -> None:
        if stale is None:
            self.batch.add(
                SourceRecord,
                source_id=self.source.id,
                external_key=row.key,
                location_id=location_id,
                service_id=service_id,
                row_hash=row.row_hash,
                archived_at=None,
            )
            return
        # Its listing was deleted outright: the row comes back as a new listing.
        record = self.session.get_one(SourceRecord, stale.id)
        record.location_id, record.service_id = location_id, service_id
        record.row_hash, record.archived_at = row.row_hash, None


def reference_candidate(row: SourceRow) -> Candidate:
    """A geocoded row of a superseded extract: a point to lend, not a listing (no id yet)."""
    values = row.values
    return Candidate(
        id=None,  # type: ignore[arg-type]
        organization_id=None,  # type: ignore[arg-type]
        name=str(values["name"]),
        address_1=str(values["address_1"]),
        city=str(values["city"]),
        postal_code=str(values["postal_code"]),
        latitude=float(values["latitude"]),  # type: ignore[arg-type]
        longitude=float(values["longitude"]),  # type: ignore[arg-type]
        precision=str(values["precision"]),
        source_id=None,
        organization_name=str(values.get("organization_name") or values["name"]),
    )


def build_match_index(session: Session) -> MatchIndex:
    index = MatchIndex()
    query = (
        select(
            Location.id,
            Location.organization_id,
            Location.name,
            Address.address_1,
            Address.city,
            Address.postal_code,
            Location.latitude,
            Location.longitude,
            Location.precision,
            Location.source_id,
            Organization.name,
        )
        .join(Address, Address.location_id == Location.id)
        .join(Organization, Organization.id == Location.organization_id)
        .where(Location.archived_at.is_(None), Location.latitude.is_not(None))
    )
    for fields in session.connection().execute(query):
        index.add(Candidate(*fields))
    index.source_codes.update(session.connection().execute(select(Source.id, Source.code)).all())
    return index


def upsert_source(session: Session, spec: SourceSpec, now: datetime) -> Source:
    values = {
        "name": spec.title,
        "vintage": spec.vintage,
        "url": spec.url,
        "as_of_date": spec.as_of_date,
        "licence": spec.licence,
    }
    source = session.scalar(select(Source).where(Source.code == spec.code))
    if source is None:
        source = Source(code=spec.code, synthetic=False, imported_at=now, **values)
        session.add(source)
    else:
        for field, value in values.items():
            if getattr(source, field) != value:
                setattr(source, field, value)
    session.flush()
    return source

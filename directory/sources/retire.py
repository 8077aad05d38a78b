"""Listings the sources themselves cannot retire: places known closed, and superseded extracts.

Both run after every source, on each load, and archive (never delete) with the reason in the
revision; what they archived stays archived on the next load, because a source only restores a
listing whose own row had disappeared and came back.

- ``seed/sources/closures.csv`` names chains and places known closed (Rite Aid closed all its
  stores in 2025), with the date and the page that says so.
- A spec may say it ``supersedes`` older sources (SAMHSA's 2023/2024 National Directories
  supersede the 2020–22 locator extracts), which are then no longer loaded. In a directory that
  loaded them before, once every superseding source has been imported, the older sources'
  services are archived — "superseded" where a newer directory lists the place (the location
  lives on, keeping its geocoded coordinates), "no longer listed" where none does.
"""

from __future__ import annotations

import csv
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.models import Address, Location, Service, ServiceAtLocation, Source
from directory.operations import Actor, to_json_value
from directory.sources.batch import Batch
from directory.sources.report import ImportReport
from directory.sources.spec import SOURCES_DIR, SourceSpec, SpecError

CLOSURES_FILE = SOURCES_DIR / "closures.csv"
_CHUNK = 500


@dataclass(frozen=True)
class Closure:
    """A chain or place known closed: locations whose name matches (in the state or ZIP)."""

    name_pattern: re.Pattern[str]
    state: str | None
    postal_code: str | None
    closed_on: date
    citation_url: str
    reason: str

    def covers(self, name: str, state: str, postal_code: str) -> bool:
        if self.state and self.state != state:
            return False
        if self.postal_code and self.postal_code != postal_code[:5]:
            return False
        return self.name_pattern.search(name) is not None

    @property
    def revision_reason(self) -> str:
        closed_on = self.closed_on.isoformat()
        return f"closed: {self.reason} (closed by {closed_on}; {self.citation_url})"


def load_closures(path: Path = CLOSURES_FILE) -> list[Closure]:
    """``name_pattern,state,postal_code,closed_on,citation_url,reason``; a regular expression
    on the listing's name, matched without case."""
    if not path.is_file():
        return []
    closures = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                closures.append(
                    Closure(
                        name_pattern=re.compile(row["name_pattern"], re.IGNORECASE),
                        state=row["state"].strip().upper() or None,
                        postal_code=row["postal_code"].strip() or None,
                        closed_on=date.fromisoformat(row["closed_on"].strip()),
                        citation_url=row["citation_url"].strip(),
                        reason=row["reason"].strip(),
                    )
                )
            except (KeyError, ValueError, re.error) as error:
                raise SpecError(f"{path.name} line {line}: {error}") from error
            if not closures[-1].citation_url.startswith("https://"):
                raise SpecError(f"{path.name} line {line}: a closure needs the page saying so")
    return closures


def apply_closures(session: Session, closures: list[Closure], now: datetime) -> ImportReport:
    """Archive every open location a closure covers, with its open services."""
    report = ImportReport(source="closures")
    if not closures:
        return report
    query = (
        select(Location.id, Location.name, Address.state_province, Address.postal_code)
        .join(Address, Address.location_id == Location.id)
        .where(Location.archived_at.is_(None))
    )
    closed: dict[uuid.UUID, str] = {}
    for location_id, name, state, postal_code in session.execute(query):
        for closure in closures:
            if closure.covers(name, state, postal_code or ""):
                closed[location_id] = closure.revision_reason
                break
    batch = Batch(Actor("source", "closures"), now)
    services = _open_services(session, set(closed))
    _archive(session, batch, Service, "service", {s: closed[at] for s, at in services.items()})
    _archive(session, batch, Location, "location", closed)
    batch.write(session)
    report.archived = len(closed)
    return report


def apply_supersession(
    session: Session, specs: list[SourceSpec], now: datetime
) -> ImportReport | None:
    """Retire what newer sources replace, once all of them are in.

    A ``supersedes`` source's services are all archived: "superseded" where a newer source
    lists the place, "no longer listed" elsewhere. A ``replaces`` source (still loaded: a list
    the newer ones do not wholly cover) loses its service only where a newer source lists the
    place; elsewhere its service stays, its description saying the newer list lacks it.
    """
    newer = [spec for spec in specs if spec.supersedes or spec.replaces]
    if not newer:
        return None
    codes = dict(session.execute(select(Source.code, Source.id)).all())
    if any(spec.code not in codes for spec in newer):
        return None  # a newer directory is not imported yet: nothing can be judged
    wholly = {code for spec in newer for code in spec.supersedes if code in codes}
    partly = {code for spec in newer for code in spec.replaces if code in codes}
    if not wholly and not partly:
        return None
    titles = " and ".join(f"{spec.title} {spec.vintage}" for spec in newer)
    old_services = _services_of(session, [codes[code] for code in wholly | partly])
    report = ImportReport(source="superseded SAMHSA extracts")
    listed = set(
        session.scalars(
            select(ServiceAtLocation.location_id)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .where(
                Service.source_id.in_([codes[spec.code] for spec in newer]),
                Service.archived_at.is_(None),
            )
        )
    )
    kept_ids = {codes[code] for code in partly}
    superseded = f"superseded by {titles}, which lists this place"
    gone = f"not in {titles}: SAMHSA no longer lists this place"
    not_listed = f"Not in {titles}: call to check it still runs."
    reasons, unlisted = {}, []
    for service_id, (location_id, source_id, description) in old_services.items():
        if location_id in listed:
            reasons[service_id] = superseded
        elif source_id not in kept_ids:
            reasons[service_id] = gone
        elif not_listed not in (description or ""):
            unlisted.append((service_id, description))
    batch = Batch(Actor("source", "supersession"), now)
    _archive(session, batch, Service, "service", reasons)
    emptied = {old_services[service_id][0] for service_id in reasons} - listed
    still_open = set(_open_services(session, emptied).values())
    _archive(session, batch, Location, "location", dict.fromkeys(emptied - still_open, gone))
    for service_id, description in unlisted:
        noted = f"{description or ''} {not_listed}".strip()
        session.execute(
            update(Service)
            .where(Service.id == service_id)
            .values(description=noted, last_modified=now)
            .execution_options(synchronize_session=False)
        )
        batch.revision("service", service_id, "update", {"description": [description, noted]})
    batch.write(session)
    report.archived, report.updated = len(reasons), len(unlisted)
    return report


def _services_of(
    session: Session, source_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str | None]]:
    """The sources' open services: id → (location id, source id, description)."""
    query = (
        select(Service.id, ServiceAtLocation.location_id, Service.source_id, Service.description)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .where(Service.source_id.in_(source_ids), Service.archived_at.is_(None))
    )
    return {service_id: rest for service_id, *rest in session.execute(query)}  # type: ignore[misc]


def _open_services(session: Session, location_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Open services at these locations: service id → location id."""
    found: dict[uuid.UUID, uuid.UUID] = {}
    ids = list(location_ids)
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(Service.id, ServiceAtLocation.location_id)
            .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
            .where(
                ServiceAtLocation.location_id.in_(ids[start : start + _CHUNK]),
                Service.archived_at.is_(None),
            )
        )
        found.update(session.execute(query).all())
    return found


def _archive(
    session: Session, batch: Batch, model: type, entity_type: str, reasons: dict[uuid.UUID, str]
) -> None:
    ids = list(reasons)
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(model)
            .where(model.id.in_(ids[start : start + _CHUNK]))  # type: ignore[attr-defined]
            .values(archived_at=batch.now)
            .execution_options(synchronize_session=False)
        )
    for entity_id, reason in reasons.items():
        changes = {"archived_at": [None, to_json_value(batch.now)]}
        batch.revision(entity_type, entity_id, "archive", changes, reason=reason)

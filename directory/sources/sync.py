"""Bringing existing listings in line with a newer file: changed rows, and rows that are gone.

A source updates only what it created, and never a partner's listing (one an organization claimed
and now keeps in the portal): not its place, its services, their terms, nor archiving them when a
row is gone. A row merged into another source's location changes nothing but its own service.
A row missing from the newer file is archived, never deleted; its service is archived once none
of its rows remain, and its location once no service there is left. Each of the source's
services carries exactly the taxonomy terms its rows name.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from directory.models import (
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    SourceRecord,
    TaxonomyTerm,
)
from directory.operations import apply_changes, record_revision, to_json_value
from directory.sources.rows import (
    LOCATION_FIELDS,
    ROUND_THE_CLOCK,
    SourceRow,
    address_values,
    service_values,
)

if TYPE_CHECKING:
    from directory.sources.importer import ExistingRecord, SourceRun

_CHUNK = 500  # ids per IN (…), well under every database's parameter limit


def update_changed(run: SourceRun, changed: list[tuple[SourceRow, ExistingRecord]]) -> None:
    for row, existing in changed:
        record = run.session.get_one(SourceRecord, existing.id)
        location = run.session.get_one(Location, existing.location_id)
        service = run.session.get_one(Service, existing.service_id)
        if record.archived_at is not None:
            record.archived_at = None
            _restore(run, service, "service")
            _restore(run, location, "location")
            run.report.restored += 1
        else:
            run.report.updated += 1
        record.row_hash = row.row_hash
        if service.source_id == run.source.id and not service.organization.is_partner:
            apply_changes(run.session, service, service_values(row), run.actor)
            if "open_24_7" in run.spec.fields:
                _set_round_the_clock(run, service, bool(row.values.get("open_24_7")))
        if location.source_id != run.source.id or location.organization.is_partner:
            continue
        values = {field: row.values.get(field) for field in LOCATION_FIELDS}
        if values["precision"] == "approximate" and location.precision != "approximate":
            # A ZIP centre never replaces a real point (one lent by a superseded extract).
            for field in ("latitude", "longitude", "precision"):
                values.pop(field)
        changes = _set_fields(location, values)
        if location.address is not None:
            changes |= _set_fields(location.address, address_values(row))
        changes |= _set_phone(location, row.values.get("phone"))
        if changes:
            record_revision(
                run.session,
                entity_type="location",
                entity_id=location.id,
                action="update",
                changes=changes,
                actor=run.actor,
            )
    run.session.flush()


def archive_gone(run: SourceRun, gone: list[ExistingRecord]) -> None:
    if not gone:
        return
    for chunk in _chunks([record.id for record in gone]):
        run.session.execute(
            update(SourceRecord).where(SourceRecord.id.in_(chunk)).values(archived_at=run.now)
        )
    run.report.archived += len(gone)
    service_ids = {record.service_id for record in gone if record.service_id}
    still_listed: set[uuid.UUID] = set()
    for chunk in _chunks(list(service_ids)):
        still_listed |= set(
            run.session.scalars(
                select(SourceRecord.service_id).where(
                    SourceRecord.service_id.in_(chunk), SourceRecord.archived_at.is_(None)
                )
            )
        )
    location_ids: set[uuid.UUID] = set()
    for service_id in service_ids - still_listed - partner_services(run):
        service = run.session.get_one(Service, service_id)
        if service.archived_at is None:
            _archive(run, service, "service")
        location_ids |= {link.location_id for link in service.location_links}
    run.session.flush()
    for location_id in location_ids:
        open_services = run.session.scalar(
            select(Service.id)
            .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
            .where(ServiceAtLocation.location_id == location_id, Service.archived_at.is_(None))
            .limit(1)
        )
        location = run.session.get_one(Location, location_id)
        if location.organization.is_partner:
            continue
        if open_services is None and location.archived_at is None:
            _archive(run, location, "location")
            if run.index_if_built is not None:
                run.index_if_built.forget({location.id})
    run.session.flush()


def _archive(run: SourceRun, entity: Any, entity_type: str) -> None:
    entity.archived_at = run.now
    record_revision(
        run.session,
        entity_type=entity_type,
        entity_id=entity.id,
        action="archive",
        changes={"archived_at": [None, to_json_value(run.now)]},
        actor=run.actor,
        reason=f"no longer in {run.spec.code}",
    )


def _restore(run: SourceRun, entity: Any, entity_type: str) -> None:
    if entity.archived_at is None:
        return
    changes = {"archived_at": [to_json_value(entity.archived_at), None]}
    entity.archived_at = None
    record_revision(
        run.session,
        entity_type=entity_type,
        entity_id=entity.id,
        action="restore",
        changes=changes,
        actor=run.actor,
        reason=f"back in {run.spec.code}",
    )


def _set_fields(entity: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(entity, field)
        if old != new:
            changes[field] = [to_json_value(old), to_json_value(new)]
            setattr(entity, field, new)
    return changes


def _set_phone(location: Location, number: Any) -> dict[str, list[Any]]:
    old = location.phones[0].number if location.phones else None
    if old == number:
        return {}
    if number is None:
        location.phones.remove(location.phones[0])
    elif location.phones:
        location.phones[0].number = number
    else:
        location.phones.append(Phone(number=number, type="voice"))
    return {"phone": [old, number]}


def _set_round_the_clock(run: SourceRun, service: Service, wanted: bool) -> None:
    """Give the service the all-week schedule its source's open_24_7 flag asks for, or take
    it away; its other schedules are left alone."""
    byday, opens_at, closes_at = (ROUND_THE_CLOCK[k] for k in ("byday", "opens_at", "closes_at"))
    have = [
        schedule
        for schedule in service.schedules
        if (schedule.byday, schedule.opens_at, schedule.closes_at) == (byday, opens_at, closes_at)
    ]
    if wanted == bool(have):
        return
    if wanted:
        service.schedules.append(Schedule(**ROUND_THE_CLOCK))
    else:
        for schedule in have:
            service.schedules.remove(schedule)
    record_revision(
        run.session,
        entity_type="service",
        entity_id=service.id,
        action="update",
        changes={"open_24_7": [not wanted, wanted]},
        actor=run.actor,
    )


def partner_services(run: SourceRun) -> set[uuid.UUID]:
    """The source's services that a partner organization now keeps (a claimed listing)."""
    return set(
        run.session.scalars(
            select(Service.id)
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.source_id == run.source.id, Organization.is_partner.is_(True))
        )
    )


def _chunks(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def sync_terms(run: SourceRun) -> None:
    """Give each of the source's services exactly the taxonomy terms its rows name."""
    query = (
        select(Attribute.service_id, TaxonomyTerm.code)
        .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
        .join(Service, Service.id == Attribute.service_id)
        .where(Service.source_id == run.source.id)
    )
    current: dict[uuid.UUID, set[str]] = defaultdict(set)
    for service_id, code in run.session.execute(query):
        current[service_id].add(code)
    kept_by_partners = partner_services(run)
    for service_id, wanted in run.desired_terms.items():
        if service_id in kept_by_partners:
            continue
        have = current.get(service_id, set())
        for code in sorted(wanted - have):
            run.batch.add(Attribute, service_id=service_id, taxonomy_term_id=run.term_ids[code])
        created = run.new_services.get(service_id)
        if created is not None:
            run.batch.creation("service", service_id, created | {"categories": sorted(wanted)})
            continue
        if wanted == have:
            continue
        extra = [run.term_ids[code] for code in have - wanted]
        if extra:
            run.session.execute(
                delete(Attribute).where(
                    Attribute.service_id == service_id,
                    Attribute.taxonomy_term_id.in_(extra),
                )
            )
        run.batch.revision(
            "service", service_id, "update", {"categories": [sorted(have), sorted(wanted)]}
        )

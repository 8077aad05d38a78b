"""Applying a validated HSDS data package: new records and their parts (address, phones, hours,
languages, accessibility, service areas, cost options, taxonomy tags, service locations)
inserted with one statement per table, each with its creation revision; records already in the
directory updated field by field, their parts replaced as a whole when they differ, each change
a revision. The national package (about 700,000 rows) imports in minutes, not an hour.

Part rows keep their ids, so exporting what was imported gives the same package back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from directory.geo import timezone_for, zip_centroid
from directory.hsds import areas
from directory.hsds.batches import chunks, existing_ids, insert_rows
from directory.hsds.mapping import PHONE_TYPE_FROM_HSDS, STATUS_FROM_HSDS
from directory.models import Address, Location, Organization, Service, Source
from directory.operations import Actor, apply_changes, record_revision
from directory.operations.revisions import record_creations, to_json_value
from directory.queries.changes import everything_changed

if TYPE_CHECKING:
    from directory.hsds.package_import import Package

PARTS = {
    # record model → (table, column pointing at the record, relationship attribute)
    Organization: (),
    Location: (
        ("phones", "location_id", "phones"),
        ("schedules", "location_id", "schedules"),
        ("languages", "location_id", "languages"),
        ("accessibility", "location_id", "accessibility"),
    ),
    Service: (
        ("phones", "service_id", "phones"),
        ("schedules", "service_id", "schedules"),
        ("languages", "service_id", "languages"),
        ("service_areas", "service_id", "service_areas"),
        ("cost_options", "service_id", "cost_options"),
        ("attributes", "link_id", "attributes"),
        ("service_at_locations", "service_id", "location_links"),
    ),
}
OWN_COLUMNS = {
    "organizations": ("name", "alternate_name", "description", "email", "website"),
    "locations": (
        "location_type",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "timezone",
        "precision",
        "position_description",
        "confidential",
        "front_door",
        "assured_date",
    ),
    "services": (
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "assured_date",
    ),
}
PRELOAD_BATCH = 500
RECORDS = (("organizations", Organization), ("locations", Location), ("services", Service))
PART_TABLES = (
    "phones",
    "schedules",
    "languages",
    "accessibility",
    "service_areas",
    "cost_options",
    "attributes",
    "service_at_locations",
)
# Our column defaults for extension columns an outside package leaves empty.
DEFAULTS = {"precision": "exact", "confidential": False, "location_type": "physical"}


class Applier:
    """Writes a checked package: new records and their parts with one insert per table (and
    their creation revisions likewise), records already in the directory field by field
    through the ORM, a batch at a time."""

    def __init__(self, package: Package, source: Source) -> None:
        self.package = package
        self.session = package.session
        self.source = source
        self.actor = Actor("source", source.name, source.id)
        self.parts: dict[str, dict[uuid.UUID, list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for table_name in PART_TABLES:
            for _, row in package.rows(table_name):
                for column in package.tables[table_name].table.parents:
                    if row.get(column) is not None:
                        self.parts[f"{table_name}.{column}"][row[column]].append(row)
        self.addresses = {row["location_id"]: row for _, row in package.rows("addresses")}

    def apply(self) -> None:
        """New records first, so an updated record may link to one; their parts last, after
        the updates gave up any part the package moves to a new record."""
        new: dict[str, list[dict[str, Any]]] = {}
        for table_name, model in RECORDS:
            rows = [row for _, row in self.package.rows(table_name)]
            known = existing_ids(self.session, model, [row["id"] for row in rows])
            new[table_name] = [
                self.values(table_name, row) for row in rows if row["id"] not in known
            ]
            insert_rows(self.session, model.__table__, new[table_name])
            self.package.report.created[table_name] += len(new[table_name])
            for batch in chunks([row for row in rows if row["id"] in known], PRELOAD_BATCH):
                self.update_batch(table_name, model, batch)
        self.session.flush()
        self.create_parts(new)
        if any(new.values()):
            # The inserts bypass the unit of work that tells the search what changed.
            everything_changed(self.session)

    def update_batch(self, table_name: str, model: type, rows: list[dict[str, Any]]) -> None:
        existing = self.existing(model, [row["id"] for row in rows])
        updated = []
        for row in rows:
            record = existing[row["id"]]
            before = self.part_snapshots(record)
            changed = apply_changes(self.session, record, self.values(table_name, row), self.actor)
            self.set_parts(record)
            updated.append((record, before, changed))
        # Parts get their defaults in the flush, so they are compared after it.
        self.session.flush()
        for record, before, changed in updated:
            after = self.part_snapshots(record)
            part_changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if part_changes:
                record_revision(
                    self.session,
                    entity_type=table_name.removesuffix("s"),
                    entity_id=record.id,
                    action="update",
                    changes=part_changes,
                    actor=self.actor,
                )
            if changed or part_changes:
                self.package.report.updated[table_name] += 1

    def existing(self, model: type, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """The package's records already in the directory, with their parts, in one query per
        part rather than several per record."""
        loaders = [selectinload(getattr(model, attribute)) for _, _, attribute in PARTS[model]]
        if model is Location:
            loaders.append(selectinload(Location.address))
        statement = select(model).where(model.id.in_(ids)).options(*loaders)
        return {record.id: record for record in self.session.scalars(statement)}

    def values(self, table_name: str, row: dict[str, Any]) -> dict[str, Any]:
        values = {column: row.get(column) for column in OWN_COLUMNS[table_name]}
        for column, default in DEFAULTS.items():
            if column in values and values[column] is None:
                values[column] = default
        if table_name == "services":
            values["status"] = STATUS_FROM_HSDS.get(values["status"], values["status"])
        if table_name == "locations" and not values["timezone"]:
            values["timezone"] = self.timezone(row)
        return values | {"id": row["id"], "source_id": self.source.id}

    def timezone(self, row: dict[str, Any]) -> str:
        address = self.addresses.get(row["id"]) or {}
        state, postal = address.get("state_province"), address.get("postal_code")
        lat, lng = row.get("latitude"), row.get("longitude")
        if lat is None and postal and (centroid := zip_centroid(postal)):
            lat, lng = centroid.lat, centroid.lng
        if lat is None:
            return "America/New_York"
        return timezone_for(lat, lng, state, postal)

    def create_parts(self, new: dict[str, list[dict[str, Any]]]) -> None:
        """Insert the parts of the new records, and the records' creation revisions (every
        field, parts included, as ``record_creation`` writes them)."""
        inserts: dict[type, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
        for table_name, model in RECORDS:
            created = [
                (record, self.new_parts(model, record, inserts)) for record in new[table_name]
            ]
            record_creations(self.session, model, created, self.actor)
        for part_model, rows in inserts.items():
            insert_rows(self.session, part_model.__table__, list(rows.values()))

    def new_parts(self, model: type, record: dict[str, Any], inserts: dict) -> dict[str, Any]:
        """Add a new record's parts to ``inserts``; returns them as its revision shows them."""
        owner = f"{model.__name__.lower()}_id"
        snapshots: dict[str, Any] = {}
        for table_name, column, attribute in PARTS[model]:
            relationship = getattr(model, attribute).property
            part_model = relationship.mapper.class_
            [(_, link)] = relationship.local_remote_pairs
            parts = []
            for row in self.parts[f"{table_name}.{column}"].get(record["id"], []):
                values = self.part_values(table_name, row) | {"id": row["id"]}
                parts.append(_values_snapshot(part_model, values, owner))
                # A row with two owners (a phone of a place and of its service) is one part.
                inserts[part_model].setdefault(row["id"], values)[link.key] = record["id"]
            snapshots[attribute] = sorted(parts, key=lambda part: part["id"])
        if model is Location and (address := self.addresses.get(record["id"])) is not None:
            inserts[Address][address["id"]] = dict(address)
            snapshots["address"] = _values_snapshot(Address, address, owner)
        return snapshots

    def part_snapshots(self, record: Any) -> dict[str, Any]:
        # The column pointing back at the record is implied, and unset until the first flush.
        owner = f"{type(record).__name__.lower()}_id"
        snapshots = {
            attribute: sorted(
                (_part_snapshot(part, owner) for part in getattr(record, attribute)),
                key=lambda part: part["id"],
            )
            for _, _, attribute in PARTS[type(record)]
        }
        if isinstance(record, Location):
            address = record.address
            snapshots["address"] = _part_snapshot(address, owner) if address else None
        return snapshots

    def set_parts(self, record: Any) -> None:
        for table_name, column, attribute in PARTS[type(record)]:
            rows = self.parts[f"{table_name}.{column}"].get(record.id, [])
            self.replace_parts(record, attribute, table_name, rows)
        if isinstance(record, Location):
            self.set_address(record)

    def set_address(self, location: Location) -> None:
        row = self.addresses.get(location.id)
        if row is None:
            location.address = None
            return
        values = {k: v for k, v in row.items() if k not in ("id", "location_id")}
        if location.address is None or location.address.id != row["id"]:
            location.address = Address(id=row["id"], **values)
            return
        for key, value in values.items():
            if getattr(location.address, key) != value:
                setattr(location.address, key, value)

    def replace_parts(self, record: Any, attribute: str, table_name: str, rows: list) -> None:
        """Make ``record.<attribute>`` exactly the package's rows, keeping ids."""
        model = getattr(type(record), attribute).property.mapper.class_
        current = {part.id: part for part in getattr(record, attribute)}
        wanted = {row["id"]: self.part_values(table_name, row) for row in rows}
        collection = getattr(record, attribute)
        for part_id, part in current.items():
            if part_id not in wanted:
                collection.remove(part)
        for part_id, values in wanted.items():
            part = current.get(part_id)
            if part is None:
                collection.append(model(id=part_id, **values))
                continue
            for key, value in values.items():
                if getattr(part, key) != value:
                    setattr(part, key, value)

    def part_values(self, table_name: str, row: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in row.items() if k != "id"}
        if table_name == "attributes":
            term = self.package.terms[values.pop("taxonomy_term_id")]
            return {"taxonomy_term_id": term.id, "value": values.get("value")}
        if table_name == "service_areas":
            # HSDS's extent_type is the extent's format; our kind of area is read from it.
            area = areas.area_from_hsds(values)
            return {
                "extent_type": area.kind,
                "code": area.code,
                "reach": values.get("reach") or "phone",
                "description": values.get("description"),
            }
        if table_name == "schedules":
            values["freq"] = values.get("freq") or "WEEKLY"
        if table_name == "phones":
            # Our own type when the package is our export, else the nearest to HSDS's.
            official = PHONE_TYPE_FROM_HSDS.get(values.get("type") or "voice", "voice")
            values["type"] = values.pop("directory_type", None) or official
        if table_name == "cost_options":
            values["currency"] = values.get("currency") or "USD"
        # Owner columns are set by the relationship the part is appended to.
        for owner in self.package.tables[table_name].table.parents:
            values.pop(owner, None)
        return values


def _part_snapshot(part: Any, owner: str) -> dict[str, Any]:
    return _values_snapshot(
        type(part), {key: getattr(part, key) for key in _keys(type(part))}, owner
    )


def _values_snapshot(model: type, values: dict[str, Any], owner: str) -> dict[str, Any]:
    """A part as its record's revision shows it (the column back to the record is implied)."""
    return {key: to_json_value(values.get(key)) for key in _keys(model) if key != owner}


def _keys(model: type) -> list[str]:
    return [
        column.key
        for column in inspect(model).column_attrs
        if column.key not in ("created_at", "last_modified")
    ]

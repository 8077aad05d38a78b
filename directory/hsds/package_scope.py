"""Whose records an HSDS package import may touch.

An import runs for one organization (``--org``) or one source (``--source``, by default the
package's own name, so a plain ``flask import hsds PATH`` keeps to what that package brought).
A package may create records, and change records already in the directory only when they are
in its scope: the organization's own records, or records that came from the same source. It
never moves a record to another organization. ``--allow-reassign`` lifts both rules, for an
operator who means it; every record it lets through is logged.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from directory.models import Location, Organization, Service, Source

if TYPE_CHECKING:
    from directory.hsds.package_import import Package

logger = logging.getLogger(__name__)

RECORDS = (("organizations", Organization), ("locations", Location), ("services", Service))
BATCH = 500


@dataclass(frozen=True)
class Scope:
    """One organization (by id) or one source (by name; None: the package's own name), and
    the operator's override."""

    organization_id: uuid.UUID | None = None
    source_name: str | None = None
    allow_reassign: bool = False

    def describe(self, source_name: str) -> str:
        if self.organization_id is not None:
            return f"organization {self.organization_id} (--org)"
        return f"source {source_name!r}"


@dataclass(frozen=True)
class Current:
    """What the directory holds now for a record the package names."""

    organization_id: uuid.UUID
    source_id: uuid.UUID | None


def current_records(package: Package, model: type, ids: list[uuid.UUID]) -> dict[Any, Current]:
    owner = model.id if model is Organization else model.organization_id
    found = {}
    for start in range(0, len(ids), BATCH):
        statement = select(model.id, owner, model.source_id).where(
            model.id.in_(ids[start : start + BATCH])
        )
        found.update(
            {row[0]: Current(row[1], row[2]) for row in package.session.execute(statement)}
        )
    return found


class ScopeCheck:
    """Reports every row of the package that reaches outside ``scope``."""

    def __init__(self, package: Package, scope: Scope, source: Source | None) -> None:
        self.package = package
        self.scope = scope
        self.source_id = source.id if source is not None else None
        self.overridden: list[str] = []

    def run(self) -> list[str]:
        """Check every record row; returns what ``--allow-reassign`` let through."""
        for table_name, model in RECORDS:
            rows = self.package.rows(table_name)
            current = current_records(self.package, model, [row["id"] for _, row in rows])
            for line, row in rows:
                self.check_record(table_name, line, row, current.get(row["id"]))
        self.check_links()
        for entry in self.overridden:
            logger.warning("HSDS import with --allow-reassign: %s", entry)
        return self.overridden

    def from_this_source(self, current: Current) -> bool:
        # Before its first import a source has no records: nothing is "from" it yet.
        return self.source_id is not None and current.source_id == self.source_id

    def refuse(self, table: str, line: int, field: str, reason: str) -> None:
        if self.scope.allow_reassign:
            self.overridden.append(f"{table} line {line}: {reason}")
        else:
            self.package.error(table, line, field, f"{reason} (--allow-reassign to permit)")

    def check_record(self, table: str, line: int, row: dict, current: Current | None) -> None:
        owner = row["id"] if table == "organizations" else row.get("organization_id")
        org = self.scope.organization_id
        if org is not None and owner != org:
            self.refuse(table, line, "organization_id", f"belongs to {owner}, not {org} (--org)")
            return
        if current is None:
            return
        if org is not None and current.organization_id != org:
            self.refuse(table, line, "id", f"this record belongs to {current.organization_id}")
        elif org is None and not self.from_this_source(current):
            self.refuse(table, line, "id", "this record comes from another source")
        elif table != "organizations" and owner != current.organization_id:
            self.refuse(
                table,
                line,
                "organization_id",
                f"would move this record from {current.organization_id} to {owner}",
            )

    def check_links(self) -> None:
        """A service may be linked only to places of the package or in its scope: linking
        another organization's place would change what that place lists."""
        in_package = {row["id"] for _, row in self.package.rows("locations")}
        links = self.package.rows("service_at_locations")
        outside = [row["location_id"] for _, row in links if row["location_id"] not in in_package]
        current = current_records(self.package, Location, outside)
        for line, row in links:
            place = current.get(row["location_id"])
            if place is None:
                continue
            org = self.scope.organization_id
            if (org is not None and place.organization_id != org) or (
                org is None and not self.from_this_source(place)
            ):
                self.refuse(
                    "service_at_locations", line, "location_id", "a place outside this import"
                )

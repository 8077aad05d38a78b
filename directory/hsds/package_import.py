"""Importing an HSDS 3.0 tabular data package: validate every row, then apply all or nothing.

Every row of every table is checked (types, required fields, allowed values, the records it
points at, whose records it touches: ``package_scope.py``) and each problem is reported with
its file, line and field; only a package without any problem is applied (``package_apply.py``).
The package is read within limits (``package.read_package``), so a zip bomb is refused, and a
file that is not UTF-8 or not CSV is a reported problem, never a traceback.

Rows are matched to existing records by id, so importing the same package twice changes
nothing. Every listing touched records the package as its source ("HSDS import from <name>",
the ``--source`` name or else the package's), and every change is a revision by that source.

Taxonomy terms are matched to ours by code (or id); the package cannot change our taxonomy.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import validation
from directory.hsds import areas
from directory.hsds.batches import existing_ids
from directory.hsds.extensions import extension_rows
from directory.hsds.foreign import Foreign, check_link_entity
from directory.hsds.package import PackageError, read_package
from directory.hsds.package_apply import Applier
from directory.hsds.package_scope import Scope, ScopeCheck
from directory.hsds.tables import TABLES, Table, cell_checks
from directory.models import (
    Location,
    Organization,
    Service,
    Source,
    TaxonomyTerm,
)


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    name: str
    errors: list[RowError] = field(default_factory=list)
    # What was imported without something HSDS lets a row go without (the import goes on).
    warnings: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # What --allow-reassign let through, one line per row, for the operator's log.
    overridden: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


FIELD_TYPES = {
    "string": fields.String,
    "uuid": fields.UUID,
    "number": fields.Float,
    "boolean": fields.Boolean,
    "date": fields.Date,
    "time": fields.Time,
}


def row_schema(table: Table) -> Schema:
    """A marshmallow schema for one CSV row of ``table``; unknown columns are ignored."""
    declared = {}
    for column in table.columns:
        options: dict[str, Any] = {"required": column.required}
        checks = cell_checks(table, column)
        if column.choices:
            checks.insert(0, validate.OneOf(column.choices))
        if checks:
            options["validate"] = checks
        if not column.required:
            options["load_default"] = None
        declared[column.name] = FIELD_TYPES[column.type](**options)
    return Schema.from_dict(declared, name=f"{table.name}_row")(unknown="exclude")


@dataclass
class Rows:
    """Valid rows of one table, each with its line number."""

    table: Table
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def decode_files(raw: dict[str, bytes], report: ImportReport) -> dict[str, str]:
    """Each file's text; a file that is not UTF-8 is reported at the line of its first bad
    byte (and left out), not raised."""
    files = {}
    for name, data in raw.items():
        try:
            files[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            byte = data[error.start : error.start + 1].hex()
            reason = f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8"
            report.errors.append(RowError(name, line, "-", reason))
    return files


def read_descriptor(files: dict[str, str], report: ImportReport) -> dict[str, Any]:
    text = files.get("datapackage.json")
    if text is None:
        report.errors.append(RowError("datapackage.json", 0, "-", "missing or unreadable"))
        return {}
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as error:
        report.errors.append(RowError("datapackage.json", error.lineno, "-", error.msg))
        return {}
    if not isinstance(meta, dict):
        report.errors.append(RowError("datapackage.json", 1, "-", "not a JSON object"))
        return {}
    return meta


def parse_tables(files: dict[str, str], report: ImportReport) -> dict[str, Rows]:
    parsed: dict[str, Rows] = {}
    for table in TABLES:
        text = files.get(table.path)
        if text is None:
            continue
        reader = csv.DictReader(io.StringIO(text, newline=""))
        schema = row_schema(table)
        rows = Rows(table)
        try:
            extended = extension_rows(files.get(table.extension_path))
            for raw in reader:
                present = {k: v for k, v in raw.items() if k and v not in ("", None)}
                present |= extended.get(present.get("id", ""), {})
                try:
                    loaded = schema.load(present)
                    if problems := validation.hsds_row_problems(table.name, loaded):
                        report.errors.extend(
                            RowError(table.path, reader.line_num, name, message)
                            for name, messages in sorted(problems.items())
                            for message in messages
                        )
                        continue
                    if table.name == "service_areas" and (reason := areas.unplaced(loaded)):
                        report.warnings.append(
                            RowError(table.path, reader.line_num, "extent", reason)
                        )
                        continue
                    rows.rows.append((reader.line_num, loaded))
                except ValidationError as error:
                    for name, messages in sorted(error.normalized_messages().items()):
                        for message in messages if isinstance(messages, list) else [messages]:
                            report.errors.append(
                                RowError(table.path, reader.line_num, name, message)
                            )
        except csv.Error as error:
            # A field over the csv module's limit (128 kB), a broken quote: the rest of
            # the file cannot be read reliably.
            report.errors.append(RowError(table.path, reader.line_num + 1, "-", str(error)))
        parsed[table.name] = rows
    return parsed


class Package:
    """A parsed, cross-checked package, ready to apply."""

    def __init__(
        self,
        session: Session,
        tables: dict[str, Rows],
        report: ImportReport,
        term_map: dict[str, TaxonomyTerm] | None = None,
    ) -> None:
        self.session = session
        self.tables = tables
        self.report = report
        self.foreign = Foreign(self, term_map or {})
        self.terms = self._term_map()
        # Each location's first service's organization, once a location needs it.
        self.service_organizations: dict[uuid.UUID, uuid.UUID] | None = None

    def rows(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        return self.tables[name].rows if name in self.tables else []

    def error(self, table: str, line: int, name: str, reason: str) -> None:
        path = self.tables[table].table.path if table in self.tables else f"{table}.csv"
        self.report.errors.append(RowError(path, line, name, reason))

    def warning(self, table: str, line: int, name: str, reason: str) -> None:
        path = self.tables[table].table.path if table in self.tables else f"{table}.csv"
        self.report.warnings.append(RowError(path, line, name, reason))

    def _term_map(self) -> dict[uuid.UUID, TaxonomyTerm]:
        """The package's taxonomy term ids → our terms, matched by id, else by code within our
        taxonomy; any other term is another taxonomy's, kept as it came (``foreign.py``)."""
        ours = list(self.session.scalars(select(TaxonomyTerm)))
        by_id = {term.id: term for term in ours}
        by_code = {term.code: term for term in ours}
        mapped = dict(by_id)
        for _line, row in self.rows("taxonomy_terms"):
            term = by_id.get(row["id"])
            if term is None and self.foreign.is_ours(row):
                term = by_code.get(row["code"] or "")
            if term is None:
                self.foreign.keep(row)
            else:
                mapped[row["id"]] = term
        return mapped

    def exists(self, model: type, value: uuid.UUID) -> bool:
        return value in self.known[model]

    def check_references(self) -> None:
        """Every id a row points at exists in the package or in the directory. A missing record
        is an error where HSDS requires the link, and a warning where HSDS lets the field be
        empty: the row is imported without the link, or left out when nothing owns it then."""
        self.known = {
            model: {row["id"] for _, row in self.rows(name)}
            for name, model in (
                ("organizations", Organization),
                ("locations", Location),
                ("services", Service),
            )
        }
        for column, model in REFERENCES.items():
            elsewhere = {
                row[column]
                for rows in self.tables.values()
                for _, row in rows.rows
                if row.get(column) is not None and row[column] not in self.known[model]
            }
            self.known[model] |= existing_ids(self.session, model, elsewhere)
        for table_name, rows in self.tables.items():
            kept = []
            for line, row in rows.rows:
                if self.check_row(table_name, rows.table, line, row):
                    kept.append((line, row))
            rows.rows = kept

    def check_row(self, table_name: str, table: Table, line: int, row: dict[str, Any]) -> bool:
        """Check one row's links; returns whether the row is kept."""
        if table_name == "attributes":
            return self.check_attribute(line, row)
        if table_name == "taxonomy_terms":
            if row["id"] not in self.terms and not self.foreign.taxonomy_exists(
                row.get("taxonomy_id")
            ):
                self.warning(table_name, line, "taxonomy_id", "no such taxonomy; kept without")
            return True
        dangling = []
        for column, model in REFERENCES.items():
            value = row.get(column)
            if value is None or self.exists(model, value):
                continue
            if (table_name, column) in REQUIRED_LINKS:
                self.error(table_name, line, column, f"no such record: {value}")
            else:
                dangling.append(column)
        for column in dangling:
            row[column] = None
        if table_name == "locations" and "organization_id" in dangling:
            return self.adopt_location(line, row)
        owners = [row.get(column) for column in table.parents]
        if table.parents and not any(owners):
            if dangling:
                reason = f"no such record: {', '.join(dangling)}; left out (nothing owns it)"
                self.warning(table_name, line, dangling[0], reason)
                return False
            self.error(table_name, line, table.parents[0], "needs an owner")
            return True
        for column in dangling:
            self.warning(table_name, line, column, "no such record; imported without the link")
        return True

    def adopt_location(self, line: int, row: dict[str, Any]) -> bool:
        """A location whose organization is missing (HSDS lets a location have none) belongs to
        the organization of a service offered there; the directory needs one for each place."""
        if self.service_organizations is None:
            services = {r["id"]: r["organization_id"] for _, r in self.rows("services")}
            self.service_organizations = {}
            for _, link in self.rows("service_at_locations"):
                if link["service_id"] in services:
                    organization = services[link["service_id"]]
                    self.service_organizations.setdefault(link["location_id"], organization)
        if (organization := self.service_organizations.get(row["id"])) is not None:
            row["organization_id"] = organization
            reason = "no such record; the location belongs to its services' organization"
            self.warning("locations", line, "organization_id", reason)
            return True
        self.error(
            "locations",
            line,
            "organization_id",
            "no such record, and no service here names an organization",
        )
        return True

    def check_attribute(self, line: int, row: dict[str, Any]) -> bool:
        if reason := check_link_entity(row["link_entity"]):
            self.warning("attributes", line, "link_entity", reason)
            return False
        term = row["taxonomy_term_id"]
        if term not in self.terms and not self.foreign.knows(term):
            self.error("attributes", line, "taxonomy_term_id", "unknown taxonomy term")
        if not self.foreign.link_exists(row["link_entity"], row["link_id"]):
            self.error("attributes", line, "link_id", f"no such record: {row['link_id']}")
        return True


REFERENCES = {"organization_id": Organization, "location_id": Location, "service_id": Service}
# The links HSDS requires in a tabular package (the schemas' ``tabular_required``); every other
# link may be empty.
REQUIRED_LINKS = frozenset(
    {
        ("services", "organization_id"),
        ("service_at_locations", "service_id"),
        ("service_at_locations", "location_id"),
        ("cost_options", "service_id"),
    }
)


PACKAGE_FILES = frozenset(
    {"datapackage.json", *(table.path for table in TABLES), *(t.extension_path for t in TABLES)}
)


def import_package(
    session: Session,
    path: Path,
    scope: Scope,
    term_map: dict[str, TaxonomyTerm] | None = None,
) -> ImportReport:
    """Validate the package at ``path`` and, when every row is valid and within ``scope``,
    apply it (flushed, not committed: the caller commits once, or rolls back). ``term_map``
    maps foreign taxonomy terms (code or id) onto our categories (``foreign.read_term_map``)."""
    report = ImportReport(name=scope.source_name or path.stem)
    try:
        raw = read_package(path, PACKAGE_FILES)
    except PackageError as error:
        report.errors.append(RowError(path.name, 0, "-", str(error)))
        return report
    files = decode_files(raw, report)
    meta = read_descriptor(files, report)
    if not isinstance(name := meta.get("name"), str) or not name:
        name = path.stem
    report.name = scope.source_name or name
    tables = parse_tables(files, report)
    package = Package(session, tables, report, term_map)
    package.check_references()
    source = existing_source(session, report.name)
    report.overridden = ScopeCheck(package, scope, source).run()
    if not report.ok:
        return report
    source = source or new_source(session, report.name)
    package.foreign.split_attributes()
    Applier(package, source).apply()
    package.foreign.apply(source)
    return report


def _source_code(name: str) -> str:
    return f"hsds:{name}"[:64]


def existing_source(session: Session, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.code == _source_code(name)))


def new_source(session: Session, name: str) -> Source:
    source = Source(code=_source_code(name), name=f"HSDS import from {name}", vintage=None)
    session.add(source)
    session.flush()
    return source

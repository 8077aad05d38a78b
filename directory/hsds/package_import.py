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

from directory.hsds import areas
from directory.hsds.extensions import extension_rows
from directory.hsds.package import PackageError, read_package
from directory.hsds.package_apply import Applier
from directory.hsds.package_scope import Scope, ScopeCheck
from directory.hsds.tables import TABLES, Table
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
        if column.choices:
            options["validate"] = validate.OneOf(column.choices)
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

    def __init__(self, session: Session, tables: dict[str, Rows], report: ImportReport) -> None:
        self.session = session
        self.tables = tables
        self.report = report
        self.terms = self._term_map()

    def rows(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        return self.tables[name].rows if name in self.tables else []

    def error(self, table: str, line: int, name: str, reason: str) -> None:
        path = self.tables[table].table.path if table in self.tables else f"{table}.csv"
        self.report.errors.append(RowError(path, line, name, reason))

    def _term_map(self) -> dict[uuid.UUID, TaxonomyTerm]:
        """The package's taxonomy term ids → our terms, matched by id, else by code."""
        ours = list(self.session.scalars(select(TaxonomyTerm)))
        by_id = {term.id: term for term in ours}
        by_code = {term.code: term for term in ours}
        mapped = dict(by_id)
        for line, row in self.rows("taxonomy_terms"):
            term = by_id.get(row["id"]) or by_code.get(row["code"] or "")
            if term is None:
                self.error("taxonomy_terms", line, "code", f"not in our taxonomy: {row['code']!r}")
            else:
                mapped[row["id"]] = term
        return mapped

    def check_references(self) -> None:
        """Every id a row points at exists in the package or in the directory."""
        known = {
            model: {row["id"] for _, row in self.rows(name)}
            for name, model in (
                ("organizations", Organization),
                ("locations", Location),
                ("services", Service),
            )
        }

        def exists(model: type, value: uuid.UUID) -> bool:
            return value in known[model] or self.session.get(model, value) is not None

        references = {
            "organization_id": Organization,
            "location_id": Location,
            "service_id": Service,
            "link_id": Service,
        }
        for table_name, rows in self.tables.items():
            for line, row in rows.rows:
                for column, model in references.items():
                    value = row.get(column)
                    skip = value is None or table_name == "taxonomy_terms"
                    if not skip and not exists(model, value):
                        self.error(table_name, line, column, f"no such record: {value}")
                if table_name == "attributes" and row["taxonomy_term_id"] not in self.terms:
                    self.error(table_name, line, "taxonomy_term_id", "unknown taxonomy term")
                if table_name in ("phones", "schedules", "languages"):
                    owners = [row.get(c) for c in rows.table.parents]
                    if not any(owners):
                        self.error(table_name, line, rows.table.parents[0], "needs an owner")


PACKAGE_FILES = frozenset(
    {"datapackage.json", *(table.path for table in TABLES), *(t.extension_path for t in TABLES)}
)


def import_package(session: Session, path: Path, scope: Scope) -> ImportReport:
    """Validate the package at ``path`` and, when every row is valid and within ``scope``,
    apply it (flushed, not committed: the caller commits once, or rolls back)."""
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
    package = Package(session, tables, report)
    package.check_references()
    source = existing_source(session, report.name)
    report.overridden = ScopeCheck(package, scope, source).run()
    if not report.ok:
        return report
    Applier(package, source or new_source(session, report.name)).apply()
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

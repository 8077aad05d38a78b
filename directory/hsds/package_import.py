"""Importing an HSDS 3.0 tabular data package: validate every row, then apply all or nothing.

Every row of every table is checked (types, required fields, allowed values, the records it
points at) and each problem is reported with its file, line and field; only a package without
any problem is applied (``package_apply.py``). Rows are matched to existing records by id, so
importing the same package twice changes nothing. Every listing touched records the package as
its source ("HSDS import from <package name>"), and every change is a revision by that source.

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

from directory.hsds.package import read_package
from directory.hsds.package_apply import Applier
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
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))

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


def parse_tables(files: dict[str, str], report: ImportReport) -> dict[str, Rows]:
    parsed: dict[str, Rows] = {}
    for table in TABLES:
        text = files.get(table.path)
        if text is None:
            continue
        reader = csv.DictReader(io.StringIO(text, newline=""))
        schema = row_schema(table)
        rows = Rows(table)
        for raw in reader:
            present = {key: value for key, value in raw.items() if key and value not in ("", None)}
            try:
                rows.rows.append((reader.line_num, schema.load(present)))
            except ValidationError as error:
                for name, messages in sorted(error.normalized_messages().items()):
                    for message in messages if isinstance(messages, list) else [messages]:
                        report.errors.append(RowError(table.path, reader.line_num, name, message))
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


def import_package(session: Session, path: Path) -> ImportReport:
    """Validate the package at ``path`` and, when every row is valid, apply it (flushed, not
    committed: the caller commits once, or rolls back)."""
    files = read_package(path)
    meta = json.loads(files.get("datapackage.json", "{}") or "{}")
    name = meta.get("name") or path.stem
    report = ImportReport(name=name)
    if "datapackage.json" not in files:
        report.errors.append(RowError("datapackage.json", 0, "-", "missing"))
        return report
    tables = parse_tables(files, report)
    package = Package(session, tables, report)
    package.check_references()
    if not report.ok:
        return report
    Applier(package, source_for(session, name)).apply()
    return report


def source_for(session: Session, name: str) -> Source:
    code = f"hsds:{name}"[:64]
    source = session.scalar(select(Source).where(Source.code == code))
    if source is None:
        source = Source(code=code, name=f"HSDS import from {name}", vintage=None)
        session.add(source)
        session.flush()
    return source

"""Updating many locations at once from a partner's CSV file: dry run first, then all or nothing.

Columns (any subset beyond ``name``): ``id`` (blank for a new location), ``name``,
``address_1``, ``address_2``, ``city``, ``state``, ``postal_code``, ``latitude``, ``longitude``,
``timezone`` (IANA, such as ``America/Phoenix``), ``phones`` (separated by ``;``),
``languages`` (``en;es``), ``hours`` (``MO,TU,WE 09:00-17:00; SA 10:00-14:00``),
``description``. A column left out is left alone; an empty cell in a present column clears the
field (except the address, which is kept when all its cells are empty, and the time zone, which
every place has: empty, it stays as the address gives it). Every row is checked by the same
validator as the API's writes (``validation.listing_problems``, through the operations). Rows
are checked and written :data:`BATCH_ROWS` at a time (:func:`run`).

:func:`export_csv` writes an organization's locations in the same columns, for editing in a
spreadsheet and uploading again. A cell a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``, which
spreadsheets show as text; the upload takes that ``'`` off again.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Location, Organization
from directory.operations import listings
from directory.operations.revisions import Actor

MAX_ROWS = 2000
# Rows written in one transaction. 100 held SQLite's write lock up to 3.9 s on a busy machine,
# near the 5 s other writers wait (LOCK_TIMEOUT_MS) before being told the directory is busy.
BATCH_ROWS = 50
ADDRESS_COLUMNS = ("address_1", "address_2", "city", "state", "postal_code")
EXPORT_COLUMNS = (
    "id",
    "name",
    *ADDRESS_COLUMNS,
    *("latitude", "longitude", "timezone", "phones", "languages", "hours", "description"),
)
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KNOWN_COLUMNS = frozenset(
    {"id", "name", "description", "latitude", "longitude", "timezone"}
    | {"phones", "languages", "hours"}
    | set(ADDRESS_COLUMNS)
)


@dataclass
class RowResult:
    line: int
    name: str
    outcome: str  # "new" | "changed" | "unchanged" | "error"
    changes: dict[str, list[Any]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class BulkReport:
    rows: list[RowResult]
    errors: list[str] = field(default_factory=list)
    applied: int = 0  # rows already written when an apply stopped part-way

    @property
    def ok(self) -> bool:
        return not self.errors and all(row.outcome != "error" for row in self.rows)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def _hours(text: str) -> list[dict[str, str]]:
    schedules = []
    for part in text.split(";"):
        if not part.strip():
            continue
        days, _, span = part.strip().partition(" ")
        opens_at, _, closes_at = span.strip().partition("-")
        schedules.append(
            {"byday": days, "opens_at": opens_at.strip(), "closes_at": closes_at.strip()}
        )
    return schedules


def _float(name: str, text: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise listings.ListingError({name: [f"{text!r} is not a number."]}) from None


def row_values(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as a location document (only the columns present)."""
    values: dict[str, Any] = {}
    if "name" in row:
        values["name"] = row["name"].strip()
    if "description" in row:
        values["description"] = row["description"].strip() or None
    # A row whose address cells are all empty keeps the address it has.
    if any((row.get(column) or "").strip() for column in ADDRESS_COLUMNS):
        values["address"] = {column: (row.get(column) or "").strip() for column in ADDRESS_COLUMNS}
        values["address"]["region"] = None
    if "latitude" in row or "longitude" in row:
        lat = _float("latitude", row.get("latitude", ""))
        lng = _float("longitude", row.get("longitude", ""))
        if lat is not None or lng is not None:
            values.update(latitude=lat, longitude=lng)
    if (row.get("timezone") or "").strip():
        values["timezone"] = row["timezone"].strip()
    if "phones" in row:
        values["phones"] = [
            {"number": n.strip(), "type": "voice"} for n in row["phones"].split(";") if n.strip()
        ]
    if "languages" in row:
        values["languages"] = [c.strip() for c in row["languages"].split(";") if c.strip()]
    if "hours" in row:
        values["schedules"] = _hours(row["hours"])
    return values


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a formula-like start gets a leading ``'``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _uploaded_cell(value: str) -> str:
    """A cell as typed: the ``'`` that :func:`spreadsheet_cell` added is taken off."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _cells(row: dict[str | None, Any]) -> dict[str, str]:
    """A row's named cells, a short row's missing ones as empty (DictReader gives None), the
    extra cells of a long row (under the None key) dropped."""
    return {key: _uploaded_cell(value or "") for key, value in row.items() if key is not None}


def _export_row(location: Location) -> list[str]:
    doc = listings.document(location)
    address = doc["address"] or {}
    hours = "; ".join(f"{s['byday']} {s['opens_at']}-{s['closes_at']}" for s in doc["schedules"])
    values = {
        "id": str(location.id),
        "name": location.name,
        **{column: address.get(column) or "" for column in ADDRESS_COLUMNS},
        "latitude": "" if location.latitude is None else repr(location.latitude),
        "longitude": "" if location.longitude is None else repr(location.longitude),
        "timezone": location.timezone,
        "phones": "; ".join(phone["number"] for phone in doc["phones"]),
        "languages": ";".join(doc["languages"]),
        "hours": hours,
        "description": location.description or "",
    }
    return [spreadsheet_cell(values[column]) for column in EXPORT_COLUMNS]


def export_csv(session: Session, organization: Organization) -> str:
    """The organization's listed locations as a CSV file the upload reads back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    locations = session.scalars(
        select(Location)
        .where(Location.organization_id == organization.id, Location.archived_at.is_(None))
        .order_by(Location.name, Location.id)
    )
    for location in locations:
        writer.writerow(_export_row(location))
    return buffer.getvalue()


def _apply_row(
    session: Session, organization: Organization, line: int, row: dict[str, str], actor: Actor
) -> RowResult:
    name = (row.get("name") or "").strip()
    result = RowResult(line=line, name=name, outcome="unchanged")
    try:
        values = row_values(row)
        key = (row.get("id") or "").strip()
        if not key:
            location = listings.create_location(session, organization, values, actor)
            result.outcome = "new"
            result.changes = {k: [None, v] for k, v in listings.document(location).items() if v}
            return result
        try:
            location = session.get(Location, uuid.UUID(key))
        except ValueError:
            location = None
        if location is None or location.organization_id != organization.id:
            raise listings.ListingError({"id": [f"No location of yours has the id {key}."]})
        result.name = result.name or location.name
        result.changes = listings.update_location(session, location, values, actor)
        result.outcome = "changed" if result.changes else "unchanged"
    except listings.ListingError as error:
        result.outcome, result.errors = "error", error.errors
    return result


def _read_rows(reader: csv.DictReader, report: BulkReport) -> list[tuple[int, dict[str, str]]]:
    """Every row of the file, read before anything is written; problems go to the report."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for line, row in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                report.errors.append(f"At most {MAX_ROWS} rows per file.")
                break
            rows.append((line, _cells(row)))
    except csv.Error as error:
        # A field over the csv module's limit (128 KB), or a quote left open to the end.
        report.errors.append(f"Line {len(rows) + 2}: this is not a CSV row we can read ({error}).")
    return rows


def _batches(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


def run(
    session: Session, organization: Organization, text: str, actor: Actor, *, apply: bool
) -> BulkReport:
    """Check every row, and with ``apply`` write them when every row is valid.

    The database is held BATCH_ROWS rows at a time, never for the whole file, so other
    organizations' writes wait seconds, not minutes: the check runs batch by batch, each rolled
    back; the apply checks the whole file that way first, then writes it batch by batch, each
    committed here. Should a batch fail after the check (a location changed in between), the
    apply stops there and the report says which rows were applied.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = set(reader.fieldnames or [])
    report = BulkReport(rows=[])
    if "name" not in columns and "id" not in columns:
        report.errors.append("The first line must name the columns, including id or name.")
    unknown = sorted(columns - KNOWN_COLUMNS)
    if unknown:
        report.errors.append(f"Unknown columns: {', '.join(unknown)}.")
    if report.errors:
        return report
    rows = _read_rows(reader, report)
    for batch in _batches(rows):
        report.rows.extend(
            _apply_row(session, organization, line, row, actor) for line, row in batch
        )
        session.rollback()
    if not (apply and report.ok):
        return report
    applied: list[RowResult] = []
    for batch in _batches(rows):
        results = [_apply_row(session, organization, line, row, actor) for line, row in batch]
        if any(result.outcome == "error" for result in results):
            session.rollback()
            report.errors.append(
                f"Line {batch[0][0]} onwards changed since the check and was not applied; "
                f"the {len(applied)} rows before it were."
            )
            report.rows, report.applied = applied + results, len(applied)
            return report
        session.commit()
        applied.extend(results)
    report.rows = applied
    return report

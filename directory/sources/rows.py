"""Reading a source's data file into validated rows, each with its line number.

A row that cannot become a listing (no name, a bad ZIP, coordinates that are not numbers) is
reported with its line and reason and left out; the others go on. A file that cannot be read
at all raises :class:`SourceFileError` before anything is written.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from typing import IO

from directory import validation
from directory.geo import STATES, place_at, timezone_for, zip_centroid
from directory.sources.cleaning import phone_number, web_address, whole_names
from directory.sources.spec import SourceSpec
from directory.sources.workbook import read_sheet

_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")
_PHONE_DIGITS = re.compile(r"\D")
# Boxes around the states and territories: the Americas side (Alaska to Puerto Rico, Hawaii,
# American Samoa) and Guam with the Northern Mariana Islands across the date line.
_US_BOXES = ((-15.0, 72.0, -180.0, -64.0), (13.0, 21.0, 144.0, 147.0))
_MAX_KEY_CHARS = 200
_YES = frozenset({"yes", "y", "true", "1", "24/7"})
# The schedule of a service its source says is open around the clock (see the open_24_7 field).
ROUND_THE_CLOCK = {
    "freq": "WEEKLY",
    "byday": "MO,TU,WE,TH,FR,SA,SU",
    "opens_at": time(0),
    "closes_at": time(0),
    "description": "Open 24 hours, 7 days, as its source lists it",
}
# The location columns a source row fills; the address and phone live in their own tables.
LOCATION_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "latitude",
    "longitude",
    "precision",
    "position_description",
    "timezone",
)
_ADDRESS_FIELDS = ("address_1", "address_2", "city", "region", "state", "postal_code")


class SourceFileError(RuntimeError):
    """The data file is missing, undecodable, or lacks a column the mapping names."""


class RowError(ValueError):
    """One row cannot become a listing; the message says why."""


@dataclass
class SourceRow:
    """One validated row: the listing fields it fills, its taxonomy terms and its stable key."""

    line: int
    key: str
    values: dict[str, str | float | None]
    terms: set[str]
    zip_from_coordinates: bool = False
    lines: list[int] = field(default_factory=list)  # other lines with the same key, merged
    group: str = ""  # which of the row's services this is, for a spec that cuts rows in several

    @property
    def row_hash(self) -> str:
        payload = json.dumps([self.values, sorted(self.terms)], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class ReadResult:
    rows: list[SourceRow]
    read: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    duplicate_keys: int = 0
    unknown_codes: dict[str, int] = field(default_factory=dict)  # code → rows naming it


def read_rows(spec: SourceSpec) -> ReadResult:
    """Every row of the spec's file, validated; rows with the same key merge into the first."""
    by_key: dict[str, SourceRow] = {}
    result = ReadResult(rows=[])
    for line, raw in records(spec):
        result.read += 1
        rule = next((r for r in spec.skip if (raw.get(r.column) or "").strip() in r.values), None)
        if rule is not None:
            result.skipped[rule.reason] = result.skipped.get(rule.reason, 0) + 1
            continue
        try:
            row = parse_row(spec, line, raw)
        except RowError as error:
            result.errors.append((line, str(error)))
            continue
        for part in _cut(spec, row, raw, result.unknown_codes):
            first = by_key.get(part.key)
            if first is None:
                by_key[part.key] = part
            else:
                first.terms |= part.terms
                first.lines.append(line)
                result.duplicate_keys += not part.group
    result.rows = list(by_key.values())
    return result


def _cut(
    spec: SourceSpec, row: SourceRow, raw: dict[str, str], unknown_codes: dict[str, int]
) -> list[SourceRow]:
    """The row as the services it offers: itself, or one row per service its codes make."""
    if spec.codes is None:
        return [row]
    unknown: set[str] = set()
    parts = []
    for offer in spec.codes.offers(raw.get(spec.codes.column) or "", unknown):
        values = row.values | {
            "service_name": offer.name,
            "service_description": offer.description,
            "languages": offer.languages,
        }
        key = f"{row.key}|{offer.key}" if offer.key else row.key
        parts.append(SourceRow(row.line, key, values, offer.terms, row.zip_from_coordinates))
        parts[-1].group = offer.key
    for code in unknown:
        unknown_codes[code] = unknown_codes.get(code, 0) + 1
    return parts


def records(spec: SourceSpec) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's raw rows with their line numbers, after checking its columns."""
    if spec.path.suffix == ".xlsx":
        yield from read_sheet(spec.path, spec.sheet, spec.columns)
        return
    try:
        with _open(spec) as handle:
            reader = csv.DictReader(handle)
            missing = spec.columns - set(reader.fieldnames or ())
            if missing:
                raise SourceFileError(f"{spec.path.name}: no column(s) {sorted(missing)}")
            for raw in reader:
                yield reader.line_num, raw
    except (OSError, UnicodeDecodeError, csv.Error, EOFError) as error:
        raise SourceFileError(f"{spec.path.name}: cannot be read ({error})") from error


def _open(spec: SourceSpec) -> IO[str]:
    if spec.path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(spec.path), encoding=spec.encoding, newline="")
    return spec.path.open(encoding=spec.encoding, newline="")


def parse_row(spec: SourceSpec, line: int, raw: dict[str, str]) -> SourceRow:
    values: dict[str, str | float | None] = dict(spec.constants)
    for name, template in spec.fields.items():
        values[name] = template.render(raw) or spec.constants.get(name)
    if not values.get("name"):
        raise RowError("no name")
    if spec.whole_names:
        values["organization_name"], values["name"] = whole_names(
            str(values["name"]),
            values.get("alternate_name"),  # type: ignore[arg-type]
        )
        values["alternate_name"] = None
    state = (values.get("state") or "").upper()
    if state not in STATES:
        raise RowError(f"unknown state {values.get('state')!r}")
    values["state"] = state
    if not values.get("city"):
        raise RowError("no city")
    if not values.get("address_1"):
        # A street corner (a mobile stop) is an address of its own.
        if not values.get("position_description"):
            raise RowError("no street address")
        values["address_1"] = values["position_description"]
    for link in ("website", "service_url"):
        # A bare "http://" or a malformed address is no address; the row is still good.
        values[link] = web_address(values.get(link))  # type: ignore[arg-type]
    if "open_24_7" in values:
        values["open_24_7"] = str(values["open_24_7"] or "").strip().casefold() in _YES
    terms = _terms(spec, raw)
    zip_from_coordinates = _place(spec, values)
    if values.get("phone"):
        values["phone"] = _phone(str(values["phone"]))
    if spec.phones:
        values["phones"] = _phones(spec, raw)  # type: ignore[assignment]
    key = "|".join(_key_part(raw.get(column)) for column in spec.key_columns)
    if len(key) > _MAX_KEY_CHARS:
        key = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return SourceRow(line, key, values, terms, zip_from_coordinates)


def _terms(spec: SourceSpec, raw: dict[str, str]) -> set[str]:
    terms = set(spec.terms)
    if spec.category_column:
        text = (raw.get(spec.category_column) or "").strip()
        parts = text.split(spec.category_separator) if spec.category_separator else [text]
        for part in filter(None, (p.strip() for p in parts)):
            if part not in spec.category_map:
                raise RowError(f"unknown category {part!r}")
            terms.update(spec.category_map[part])
    if not terms:
        raise RowError("no category")
    return terms


def _place(spec: SourceSpec, values: dict[str, str | float | None]) -> bool:
    """Fill coordinates, ZIP, precision and timezone; True when the ZIP came from coordinates."""
    lat, lng = (
        _coordinate(values.get("latitude"), "latitude"),
        _coordinate(values.get("longitude"), "longitude"),
    )
    if (lat is None) != (lng is None):
        raise RowError("only one of latitude and longitude")
    postal = str(values.get("postal_code") or "")
    zip_from_coordinates = False
    if postal:
        match = _ZIP.match(postal)
        if match is None:
            raise RowError(f"bad ZIP {postal!r}")
        postal = match.group(1)
    precision = values.get("precision") or spec.precision
    if lat is not None and lng is not None:
        if not any(s <= lat <= n and w <= lng <= e for s, n, w, e in _US_BOXES):
            raise RowError(f"coordinates {lat}, {lng} are outside the United States")
        if not postal:
            postal = place_at(lat, lng).postal_code or ""
            zip_from_coordinates = True
            if not postal:
                raise RowError("no ZIP and no ZIP near the coordinates")
    else:
        if not postal:
            raise RowError("no coordinates and no ZIP")
        centroid = zip_centroid(postal)
        if centroid is None:
            raise RowError(f"no coordinates and ZIP {postal} has no known location")
        lat, lng, precision = centroid.lat, centroid.lng, "approximate"
    if precision not in ("exact", "approximate", "intersection"):
        raise RowError(f"unknown precision {precision!r}")
    values.update(
        latitude=round(lat, 7),
        longitude=round(lng, 7),
        postal_code=postal,
        precision=precision,
        timezone=timezone_for(lat, lng, str(values["state"]), postal),
    )
    return zip_from_coordinates


def _coordinate(value: str | float | None, label: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(f"bad {label} {value!r}") from None
    if number != number:  # NaN
        raise RowError(f"bad {label} {value!r}")
    return number


def _phones(spec: SourceSpec, raw: dict[str, str]) -> list[list[str | None]]:
    """The row's phones as [number, extension, description], each number once."""
    phones: list[list[str | None]] = []
    for column in spec.phones:
        parsed = phone_number(raw.get(column.column) or "")
        if parsed and all(list(parsed) != phone[:2] for phone in phones):
            phones.append([parsed[0], parsed[1], column.description])
    return phones


def _phone(text: str) -> str | None:
    """A 10-digit number written 212-555-0100; another number as written, or None when
    nobody could dial it (``validation.phone_problem``)."""
    digits = _PHONE_DIGITS.sub("", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None if validation.phone_problem(text) else text.strip()
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _key_part(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def address_values(row: SourceRow) -> dict[str, str | None]:
    """The row's address as the columns of the addresses table."""
    values = {name: row.values.get(name) for name in _ADDRESS_FIELDS}
    values["state_province"] = values.pop("state")
    return values  # type: ignore[return-value]


def service_values(row: SourceRow) -> dict[str, str | None]:
    """The service columns a row fills: what the source says about the service and its page."""
    values = {
        "description": row.values.get("service_description"),
        "url": row.values.get("service_url") or row.values.get("website"),
    }
    if row.values.get("service_name"):
        values["name"] = row.values["service_name"]
    return values  # type: ignore[return-value]

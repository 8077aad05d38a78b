"""HSDS 3.0 tabular data packages: one CSV file per table plus ``datapackage.json``, in a folder
or a .zip. This module writes the export and reads package files; the tables and their columns
are in ``tables.py``, the import in ``package_import.py``.

Exports are deterministic (rows sorted by id, no timestamps), so exporting the same directory
twice gives identical files.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hsds import areas, foreign
from directory.hsds.descriptor import descriptor
from directory.hsds.mapping import PHONE_TYPE_TO_HSDS, STATUS_TO_HSDS
from directory.hsds.tables import (
    OFFICIAL_DESCRIPTOR,
    OFFICIAL_FIELDS,
    TABLES,
    TABLES_BY_NAME,
    Table,
    confidential_location_ids,
    public_value,
    withheld,
)
from directory.models import Location, Organization, Service
from directory.validation import web_url

DEFAULT_NAME = "harm-reduction-directory"


def csv_text(value: Any) -> str:
    """A value as a CSV cell: empty for none, ISO dates and times, lowercase booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _export_value(table: Table, row: Any, column: str) -> Any:
    """The value of one column for one row; most are attributes of the same name."""
    if table.name == "organizations" and column == "description":
        # HSDS requires a description; the name is the best summary we have without one.
        return row.description or row.name
    if column in ("url", "website"):
        # HSDS types these as URIs: a bare "http://" from an old source is no address.
        return web_url(getattr(row, column))
    if table.name == "phones" and column == "extension":
        # HSDS types the extension as a number: "ext. 12" has no place in it.
        return row.extension if row.extension and row.extension.isdigit() else None
    if table.name == "phones" and column in ("type", "directory_type"):
        return PHONE_TYPE_TO_HSDS.get(row.type, row.type) if column == "type" else row.type
    if table.name == "services" and column == "status":
        return STATUS_TO_HSDS.get(row.status, row.status)
    if table.name == "service_areas":
        return {
            "name": areas.hsds_name(row),
            "extent": areas.hsds_extent(row),
            "extent_type": areas.TEXT,
            "area_kind": row.extent_type,
            "uri": None,
        }.get(column, getattr(row, column, None))
    if table.name == "taxonomy_terms":
        if column == "taxonomy":
            return row.taxonomy.name
        if column == "language":
            return "en"
        if column == "term_uri":
            return None
        if column == "description":
            return row.description or row.name
    if table.name == "attributes":
        return {
            "link_id": row.service_id,
            "link_type": row.taxonomy_term.kind,
            "link_entity": "service",
        }.get(column, getattr(row, column, None))
    return getattr(row, column)


def _live_rows(session: Session, table: Table) -> Iterator[Any]:
    """Rows to export: everything not archived and not attached to something the export leaves
    out (an archived record, or a place or service of an archived organization), so no row
    points at a record the package does not hold."""
    model = table.model
    statement = select(model).order_by(model.id)
    organizations = select(Organization.id).where(Organization.archived_at.is_(None))
    live = {
        "organization_id": organizations,
        "location_id": select(Location.id).where(
            Location.archived_at.is_(None), Location.organization_id.in_(organizations)
        ),
        "service_id": select(Service.id).where(
            Service.archived_at.is_(None), Service.organization_id.in_(organizations)
        ),
    }
    if hasattr(model, "archived_at"):
        statement = statement.where(model.archived_at.is_(None))
    for column, ids in live.items():
        if hasattr(model, column):
            attribute = getattr(model, column)
            statement = statement.where(attribute.is_(None) | attribute.in_(ids))
    return iter(session.scalars(statement.execution_options(yield_per=1000)))


def table_csv(
    session: Session, table: Table, written: set[uuid.UUID] | None = None
) -> tuple[str, str, int]:
    """The table's official file (the official columns, in order; those we do not keep are
    empty), its extension file (our columns, by id) and the number of rows; the ids of the
    rows written are added to ``written``."""
    official, extension = io.StringIO(), io.StringIO()
    writer, extension_writer = csv.writer(official), csv.writer(extension)
    writer.writerow(table.official_columns)
    extension_writer.writerow(["id", *table.extension_columns])
    ours = set(table.column_names)
    confidential = confidential_location_ids(session)
    count = 0
    for row in _live_rows(session, table):
        if withheld(table, row, confidential):
            continue
        writer.writerow([_cell(table, row, c, ours) for c in table.official_columns])
        extension_writer.writerow(
            [_cell(table, row, c, ours) for c in ["id", *table.extension_columns]]
        )
        if written is not None:
            written.add(row.id)
        count += 1
    return official.getvalue(), extension.getvalue(), count


def rows_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """Rows given as dicts, as CSV lines under an existing header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_text(row.get(column)) for column in columns])
    return buffer.getvalue()


def _cell(table: Table, row: Any, column: str, ours: set[str]) -> str:
    if column not in ours:
        return ""
    return csv_text(public_value(table, row, column, _export_value(table, row, column)))


def export_package(session: Session, path: Path, name: str = DEFAULT_NAME) -> dict[str, int]:
    """Write the directory's listings as an HSDS data package to ``path`` (a folder, or a .zip
    file when the name ends in .zip); returns the number of rows written per table."""
    files = {"datapackage.json": json.dumps(descriptor(name), indent=2, sort_keys=True) + "\n"}
    # Every official table is written, those the directory does not keep as a header line, so
    # the package validates against the official descriptor as it is.
    for resource in OFFICIAL_DESCRIPTOR["resources"]:
        files[resource["path"]] = ",".join(OFFICIAL_FIELDS[resource["name"]]) + "\r\n"
    counts = {}
    written: set[uuid.UUID] = set()
    for table in TABLES:
        files[table.path], extension, counts[table.name] = table_csv(session, table, written)
        if table.extension_columns:
            files[table.extension_path] = extension
    # Other taxonomies, and attributes beyond our own service tags, as they were imported:
    # those on a record the package holds.
    for table_name, rows in foreign.export_rows(session, written).items():
        table = TABLES_BY_NAME[table_name]
        files[table.path] += rows_csv(table.official_columns, rows)
        counts[table_name] += len(rows)
    if path.suffix == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for filename, text in files.items():
                # A fixed timestamp keeps the archive byte-for-byte reproducible.
                info = zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0))
                archive.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for filename, text in files.items():
            (path / filename).write_text(text, encoding="utf-8", newline="")
    return counts


# What a package may hold. The national directory exports about 60 MB of CSV; a zip bomb
# (a small archive that inflates to gigabytes) is refused before it is read, or as soon as its
# members turn out larger than they claimed.
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# CSV text compresses well, but not a hundredfold: more than that is a bomb, not a package.
MAX_COMPRESSION_RATIO = 100
CHUNK_BYTES = 1024 * 1024


class PackageError(ValueError):
    """A package that cannot be read at all (too large, a zip bomb, not a zip)."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _check_member(name: str, size: int, compressed: int | None, total: int) -> None:
    if size > MAX_MEMBER_BYTES:
        raise PackageError(f"{name}: {_megabytes(size)} is over {_megabytes(MAX_MEMBER_BYTES)}")
    if total + size > MAX_TOTAL_BYTES:
        raise PackageError(f"the package is over {_megabytes(MAX_TOTAL_BYTES)} uncompressed")
    if compressed is not None and size > max(compressed, 1) * MAX_COMPRESSION_RATIO:
        raise PackageError(f"{name}: compressed over {MAX_COMPRESSION_RATIO} to 1 (a zip bomb?)")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int) -> bytes:
    """A member's bytes, read in chunks and counted as they come: a member that inflates past
    what its header claimed is stopped at the limits, not held in memory."""
    _check_member(info.filename, info.file_size, info.compress_size, total)
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK_BYTES):
            size += len(chunk)
            _check_member(info.filename, size, info.compress_size, total)
            chunks.append(chunk)
    return b"".join(chunks)


def read_package(path: Path, wanted: set[str]) -> dict[str, bytes]:
    """The bytes of the files named in ``wanted`` in a package folder or .zip, by file name.

    Raises :class:`PackageError` when the package is over the limits above (member count,
    size per member and in all, compression ratio) or is not a readable zip.
    """
    if path.is_dir():
        files, total = {}, 0
        for file in sorted(p for p in path.iterdir() if p.is_file() and p.name in wanted):
            size = file.stat().st_size
            _check_member(file.name, size, None, total)
            files[file.name], total = file.read_bytes(), total + size
        return files
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageError(f"not a readable zip file ({error})") from error
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise PackageError(f"{len(members)} files: a package holds at most {MAX_MEMBERS}")
        files, total = {}, 0
        for info in members:
            name = Path(info.filename).name
            if name in wanted and name not in files:
                try:
                    files[name] = _read_member(archive, info, total)
                except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as error:
                    raise PackageError(f"{info.filename}: unreadable ({error})") from error
                total += len(files[name])
        return files

"""Reading a sheet of an Excel workbook (.xlsx) as rows of text, like a CSV file's.

Publishers such as SAMHSA release their directories as workbooks; reading the published file
unchanged lets an operator drop in a newer edition and re-run ``flask import source NAME``.
Column names are compared without case ("Name1" in one edition, "name1" in the next).
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path


def read_sheet(
    path: Path, sheet: str | None, columns: set[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row below the header as ``{lower-cased column: text}``, with its row number.

    Raises SourceFileError when the workbook or sheet cannot be read or lacks a column.
    """
    from openpyxl import load_workbook

    from directory.sources.rows import SourceFileError

    try:
        # Workbooks exported by office suites carry page headers openpyxl cannot parse (it
        # warns while reading the rows): they are print settings, not data.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                if sheet is not None and sheet not in book.sheetnames:
                    raise SourceFileError(f"{path.name}: no sheet {sheet!r} ({book.sheetnames})")
                rows = list(
                    (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
                )
            finally:
                book.close()
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SourceFileError(f"{path.name}: cannot be read ({error})") from error
    header = [_text(name).casefold() for name in (rows[0] if rows else ())]
    missing = columns - set(header)
    if missing:
        raise SourceFileError(f"{path.name}: no column(s) {sorted(missing)}")
    for number, values in enumerate(rows[1:], start=2):
        if all(value is None for value in values):
            continue
        # A short row (trailing empty cells left out) fills the columns it has.
        cells = zip(header, values, strict=False)
        yield number, {name: _text(value) for name, value in cells if name}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

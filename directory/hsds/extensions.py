"""Reading an imported package's extension files (``x-hrd-*.csv``, written by our own export)
back into the rows of the official files they extend, matched by id."""

from __future__ import annotations

import csv
import io


def extension_rows(text: str | None) -> dict[str, dict[str, str]]:
    """The extension file's non-empty cells by row id; an absent or unreadable file is none
    (an outside package has no extension files, and its rows take our defaults)."""
    if not text:
        return {}
    rows = {}
    try:
        for raw in csv.DictReader(io.StringIO(text, newline="")):
            if row_id := raw.get("id"):
                rows[row_id] = {k: v for k, v in raw.items() if k and k != "id" and v}
    except csv.Error:
        return {}
    return rows

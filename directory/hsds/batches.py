"""Reading and writing many rows at once, for the package import: which of many ids are in the
directory (a query per batch of ids, never one per row), and new rows inserted with one
executemany per table, not flushed object by object."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

# Ids per ``IN (...)``: well under SQLite's and PostgreSQL's limits on bound parameters.
BATCH = 500


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_ids(session: Session, model: type, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``ids`` that are the id of a ``model`` row in the directory."""
    wanted = sorted(set(ids))
    found: set[uuid.UUID] = set()
    for batch in chunks(wanted):
        found.update(session.scalars(select(model.id).where(model.id.in_(batch))))
    return found


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (column → value) into ``table`` within the session's transaction: one
    executemany per set of columns, so a column a row leaves out takes its default."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append(row)
    for same in shapes.values():
        session.execute(insert(table), same)

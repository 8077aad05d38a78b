"""Bulk inserts for generated rows: values in the driver's own form, one executemany a table.

Going through SQLAlchemy's per-row parameter processing would triple the load time of a
quarter of a million listings; ids that only grow keep every index appending at its end.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Date, Dialect, Table, Time, Uuid

from directory.models.base import UTCDateTime


@dataclass
class Rows:
    """Rows of one batch, per table, with values already in the driver's form.

    Every row of a table must name the same columns (None where there is no value).
    """

    tables: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model, **values) -> None:
        self.tables.setdefault(model.__table__, []).append(values)


_LOW_62_BITS = (1 << 62) - 1


class DriverValues:
    """Turns ids, dates and times into what the database driver takes, once per distinct value.

    Going through SQLAlchemy's per-row parameter processing would triple the load time.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.started_ms = clock.time_ns() // 1_000_000
        self.counter = random.getrandbits(32)
        native_uuid = Uuid().dialect_impl(dialect).bind_processor(dialect) is None
        self._id = self._native_id if native_uuid else self._hex_id
        self._date = Date().dialect_impl(dialect).bind_processor(dialect)
        self._time = Time().dialect_impl(dialect).bind_processor(dialect)
        self._stamp = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self._cache: dict[object, object] = {}

    def new_id(self) -> object:
        """A fresh UUID, version 7 style: this run's start time, then a counter.

        Ids that only grow let every index append at its end instead of touching pages all
        over the file, which makes the bulk insert several times faster; the start time keeps
        runs apart.
        """
        self.counter += 1
        counter = self.counter
        bits = (
            (self.started_ms << 80)
            | (0x7 << 76)
            | (((counter >> 62) & 0xFFF) << 64)
            | (0b10 << 62)
            | (counter & _LOW_62_BITS)
        )
        return self._id(bits)

    @staticmethod
    def _native_id(bits: int) -> uuid.UUID:
        return uuid.UUID(int=bits)

    @staticmethod
    def _hex_id(bits: int) -> str:
        return f"{bits:032x}"

    def id_of(self, value: uuid.UUID) -> object:
        return self._id(value.int)

    def value(self, value: date | time | datetime | None) -> object:
        if value is None:
            return None
        if value not in self._cache:
            if isinstance(value, datetime):
                process = self._stamp
            elif isinstance(value, date):
                process = self._date
            else:
                process = self._time
            self._cache[value] = process(value) if process else value
        return self._cache[value]


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of plain tuples in the driver's own form."""
    dialect = connection.dialect
    keys = list(rows[0])
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    # Table and column names come from the models, never from input.
    names = ", ".join(quote(key) for key in keys)
    markers = ", ".join([marker] * len(keys))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({markers})"  # noqa: S608
    as_tuple = itemgetter(*keys)
    connection.exec_driver_sql(sql, [as_tuple(row) for row in rows])

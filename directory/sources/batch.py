"""Rows waiting to be inserted in bulk, written table by table in foreign-key order.

Seeding tens of thousands of listings one ORM object at a time takes minutes; a list of dicts
per table and one executemany each takes seconds. Ids are made here, so rows can point at each
other before anything is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
    SourceRecord,
)
from directory.operations import Actor, to_json_value
from directory.queries.changes import everything_changed

# Parents before children, so foreign keys hold at every statement.
_TABLE_ORDER = (
    Organization,
    Location,
    Address,
    Phone,
    Service,
    ServiceAtLocation,
    Attribute,
    Language,
    Schedule,
    SourceRecord,
    Revision,
)


_JSON_SCALARS = (str, int, float, list)
_UNTRACKED = frozenset({"id", "created_at", "last_modified"})


class Batch:
    def __init__(self, actor: Actor, now: datetime) -> None:
        self.actor = actor
        self.now = now
        self.rows: dict[type, list[dict[str, Any]]] = {model: [] for model in _TABLE_ORDER}

    def add(self, model: type, **values: Any) -> uuid.UUID:
        values.setdefault("id", uuid.uuid4())
        self.rows[model].append(values)
        return values["id"]

    def add_timestamped(self, model: type, **values: Any) -> uuid.UUID:
        return self.add(model, created_at=self.now, last_modified=self.now, **values)

    def revision(
        self,
        entity_type: str,
        entity_id: uuid.UUID,
        action: str,
        changes: dict[str, list[Any]],
        reason: str | None = None,
    ) -> None:
        self.add(
            Revision,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            changes=changes,
            actor_type=self.actor.type,
            actor_id=self.actor.id,
            actor_label=self.actor.label,
            reason=reason,
            created_at=self.now,
        )

    def creation(self, entity_type: str, entity_id: uuid.UUID, values: dict[str, Any]) -> None:
        changes = {
            field: [None, value if isinstance(value, _JSON_SCALARS) else to_json_value(value)]
            for field, value in values.items()
            if value is not None and field not in _UNTRACKED
        }
        self.revision(entity_type, entity_id, "create", changes)

    def count(self, model: type) -> int:
        return len(self.rows[model])

    def write(self, session: Session) -> None:
        copy = session.get_bind().dialect.name == "postgresql"
        written = False
        for model in _TABLE_ORDER:
            rows = self.rows[model]
            if rows and copy:
                _copy_rows(session, model.__table__, rows)
            elif rows:
                session.execute(insert(model.__table__), rows)
            written = written or bool(rows)
            self.rows[model] = []
        if written:
            # Bulk statements bypass the unit of work: tell the search indexes to reload.
            everything_changed(session)


def _copy_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: psycopg would otherwise send an executemany one INSERT per row.

    Values go through each column's own bind processing (UTC datetimes made naive, JSON
    serialized), so COPY stores exactly what an INSERT would have.
    """
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    processors = [table.c[name].type.bind_processor(dialect) for name in columns]
    json_columns = {i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)}
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for i, name in enumerate(columns):
                value = row[name]
                if i in json_columns:
                    value = Json(value)
                elif value is not None and processors[i] is not None:
                    value = processors[i](value)
                values.append(value)
            copy.write_row(values)

"""Recording who changed which field of which record from what to what.

Every write in the product goes through a function that calls :func:`apply_changes` (or
:func:`record_revision` directly) so nothing changes without a trail. Functions here flush but
never commit: the request or command that called them commits once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session, object_session

from directory.models import ApiKey, Revision, User

# Columns that describe bookkeeping rather than the listing; changes to them are not history.
UNTRACKED_FIELDS = frozenset({"id", "created_at", "last_modified"})


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a user, an API key, an import source or the system."""

    type: str  # "user" | "api_key" | "source" | "system"
    label: str
    id: uuid.UUID | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls("system", label)


def to_json_value(value: Any) -> Any:
    """A column value as JSON: dates and times in ISO form, UUIDs as strings."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


ENTITY_TYPES = {
    "locations": "location",
    "services": "service",
    "organizations": "organization",
    "legality_notes": "legality_note",
}


def entity_type_of(entity: Any) -> str:
    table = inspect(entity).mapper.local_table.name
    return ENTITY_TYPES.get(table, table)


def snapshot(entity: Any) -> dict[str, Any]:
    """Every tracked column of ``entity`` as a JSON-ready mapping."""
    mapper = inspect(entity).mapper
    return {
        column.key: to_json_value(getattr(entity, column.key))
        for column in mapper.column_attrs
        if column.key not in UNTRACKED_FIELDS
    }


def record_revision(
    session: Session,
    *,
    entity_type: str,
    entity_id: uuid.UUID,
    action: str,
    changes: dict[str, list[Any]],
    actor: Actor,
    reason: str | None = None,
) -> Revision:
    revision = Revision(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes=changes,
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=actor.label,
        reason=reason,
    )
    session.add(revision)
    return revision


def _creation_changes(fields: dict[str, Any], extra: dict[str, Any]) -> dict[str, list[Any]]:
    fields = fields | {key: to_json_value(value) for key, value in extra.items()}
    return {field: [None, value] for field, value in fields.items() if value is not None}


def record_creation(session: Session, entity: Any, actor: Actor, **extra: Any) -> Revision:
    """Record that ``entity`` (already added and flushed) was created, with every field's value."""
    return record_revision(
        session,
        entity_type=entity_type_of(entity),
        entity_id=entity.id,
        action="create",
        changes=_creation_changes(snapshot(entity), extra),
        actor=actor,
    )


def record_creations(
    session: Session,
    model: type,
    created: Iterable[tuple[dict[str, Any], dict[str, Any]]],
    actor: Actor,
) -> None:
    """Record that each ``model`` row was created, as :func:`record_creation` does for one, for
    rows a bulk insert wrote: each given as (its column values, extra fields such as its
    parts). One executemany, not an object per revision."""
    table = inspect(model).local_table.name
    columns = [c.key for c in inspect(model).column_attrs if c.key not in UNTRACKED_FIELDS]
    rows = [
        {
            "entity_type": ENTITY_TYPES.get(table, table),
            "entity_id": values["id"],
            "action": "create",
            "changes": _creation_changes(
                {key: to_json_value(values.get(key)) for key in columns}, extra
            ),
            "actor_type": actor.type,
            "actor_id": actor.id,
            "actor_label": actor.label,
            "reason": None,
        }
        for values, extra in created
    ]
    if rows:
        session.execute(insert(Revision.__table__), rows)


def apply_changes(
    session: Session,
    entity: Any,
    values: dict[str, Any],
    actor: Actor,
    *,
    action: str = "update",
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Set ``values`` on ``entity`` and record the fields that really changed.

    Returns the ``{field: [old, new]}`` changes; nothing is recorded when nothing changed.
    """
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(entity, field)
        if old != new:
            changes[field] = [to_json_value(old), to_json_value(new)]
            setattr(entity, field, new)
    record_changes(session, entity, changes, actor, action=action, reason=reason)
    return changes


def record_changes(
    session: Session,
    entity: Any,
    changes: dict[str, list[Any]],
    actor: Actor,
    *,
    action: str = "update",
    reason: str | None = None,
) -> None:
    """Record ``changes`` to ``entity`` as one revision; an update that changed nothing is not
    history, but any other action (confirm, archive, restore) always is."""
    if changes or action != "update":
        record_revision(
            session,
            entity_type=entity_type_of(entity),
            entity_id=entity.id,
            action=action,
            changes=changes,
            actor=actor,
            reason=reason,
        )
        session.flush()


# What the public sees of who made a change that no partner organization made.
THE_DIRECTORY = "the directory"
# A confidential location's history keeps where it is; the public history leaves these out.
PLACE_FIELDS = frozenset({"address", "latitude", "longitude", "position_description"})


def public_actor_label(revision: Revision) -> str:
    """Who made a change, as anyone may read it: the organization of the person or key (never
    an email address or a key's name), the source of an import, or "the directory" (admins,
    the system). The organization's own users and admins see the full label in the portal."""
    if revision.actor_type == "source":
        return revision.actor_label
    model = {"user": User, "api_key": ApiKey}.get(revision.actor_type)
    session = object_session(revision)
    if model is None or revision.actor_id is None or session is None:
        return THE_DIRECTORY
    actor = session.get(model, revision.actor_id)
    organization = actor.organization if actor is not None else None
    return organization.name if organization is not None else THE_DIRECTORY


def public_changes(changes: dict[str, list[Any]], *, confidential: bool) -> dict[str, list[Any]]:
    """A revision's field changes as anyone may read them: without the address, coordinates
    or position of a location that is (or ever was) confidential."""
    if not confidential:
        return dict(changes)
    return {field: values for field, values in changes.items() if field not in PLACE_FIELDS}


def ever_confidential(revisions: Iterable[Revision]) -> bool:
    """Whether any of a location's revisions made it, or left it, confidential."""
    return any(True in (revision.changes or {}).get("confidential", ()) for revision in revisions)

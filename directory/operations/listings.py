"""Creating, editing, confirming, closing, archiving and restoring listings.

The portal, the write API, moderation and the bulk CSV upload all change listings through these
functions, so every path validates the same way and leaves the same trail. A listing is handled
as one *document*: its own columns plus its parts (address, hours, phones, languages, categories,
locations, service areas) in JSON form. A revision records the document fields that changed,
old → new, which is what lets :func:`restore_revision` bring back exact earlier values.

Functions flush but never commit; the request or command commits once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory import geo
from directory.models import LegalityNote, Location, Organization, Revision, Service, utcnow
from directory.operations.documents import (
    Listing,
    ListingError,
    address_doc,
    changed,
    check_values,
    document,
    fail,
    set_fields,
)
from directory.operations.revisions import (
    Actor,
    entity_type_of,
    record_changes,
    record_creation,
    snapshot,
)

# The operations, and the document view and error their callers need.
__all__ = [
    "PROTECTED_COLUMNS",
    "Actor",
    "ListingError",
    "archive",
    "change",
    "confirm",
    "create_location",
    "create_service",
    "days_since_confirmed",
    "document",
    "history",
    "lock_for_update",
    "restore_revision",
    "set_temporarily_closed",
    "state_after",
    "unarchive",
    "update_legality_note",
    "update_location",
    "update_service",
    "utc_today",
]

# Columns a partner never sets directly: ownership and provenance.
PROTECTED_COLUMNS = frozenset({"organization_id", "source_id"})


def utc_today() -> date:
    """Today's date in UTC: the day a confirmation is recorded on, wherever the partner is."""
    return utcnow().date()


def change(
    session: Session,
    entity: Any,
    values: dict[str, Any],
    actor: Actor,
    *,
    action: str = "update",
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Apply document ``values`` to ``entity`` and record what really changed, old → new.

    An ``update`` that changes nothing records nothing; other actions are always recorded.
    """
    before = document(entity)
    set_fields(session, entity, values)
    session.flush()
    after = document(entity)
    changes = changed(before, after)
    if changes and hasattr(entity, "last_modified"):
        entity.last_modified = utcnow()
    record_changes(session, entity, changes, actor, action=action, reason=reason)
    return changes


# --- locations -----------------------------------------------------------------------------


def _placed(location: Location | None, values: dict[str, Any]) -> dict[str, Any]:
    """Fill in coordinates, their precision and the time zone from what was given.

    Coordinates entered by the partner are exact; otherwise a new or changed address is placed
    at its ZIP centroid (approximate), offline.
    """
    values = dict(values)
    current_address = address_doc(location.address) if location is not None else None
    address = values.get("address", current_address)
    address_changed = "address" in values and (
        location is None or values["address"] != current_address
    )
    lat, lng = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lng is None):
        raise fail("latitude" if lat is None else "longitude", "Give both coordinates or none.")
    state = address.get("state") if address else None
    postal_code = address.get("postal_code") if address else None
    if lat is not None:
        try:
            geo.place_at(lat, lng)
        except geo.PlaceError as error:
            raise fail("latitude", error.message) from None
        values.setdefault("precision", "exact")
    elif address and (address_changed or location is None):
        centroid = geo.zip_centroid((postal_code or "").strip()[:5])
        if centroid is None:
            raise fail(
                "address.postal_code",
                "This ZIP code is not in the offline list; enter latitude and longitude instead.",
            )
        lat, lng = centroid.lat, centroid.lng
        values.update(latitude=lat, longitude=lng, precision="approximate")
    elif location is None:
        if not values.get("timezone"):
            raise fail("address", "Give an address, coordinates, or at least a time zone.")
        return values
    else:
        return values
    if not values.get("timezone") or location is None or address_changed or "latitude" in values:
        values["timezone"] = values.get("timezone") or geo.timezone_for(
            lat, lng, state=state, postal_code=postal_code
        )
    return values


def create_location(
    session: Session, organization: Organization, values: dict[str, Any], actor: Actor
) -> Location:
    """Add a location for ``organization`` and record its creation with every field."""
    if not (values.get("name") or "").strip():
        raise fail("name", "A location needs a name.")
    # Every field's problems at once, before placing it can stop at the first.
    check_values(Location, values)
    values = _placed(None, values)
    location = Location(organization=organization, name=values["name"], timezone="UTC")
    session.add(location)
    set_fields(session, location, _writable(values))
    session.flush()
    _record_created(session, location, actor)
    return location


def update_location(
    session: Session,
    location: Location,
    values: dict[str, Any],
    actor: Actor,
    *,
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Change some of a location's fields (any subset); returns the recorded changes."""
    if "name" in values and not (values["name"] or "").strip():
        raise fail("name", "A location needs a name.")
    check_values(Location, values)
    return change(session, location, _writable(_placed(location, values)), actor, reason=reason)


# --- services ------------------------------------------------------------------------------


def create_service(
    session: Session, organization: Organization, values: dict[str, Any], actor: Actor
) -> Service:
    """Add a service for ``organization`` and record its creation with every field."""
    if not (values.get("name") or "").strip():
        raise fail("name", "A service needs a name.")
    service = Service(organization=organization, name=values["name"])
    session.add(service)
    session.flush()
    set_fields(session, service, _writable(values))
    session.flush()
    _record_created(session, service, actor)
    return service


def update_service(
    session: Session,
    service: Service,
    values: dict[str, Any],
    actor: Actor,
    *,
    reason: str | None = None,
) -> dict[str, list[Any]]:
    if "name" in values and not (values["name"] or "").strip():
        raise fail("name", "A service needs a name.")
    return change(session, service, _writable(values), actor, reason=reason)


def set_temporarily_closed(
    session: Session, service: Service, closed: bool, actor: Actor
) -> dict[str, list[Any]]:
    """Mark a service temporarily closed, or open again."""
    status = "temporarily_closed" if closed else "active"
    return change(session, service, {"status": status}, actor)


# --- every listing -------------------------------------------------------------------------


def _writable(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in PROTECTED_COLUMNS}


def _record_created(session: Session, entity: Listing, actor: Actor) -> None:
    parts = {key: value for key, value in document(entity).items() if key not in snapshot(entity)}
    record_creation(session, entity, actor, **{k: v for k, v in parts.items() if v})
    session.flush()


def confirm(
    session: Session, listing: Listing, actor: Actor, *, today: date | None = None
) -> dict[str, list[Any]]:
    """ "Still accurate": a person vouches for the listing today (recorded even if unchanged)."""
    return change(session, listing, {"assured_date": today or utc_today()}, actor, action="confirm")


def archive(session: Session, entity: Any, actor: Actor) -> dict[str, list[Any]]:
    """Take a listing out of the directory without deleting it (it can be restored)."""
    if entity.archived_at is not None:
        return {}
    return change(session, entity, {"archived_at": utcnow()}, actor, action="archive")


def unarchive(session: Session, entity: Any, actor: Actor) -> dict[str, list[Any]]:
    """Bring an archived listing back."""
    if entity.archived_at is None:
        return {}
    return change(session, entity, {"archived_at": None}, actor, action="restore")


def history(session: Session, entity: Any) -> list[Revision]:
    """The entity's revisions, newest first."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.entity_type == entity_type_of(entity), Revision.entity_id == entity.id)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
        )
    )


def state_after(session: Session, entity: Any, revision: Revision) -> dict[str, Any]:
    """The fields the entity had right after ``revision``, from its current document.

    Walks back through every later revision, newest first, putting each field's old value back.
    """
    state = document(entity)
    for later in history(session, entity):
        if later.id == revision.id:
            return state
        for field, (old, _new) in later.changes.items():
            state[field] = old
    raise fail("revision", "That revision does not belong to this record.")


def restore_revision(
    session: Session, entity: Any, revision: Revision, actor: Actor
) -> dict[str, list[Any]]:
    """Bring back the exact field values the entity had right after ``revision``."""
    target = state_after(session, entity, revision)
    current = document(entity)
    values = {
        field: value
        for field, value in target.items()
        if current.get(field) != value and field not in PROTECTED_COLUMNS
    }
    return change(
        session,
        entity,
        values,
        actor,
        action="restore",
        reason=f"restored the version of {revision.created_at:%Y-%m-%d %H:%M} UTC",
    )


def update_legality_note(
    session: Session, note: LegalityNote, values: dict[str, Any], actor: Actor
) -> dict[str, list[Any]]:
    """Edit a state-law note; recorded like any listing change."""
    return change(session, note, values, actor)


def lock_for_update(session: Session, model: type, entity_id: uuid.UUID) -> Any:
    """Load a record for a conditional update, holding its row until the request commits.

    The no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite before the
    record is read, so two requests holding the same ETag cannot both pass the check.
    """
    # Setting last_modified to itself keeps its onupdate default from firing: nothing changes.
    result = session.execute(
        update(model).where(model.id == entity_id).values(last_modified=model.last_modified),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount == 0:
        return None
    return session.get(model, entity_id, populate_existing=True)


def days_since_confirmed(listing: Listing, today: date | None = None) -> int | None:
    """Days since a person last said the listing is accurate (None: never)."""
    if listing.assured_date is None:
        return None
    return ((today or utc_today()) - listing.assured_date).days

"""Claims: an organization asks to manage a listing it runs, and an admin decides.

A claim is a :class:`Suggestion` of kind ``claim`` on the location, the claimant kept in
``proposed_changes["claimant"]`` (name, email, organization, role, how to verify). Approving it
makes the claimant's partner organization the owner of the location and of the services there
that belonged to the location's previous organization and are offered nowhere else; the
organization and an editor login to invite are created when the claimant's email has no account.
Rejecting changes no listing.

Every step is a revision: the request and the decision on the suggestion (never with the
claimant's details, which stay in the moderation queue), and the change of owner on the
location and on each service.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Suggestion,
    User,
    utcnow,
)
from directory.operations.documents import ListingError
from directory.operations.revisions import Actor, apply_changes, record_creation, record_revision

CLAIM = "claim"
CLAIM_FORM = Actor("system", "claim form")
CLAIMANT_FIELDS = ("name", "email", "organization", "role", "verification")


def file_claim(
    session: Session, location: Location, claimant: dict[str, str], message: str | None
) -> Suggestion:
    """Put a claim on ``location`` in the moderation queue."""
    suggestion = Suggestion(
        location_id=location.id,
        kind=CLAIM,
        message=message,
        proposed_changes={"claimant": {f: claimant.get(f) for f in CLAIMANT_FIELDS}},
    )
    session.add(suggestion)
    session.flush()
    _record_step(session, suggestion, "create", {"location_id": [None, str(location.id)]})
    return suggestion


def claimant_of(suggestion: Suggestion) -> dict[str, Any]:
    return (suggestion.proposed_changes or {}).get("claimant") or {}


def existing_account(session: Session, suggestion: Suggestion) -> User | None:
    """The login already registered with the claimant's email, if any."""
    email = (claimant_of(suggestion).get("email") or "").strip().lower()
    return session.scalar(select(User).where(User.email == email)) if email else None


def new_owner_name(session: Session, suggestion: Suggestion) -> str | None:
    """The organization that would own the listing on approval."""
    user = existing_account(session, suggestion)
    if user is not None and user.organization is not None:
        return user.organization.name
    return claimant_of(suggestion).get("organization")


def proposed_diff(session: Session, suggestion: Suggestion) -> dict[str, list[Any]]:
    location = session.get(Location, suggestion.location_id) if suggestion.location_id else None
    if location is None:
        return {}
    return {"organization": [location.organization.name, new_owner_name(session, suggestion)]}


def approve(session: Session, suggestion: Suggestion, admin: User, actor: Actor) -> User | None:
    """Hand the listing to the claimant's organization; returns a new login to invite, if any."""
    _check_pending(suggestion)
    location = session.get(Location, suggestion.location_id) if suggestion.location_id else None
    if location is None or location.archived_at is not None:
        raise ListingError({"location": ["The listing no longer exists."]})
    organization, new_user = _claimant_organization(session, suggestion, actor)
    reason = f"approved claim {suggestion.id}"
    previous = location.organization_id
    for service in _services_moving_with(session, location, previous):
        _give(session, service, organization, actor, reason)
    _give(session, location, organization, actor, reason)
    _decide(session, suggestion, "approved", admin, actor, None)
    return new_user


def reject(session: Session, suggestion: Suggestion, admin: User, reason: str) -> None:
    """Say no; the listing stays exactly as it was."""
    _check_pending(suggestion)
    _decide(session, suggestion, "rejected", admin, Actor("user", admin.email, admin.id), reason)


def _check_pending(suggestion: Suggestion) -> None:
    if suggestion.kind != CLAIM:
        raise ListingError({"kind": ["This is not a claim."]})
    if suggestion.status != "pending":
        raise ListingError({"status": ["This suggestion has been decided already."]})


def _claimant_organization(
    session: Session, suggestion: Suggestion, actor: Actor
) -> tuple[Organization, User | None]:
    user = existing_account(session, suggestion)
    if user is not None:
        if user.organization is None:
            raise ListingError({"email": ["This email belongs to a directory admin."]})
        return user.organization, None
    claimant = claimant_of(suggestion)
    name = (claimant.get("organization") or "").strip()
    if not name:
        raise ListingError({"organization": ["The claim names no organization."]})
    organization = Organization(name=name, is_partner=True)
    session.add(organization)
    session.flush()
    record_creation(session, organization, actor)
    user = User(email=claimant["email"].strip().lower(), role="editor", organization=organization)
    session.add(user)
    session.flush()
    return organization, user


def _services_moving_with(session: Session, location: Location, previous_owner) -> list[Service]:
    """The previous owner's services at this location that are offered at no other one."""
    elsewhere = select(ServiceAtLocation.service_id).where(
        ServiceAtLocation.location_id != location.id
    )
    here = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location.id)
    return list(
        session.scalars(
            select(Service).where(
                Service.id.in_(here),
                Service.id.not_in(elsewhere),
                Service.organization_id == previous_owner,
            )
        )
    )


def _give(session: Session, listing: Any, organization: Organization, actor: Actor, reason: str):
    apply_changes(session, listing, {"organization_id": organization.id}, actor, reason=reason)
    session.flush()
    session.expire(listing, ["organization"])


def _decide(
    session: Session,
    suggestion: Suggestion,
    status: str,
    admin: User,
    actor: Actor,
    reason: str | None,
) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = admin.id
    suggestion.decision_reason = reason
    session.flush()
    _record_step(session, suggestion, "update", {"status": ["pending", status]}, actor, reason)


def _record_step(
    session: Session,
    suggestion: Suggestion,
    action: str,
    changes: dict[str, list[Any]],
    actor: Actor = CLAIM_FORM,
    reason: str | None = None,
) -> None:
    record_revision(
        session,
        entity_type="suggestion",
        entity_id=suggestion.id,
        action=action,
        changes={"kind": [None, CLAIM]} | changes if action == "create" else changes,
        actor=actor,
        reason=reason,
    )
    session.flush()

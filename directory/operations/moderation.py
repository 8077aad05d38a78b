"""Deciding on public reports and sign-ups: approve (apply the change, recorded) or reject.

A report's ``proposed_changes`` maps location document fields to proposed values (see
``directory.operations.listings.document``); a "closed" report without proposed values archives
the location. A ``new_organization`` sign-up proposes ``{"organization": {...}, "contact":
{"name", "email"}}``; approving it creates the organization and an editor login for the contact.
A ``claim`` is decided by :mod:`directory.operations.claims`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Location, Organization, Suggestion, User, utcnow
from directory.operations import claims, listings
from directory.operations.revisions import Actor, record_creation

ORGANIZATION_FIELDS = ("name", "website", "description", "email")


def proposed_diff(session: Session, suggestion: Suggestion) -> dict[str, list[Any]]:
    """Field → [current, proposed] for every field the suggestion would change."""
    if suggestion.kind == claims.CLAIM:
        return claims.proposed_diff(session, suggestion)
    if suggestion.kind == "new_organization":
        proposal = (suggestion.proposed_changes or {}).get("organization", {})
        return {f: [None, proposal.get(f)] for f in ORGANIZATION_FIELDS if proposal.get(f)}
    location = session.get(Location, suggestion.location_id) if suggestion.location_id else None
    if location is None:
        return {}
    current = listings.document(location)
    diff = {
        field: [current.get(field), value]
        for field, value in (suggestion.proposed_changes or {}).items()
        if current.get(field) != value
    }
    if suggestion.kind == "closed" and not diff:
        diff["archived_at"] = [current.get("archived_at"), "(archived on approval)"]
    return diff


def _decide(suggestion: Suggestion, status: str, admin: User, reason: str | None) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = admin.id
    suggestion.decision_reason = reason


def approve(session: Session, suggestion: Suggestion, admin: User, actor: Actor) -> User | None:
    """Apply the suggestion; returns the new editor login for an approved sign-up or claim."""
    if suggestion.kind == claims.CLAIM:
        return claims.approve(session, suggestion, admin, actor)
    if suggestion.status != "pending":
        raise listings.ListingError({"status": ["This suggestion has been decided already."]})
    new_user = None
    if suggestion.kind == "new_organization":
        new_user = _create_organization(session, suggestion, actor)
    elif suggestion.location_id is not None:
        location = session.get(Location, suggestion.location_id)
        reason = f"approved public report {suggestion.id}"
        if suggestion.proposed_changes:
            listings.update_location(
                session, location, dict(suggestion.proposed_changes), actor, reason=reason
            )
        elif suggestion.kind == "closed":
            listings.archive(session, location, actor)
    _decide(suggestion, "approved", admin, None)
    session.flush()
    return new_user


def reject(session: Session, suggestion: Suggestion, admin: User, reason: str) -> None:
    if suggestion.kind == claims.CLAIM:
        return claims.reject(session, suggestion, admin, reason)
    if suggestion.status != "pending":
        raise listings.ListingError({"status": ["This suggestion has been decided already."]})
    _decide(suggestion, "rejected", admin, reason)
    session.flush()


def _create_organization(session: Session, suggestion: Suggestion, actor: Actor) -> User | None:
    proposal = suggestion.proposed_changes or {}
    details = proposal.get("organization", {})
    if not details.get("name"):
        raise listings.ListingError({"name": ["The sign-up has no organization name."]})
    organization = Organization(
        is_partner=True, **{f: details.get(f) for f in ORGANIZATION_FIELDS if details.get(f)}
    )
    session.add(organization)
    session.flush()
    record_creation(session, organization, actor)
    email = (proposal.get("contact") or {}).get("email")
    if not email or session.scalar(select(User.id).where(User.email == email)):
        return None
    user = User(email=email, role="editor", organization_id=organization.id)
    session.add(user)
    session.flush()
    return user


def pending(session: Session) -> list[Suggestion]:
    return list(
        session.scalars(
            select(Suggestion).where(Suggestion.status == "pending").order_by(Suggestion.created_at)
        )
    )

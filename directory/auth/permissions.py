"""Who may do what: named predicates shared by the portal, moderation and the write API.

A *principal* is a logged-in :class:`User` or an :class:`ApiKey`. Editors and keys act for one
organization; admins (directory staff) act for every organization.
"""

from __future__ import annotations

import uuid
from typing import Any

from directory.models import ApiKey, User
from directory.operations import Actor

Principal = User | ApiKey


def is_admin(principal: Any) -> bool:
    return isinstance(principal, User) and principal.is_authenticated and principal.is_admin


def organization_of(principal: Any) -> uuid.UUID | None:
    if isinstance(principal, User | ApiKey):
        return principal.organization_id
    return None


def can_manage_organization(principal: Any, organization_id: uuid.UUID | None) -> bool:
    """Admins manage every organization; editors and keys only their own."""
    if is_admin(principal):
        return True
    own = organization_of(principal)
    return own is not None and own == organization_id


def can_edit(principal: Any, listing: Any) -> bool:
    """Whether the principal may see the listing's drafts and history and change it."""
    return can_manage_organization(principal, listing.organization_id)


def can_moderate(principal: Any) -> bool:
    """Only directory staff decide on public reports, sign-ups and legality notes."""
    return is_admin(principal)


def actor_for(principal: Principal) -> Actor:
    """How the principal is named in the change history."""
    if isinstance(principal, ApiKey):
        return Actor("api_key", f"API key {principal.name} ({principal.prefix}…)", principal.id)
    return Actor("user", principal.email, principal.id)

"""Loading what a request is about and checking the current user may touch it.

Another organization's listing answers 404, exactly like a missing one, so the portal never
tells an editor what exists elsewhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort
from flask_login import current_user

from directory.auth.permissions import actor_for, can_edit, can_manage_organization, can_moderate
from directory.extensions import db
from directory.models import Location, Organization, Service
from directory.operations import Actor

LISTING_MODELS: dict[str, type[Location] | type[Service]] = {
    "locations": Location,
    "services": Service,
}


def parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        abort(404)


def load_listing(kind: str, listing_id: str) -> Any:
    listing = db.session.get(LISTING_MODELS[kind], parse_id(listing_id))
    if listing is None or not can_edit(current_user, listing):
        abort(404)
    return listing


def load_organization(org_id: str) -> Organization:
    organization = db.session.get(Organization, parse_id(org_id))
    if organization is None or not can_manage_organization(current_user, organization.id):
        abort(404)
    return organization


def require_moderator() -> None:
    if not can_moderate(current_user):
        abort(403)


def current_actor() -> Actor:
    return actor_for(current_user)

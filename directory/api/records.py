"""Full records under /api/v1: locations, services and organizations with their change history.

Every read here is public, cacheable (``ETag``, ``If-None-Match`` → 304, five minutes of
``Cache-Control``) and rate limited per client address. Archived records answer 404, exactly like
records that never existed: apps only need to handle one "gone" answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.api import record_examples as examples
from directory.api import reference
from directory.api.public import documented_errors, one_or_404, public_reads
from directory.api.record_schemas import (
    LocationRecordSchema,
    OrganizationRecordSchema,
    PageArgsSchema,
    RevisionPageSchema,
    ServiceRecordSchema,
)
from directory.extensions import db
from directory.models import (
    Attribute,
    Location,
    Organization,
    Revision,
    Service,
    TaxonomyTerm,
)
from directory.operations.revisions import ever_confidential, public_actor_label, public_changes
from directory.pagination import Page

records = Blueprint(
    "records",
    __name__,
    description="Full records of locations, services and organizations, and their change history.",
)
public_reads(records)


def path_id(name: str, what: str, example: str) -> list[dict]:
    """The OpenAPI description of a UUID path parameter."""
    return [{"in": "path", "name": name, "description": f"The {what}'s id", "example": example}]


LOCATION_ID = path_id("location_id", "location", examples.LOCATION_ID)
SERVICE_ID = path_id("service_id", "service", examples.SERVICE_ID)
ORGANIZATION_ID = path_id("organization_id", "organization", examples.ORG_ID)


@records.route("/locations/<uuid:location_id>", parameters=LOCATION_ID)
class LocationRecord(MethodView):
    @records.etag
    @records.response(200, LocationRecordSchema, example=examples.LOCATION)
    @documented_errors(records, 404)
    def get(self, location_id: uuid.UUID):
        """A location, with the services offered there

        Its address (or, when confidential, only its front door: a phone or intake
        instructions), contact details, hours, languages, accessibility, source and the date
        a person last checked it.
        """
        statement = (
            select(Location)
            .where(Location.id == location_id, Location.archived_at.is_(None))
            .options(
                selectinload(Location.address),
                selectinload(Location.organization),
                selectinload(Location.source),
                selectinload(Location.phones),
                selectinload(Location.schedules),
                selectinload(Location.languages),
                selectinload(Location.accessibility),
                selectinload(Location.services).options(*service_details()),
            )
        )
        return one_or_404(statement, "location")


@records.route("/services/<uuid:service_id>", parameters=SERVICE_ID)
class ServiceRecord(MethodView):
    @records.etag
    @records.response(200, ServiceRecordSchema, example=examples.SERVICE)
    @documented_errors(records, 404)
    def get(self, service_id: uuid.UUID):
        """A service, with where it is offered

        Its categories, cost, access and populations, the locations offering it, and the
        areas it reaches by mail, phone or online.
        """
        statement = (
            select(Service)
            .where(Service.id == service_id, Service.archived_at.is_(None))
            .options(
                *service_details(),
                selectinload(Service.organization),
                selectinload(Service.source),
                selectinload(Service.phones),
                selectinload(Service.service_areas),
                selectinload(Service.locations).selectinload(Location.address),
            )
        )
        return one_or_404(statement, "service")


@records.route("/organizations/<uuid:organization_id>", parameters=ORGANIZATION_ID)
class OrganizationRecord(MethodView):
    @records.etag
    @records.response(200, OrganizationRecordSchema, example=examples.ORGANIZATION)
    @documented_errors(records, 404)
    def get(self, organization_id: uuid.UUID):
        """An organization with its locations and the services it runs."""
        statement = (
            select(Organization)
            .where(Organization.id == organization_id, Organization.archived_at.is_(None))
            .options(
                selectinload(Organization.source),
                selectinload(Organization.locations).selectinload(Location.address),
                selectinload(Organization.services).options(*service_details()),
            )
        )
        return one_or_404(statement, "organization")


def service_details() -> list:
    return [
        selectinload(Service.attributes)
        .selectinload(Attribute.taxonomy_term)
        .selectinload(TaxonomyTerm.parent),
        selectinload(Service.languages),
        selectinload(Service.cost_options),
        selectinload(Service.schedules),
    ]


def public_revision(revision: Revision, *, confidential: bool) -> dict[str, Any]:
    """A revision as anyone may read it: who is the organization (or "the directory"), and a
    confidential location's address and coordinates are left out."""
    return {
        "id": revision.id,
        "action": revision.action,
        "actor_type": revision.actor_type,
        "actor_label": public_actor_label(revision),
        "reason": revision.reason,
        "created_at": revision.created_at,
        "changes": public_changes(revision.changes or {}, confidential=confidential),
    }


def revision_page(model: Any, record_id: uuid.UUID, entity_type: str, args: dict):
    """One page of a record's change history, newest first, answered with its ``Link`` header."""
    record = db.session.get(model, record_id)
    if record is None:
        abort(404, message=f"No such {entity_type}.")
    where = (Revision.entity_type == entity_type, Revision.entity_id == record_id)
    # A place that was ever confidential keeps every address it had out of public view.
    confidential = isinstance(record, Location) and (
        record.confidential or ever_confidential(db.session.scalars(select(Revision).where(*where)))
    )
    history = select(Revision).where(*where).order_by(Revision.created_at.desc(), Revision.id)
    page, revisions = Page.of_statement(db.session, history, args["page"], args["per_page"])
    body = {
        "revisions": [public_revision(r, confidential=confidential) for r in revisions],
        "pagination": page.pagination(),
    }
    return body, 200, page_links(page)


def page_links(page: Page) -> dict[str, str]:
    """RFC 8288 ``Link`` header to the first, last, previous and next pages."""

    def url_of(number: int) -> str:
        args = request.view_args or {}
        return url_for(request.endpoint, **args, page=number, per_page=page.per_page)

    return {"Link": page.links(url_of, ("first", "last", "prev", "next"))}


LINK_HEADER = {
    "Link": {
        "description": 'Links to the first, prev, next and last pages (rel="…")',
        "schema": {"type": "string"},
    }
}


@records.route("/locations/<uuid:location_id>/revisions", parameters=LOCATION_ID)
class LocationRevisions(MethodView):
    @records.etag
    @records.arguments(PageArgsSchema, location="query")
    @records.response(200, RevisionPageSchema, headers=LINK_HEADER, example=examples.REVISIONS)
    @documented_errors(records, 404, 422)
    def get(self, args: dict, location_id: uuid.UUID):
        """The change history of a location

        Who changed which field from what to what, and when, newest first.
        """
        return revision_page(Location, location_id, "location", args)


@records.route("/services/<uuid:service_id>/revisions", parameters=SERVICE_ID)
class ServiceRevisions(MethodView):
    @records.etag
    @records.arguments(PageArgsSchema, location="query")
    @records.response(200, RevisionPageSchema, headers=LINK_HEADER, example=examples.REVISIONS)
    @documented_errors(records, 404, 422)
    def get(self, args: dict, service_id: uuid.UUID):
        """The change history of a service, newest first."""
        return revision_page(Service, service_id, "service", args)


def register(api: Any) -> None:
    """Hang the record and reference endpoints on the app's Api under /api/v1."""
    for blueprint in (records, reference.reference):
        api.register_blueprint(blueprint, url_prefix="/api/v1")

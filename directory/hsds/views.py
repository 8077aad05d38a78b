"""The Open Referral HSDS 3.0 API under /hsds, for 211s and other directories.

Lists answer the HSDS page envelope, or every result as NDJSON with ``format=ndjson``; records
by id answer fully nested bodies whose ``metadata`` is the record's change history. Bad input is
a JSON 422 naming the field, an unknown or malformed id a JSON 404 (see ``directory.errors``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, current_app, request, stream_with_context
from flask_smorest import abort
from webargs.flaskparser import use_args

from directory.api.public import CACHE_CONTROL, api_rate_limit
from directory.extensions import db, limiter
from directory.hsds import foreign_queries as foreign
from directory.hsds import mapping, queries
from directory.hsds.args import (
    ListArgs,
    OrganizationListArgs,
    OrganizationRecordArgs,
    ServiceAtLocationListArgs,
    ServiceListArgs,
    TaxonomyTermListArgs,
)
from directory.pagination import Page

bp = Blueprint("hsds", __name__, url_prefix="/hsds")
limiter.limit(api_rate_limit)(bp)
OFFICIAL_OPENAPI = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0.1/schema/openapi.json"
)


SEARCH_PARAMETERS = frozenset({"postcode", "proximity", "search", "lat", "lng"})


@bp.after_request
def cacheable(response: Response) -> Response:
    # A URL holding a searched place or words must not be kept by a shared cache (privacy).
    if SEARCH_PARAMETERS.intersection(request.args):
        response.headers["Cache-Control"] = "no-store"
        return response
    # Streams are not buffered to hash them; pages and records get an ETag and may be cached.
    if request.method == "GET" and response.status_code == 200 and not response.is_streamed:
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.add_etag()
        response.make_conditional(request)
    return response


def ndjson(rows: Iterable[Any], to_item: Callable[[Any], dict]) -> Response:
    def lines():
        for row in rows:
            # The app's JSON provider escapes <, > and & so no line can be read as markup.
            yield current_app.json.dumps(to_item(row), separators=(",", ":")) + "\n"

    return Response(stream_with_context(lines()), mimetype="application/x-ndjson")


def listing(statement, args: dict, to_item: Callable[[Any], dict], then=None):
    """A page or a stream of ``statement``'s rows, followed by ``then``'s when given."""
    if args["format"] == "ndjson":
        rows = queries.stream(statement) if then is None else foreign.stream_both(statement, then)
        return ndjson(rows, to_item)
    if then is None:
        page, rows = Page.of_statement(db.session, statement, args["page"], args["per_page"])
    else:
        page, rows = foreign.page_of_both(statement, then, args["page"], args["per_page"])
    return page.hsds_envelope([to_item(row) for row in rows])


def record_id(value: str) -> uuid.UUID:
    parsed = queries.parse_uuid(value)
    if parsed is None:
        abort(404)
    return parsed


def found(record: Any) -> Any:
    if record is None:
        abort(404)
    return record


@bp.get("/")
def root():
    return {
        "version": mapping.HSDS_VERSION,
        "profile": mapping.PROFILE_URL,
        "openapi_url": OFFICIAL_OPENAPI,
    }


@bp.get("/services")
@use_args(ServiceListArgs, location="query")
def services(args: dict):
    statement = queries.services(args)
    if args["minimal"]:
        return listing(statement, args, mapping.minimal_service)
    if args["full"]:
        return listing(
            statement.options(*queries.full_service_loaders()), args, mapping.service_full
        )
    statement = statement.options(*queries.service_loaders())
    return listing(statement, args, mapping.service_list_item)


@bp.get("/services/<id>")
def service(id: str):
    service_id = record_id(id)
    row = found(queries.full_service(service_id))
    return mapping.service_full(row, queries.revisions_of("service", service_id))


@bp.get("/organizations")
@use_args(OrganizationListArgs, location="query")
def organizations(args: dict):
    statement = queries.organizations(args)
    if not args["full"]:
        return listing(statement, args, mapping.organization_basic)
    statement = statement.options(*queries.full_organization_loaders(args["full_service"]))
    nested_service = mapping.service_full if args["full_service"] else mapping.service_basic
    return listing(
        statement, args, lambda row: mapping.organization_full(row, row.services, nested_service)
    )


@bp.get("/organizations/<id>")
@use_args(OrganizationRecordArgs, location="query")
def organization(args: dict, id: str):
    organization_id = record_id(id)
    row, services_run = found(queries.full_organization(organization_id))
    revisions = queries.revisions_of("organization", organization_id)
    nested_service = mapping.service_full if args["full_service"] else mapping.service_basic
    return mapping.organization_full(row, services_run, nested_service, revisions)


@bp.get("/service_at_locations")
@use_args(ServiceAtLocationListArgs, location="query")
def service_at_locations(args: dict):
    loaders = queries.service_at_location_loaders(args["full"])
    to_item = (
        mapping.service_at_location_full if args["full"] else mapping.service_at_location_list_item
    )
    if not (args.get("postcode") and args.get("proximity") is not None):
        return listing(queries.service_at_locations(args).options(*loaders), args, to_item)
    try:
        nearby = queries.near_postcode(args)
    except queries.UnknownPostcode:
        abort(
            422,
            message="Invalid input: postcode",
            errors={"postcode": ["No US ZIP code with this value is known."]},
        )
    if args["format"] == "ndjson":
        return ndjson(queries.stream_pairs(nearby, loaders), to_item)
    page = Page(args["page"], args["per_page"], len(nearby))
    shown = queries.service_at_locations_of(page.rows(nearby), loaders)
    return page.hsds_envelope([to_item(link) for link in shown])


@bp.get("/service_at_locations/<id>")
def service_at_location(id: str):
    link = found(queries.full_service_at_location(record_id(id)))
    return mapping.service_at_location_full(link, queries.revisions_of("service", link.service_id))


@bp.get("/taxonomies")
@use_args(ListArgs, location="query")
def taxonomies(args: dict):
    # Our taxonomy, then those imported packages brought (kept as they came).
    return listing(
        queries.taxonomies(args), args, foreign.taxonomy_body, then=foreign.taxonomies(args)
    )


@bp.get("/taxonomies/<id>")
def taxonomy(id: str):
    return foreign.taxonomy_body(found(foreign.taxonomy_by_id(record_id(id))))


@bp.get("/taxonomy_terms")
@use_args(TaxonomyTermListArgs, location="query")
def taxonomy_terms(args: dict):
    return listing(queries.taxonomy_terms(args), args, foreign.term_body, then=foreign.terms(args))


@bp.get("/taxonomy_terms/<id>")
def taxonomy_term(id: str):
    return foreign.term_body(found(foreign.term_by_id(record_id(id))), nested=True)

"""``GET /api/v1/search``: places near an origin offering the services asked for.

The view only reads the arguments, resolves the place and serializes; the search itself is
``directory.queries.search``, shared with the pages and HSDS. Nothing about the search is
logged or stored, and the answer is marked ``no-store`` so no shared cache keeps it either.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from marshmallow.validate import OneOf
from werkzeug.exceptions import UnprocessableEntity

from directory.api.schemas import SearchResponseSchema
from directory.extensions import limiter
from directory.filters import SearchArgsSchema, to_filters
from directory.geo import PlaceError
from directory.i18n import current_locale
from directory.pagination import Page
from directory.places import PublicPlace, public_place
from directory.queries import search

blp = Blueprint(
    "search_api",
    __name__,
    description="Search for places near a ZIP code, city, county, address or coordinates.",
)
DEFAULT_RATE_LIMIT = "120 per minute"


def api_rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


limiter.limit(api_rate_limit)(blp)
GEOJSON = "application/geo+json"
# The GeoJSON answer, documented beside the JSON one: each feature's properties are a result.
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string", "format": "uuid"},
                    "geometry": {
                        "type": "object",
                        "nullable": True,
                        "description": "A Point; null for a confidential place",
                    },
                    "properties": {"$ref": "#/components/schemas/SearchHit"},
                },
            },
        },
    },
}


class PlaceErrorSchema(Schema):
    """The error body, with the places a person may have meant when ``near`` is unknown."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), metadata={"example": {}}
    )
    suggestions = fields.List(fields.String())


class ApiSearchArgsSchema(SearchArgsSchema):
    """The shared search arguments, plus the API's choice of output format."""

    format = fields.String(
        load_default=None,
        validate=OneOf(("json", "geojson")),
        metadata={
            "description": "geojson: a GeoJSON FeatureCollection of the results (also chosen "
            "by `Accept: application/geo+json`), so map apps can plot them directly."
        },
    )


def wants_geojson(args: dict) -> bool:
    if args.get("format"):
        return args["format"] == "geojson"
    return request.accept_mimetypes.best_match(["application/json", GEOJSON]) == GEOJSON


def as_geojson(result):
    """The search answer as a FeatureCollection: one Point per result card (none for a
    confidential place, whose position is not shown), the rest as foreign members."""
    body = SearchResponseSchema().dump(result)
    features = [
        {
            "type": "Feature",
            "id": dumped["location"]["id"],
            "geometry": point(public_place(hit.location)),
            "properties": dumped,
        }
        for hit, dumped in zip(result.hits, body["results"], strict=True)
    ]
    collection = {"type": "FeatureCollection", "features": features} | {
        key: value for key, value in body.items() if key != "results"
    }
    response = current_app.json.response(collection)
    response.mimetype = GEOJSON
    return response


def point(place: PublicPlace) -> dict | None:
    if place.latitude is None:
        return None
    return {"type": "Point", "coordinates": [place.longitude, place.latitude]}


@blp.route("/search")
class Search(MethodView):
    # An instance, not the class: webargs would build a schema (and copy its fields) for
    # every request. Loading does not change it, so requests can share it.
    @blp.arguments(ApiSearchArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, SearchResponseSchema)
    @blp.doc(responses={200: {"content": {GEOJSON: {"schema": FEATURE_COLLECTION}}}})
    @blp.alt_response(
        422,
        schema=PlaceErrorSchema,
        description="A parameter is invalid, or the place is unknown or "
        "ambiguous: errors.near and a list of suggestions",
    )
    def get(self, args):
        """Places near an origin offering the services asked for

        Results are locations, one card per place with the matching services offered there,
        ordered by distance (or by name for a state). Every location within `radius` is
        counted, and no other. Services that reach the origin by mail, phone or online come
        separately in `remote_services`; the state's law on each kind of service in `legality`.
        With `format=geojson` or `Accept: application/geo+json` the same answer comes as a
        GeoJSON FeatureCollection (`application/geo+json`).
        """
        try:
            filters = to_filters(args)
        except PlaceError as error:
            return place_error(error)
        result = search(filters, locale=current_locale())
        headers = {"Cache-Control": "no-store"}
        links = Page(result.page, result.per_page, result.total).links(_page_url, PAGE_RELS)
        if links:
            headers["Link"] = links
        if wants_geojson(args):
            response = as_geojson(result)
            response.headers.update(headers)
            response.vary.add("Accept")
            return response
        return result, 200, headers


def place_error(error: PlaceError):
    """422 naming ``near``, with places the person may have meant."""
    problem = UnprocessableEntity()
    body = {
        "code": problem.code,
        "status": problem.name,
        "message": error.message,
        "errors": {"near": [error.message]},
        "suggestions": error.suggestions,
    }
    response = current_app.json.response(body)
    response.status_code = problem.code
    response.headers["Cache-Control"] = "no-store"
    return response


# This same search's next and previous pages (RFC 8288).
PAGE_RELS = ("next", "prev")


def _page_url(page: int) -> str:
    pairs = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.base_url}?{urlencode([*pairs, ('page', page)])}"

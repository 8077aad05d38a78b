"""The search's query string: one schema, read once at the edge, turned into SearchFilters.

``SearchArgsSchema`` checks every parameter (ranges, taxonomy codes, lat without lng) and names
the field it objects to; ``to_filters`` then resolves the place, offline unless the ``GEOCODER``
setting names an online one, raising ``PlaceError`` (with suggestions) for an unknown or
ambiguous place. Repeated parameters and comma-separated lists are both accepted:
``service=naloxone&service=moud`` is ``service=naloxone,moud``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, Range, Regexp

from directory.extensions import db
from directory.geo import MAX_PLACE_CHARS, STATES, place_at, resolve_place
from directory.queries import (
    DEFAULT_PER_PAGE,
    DEFAULT_RADIUS_MILES,
    MAX_PER_PAGE,
    MAX_RADIUS_MILES,
    SearchFilters,
    taxonomy_index,
)

MAX_PAGE = 10_000
MAX_KEYWORDS_CHARS = 200
MAX_CODES = 50
# The taxonomy kind each list parameter takes its codes from.
TERM_PARAMETERS = {
    "service": "category",
    "cost": "cost",
    "access": "access",
    "population": "population",
}


def _codes(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=Length(max=64)),
        load_default=list,
        validate=Length(max=MAX_CODES),
        metadata={"description": description + " Repeat the parameter or separate with commas."},
    )


class SearchArgsSchema(Schema):
    """Query parameters of a search (the API's, the page's and HSDS's proximity search)."""

    class Meta:
        unknown = EXCLUDE  # lang and cache-busters are not the search's business

    near = fields.String(
        validate=Length(max=MAX_PLACE_CHARS),
        metadata={
            "description": 'A ZIP code, "City, ST", a county ("Kings County, NY"), a state, '
            "or an address containing a ZIP code.",
            "example": "10001",
        },
    )
    lat = fields.Float(validate=Range(-90, 90), metadata={"description": "Latitude of origin"})
    lng = fields.Float(validate=Range(-180, 180), metadata={"description": "Longitude of origin"})
    radius = fields.Float(
        load_default=DEFAULT_RADIUS_MILES,
        validate=Range(
            min=0,
            min_inclusive=False,
            max=MAX_RADIUS_MILES,
            error=f"Choose a radius above 0 and up to {MAX_RADIUS_MILES:g} miles.",
        ),
        metadata={"description": f"Miles from the origin (at most {MAX_RADIUS_MILES:g})"},
    )
    state = fields.String(
        validate=Length(equal=2),
        metadata={"description": "Two-letter state code: every listing in that state, by name"},
    )
    service = _codes("Service category codes (any of; a parent matches its children).")
    cost = _codes("Cost codes (any of).")
    access = _codes("Access codes such as walk_in or no_id_required (any of).")
    population = _codes("Population codes (any of).")
    language = fields.List(
        fields.String(validate=Regexp(r"^[A-Za-z]{2,3}$", error="Use an ISO 639 code.")),
        load_default=list,
        validate=Length(max=MAX_CODES),
        metadata={"description": "ISO 639 language codes (any of), e.g. es"},
    )
    q = fields.String(
        validate=Length(max=MAX_KEYWORDS_CHARS),
        metadata={
            "description": "Keywords, all of which must appear in a listing's names or descriptions"
        },
    )
    open_now = fields.Boolean(
        load_default=False, metadata={"description": "Only places known to be open now"}
    )
    open_at = fields.DateTime(
        metadata={
            "description": "Only places open at this ISO 8601 time; without an offset it is "
            "read as each place's local time"
        }
    )
    verified_within = fields.Integer(
        validate=Range(min=0, max=36_500),
        metadata={"description": "Only listings a person checked within this many days"},
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=Range(min=1, max=MAX_PER_PAGE)
    )

    @validates_schema
    def check_origin(self, data: dict[str, Any], **kwargs) -> None:
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            raise ValidationError({missing: ["Give both lat and lng."]})
        if not ({"near", "lat", "state"} & data.keys()):
            raise ValidationError(
                {"near": ["Give a place (near), coordinates (lat and lng) or a state."]}
            )
        if "state" in data and data["state"].upper() not in STATES:
            raise ValidationError({"state": [f"{data['state']} is not a state code."]})

    @validates_schema
    def check_codes(self, data: dict[str, Any], **kwargs) -> None:
        taxonomy = taxonomy_index(db.session)
        errors = {}
        for name, kind in TERM_PARAMETERS.items():
            unknown = taxonomy.unknown(_split(data.get(name, [])), kind)
            if unknown:
                known = ", ".join(sorted(taxonomy.codes_of_kind(kind)))
                errors[name] = [f"Unknown code: {', '.join(unknown)}. Known codes: {known}."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def normalize(self, data: dict[str, Any], **kwargs) -> dict[str, Any]:
        for name in (*TERM_PARAMETERS, "language"):
            data[name] = _split(data[name])
        data["language"] = [code.lower() for code in data["language"]]
        if "state" in data:
            data["state"] = data["state"].upper()
        if data.get("q") is not None:
            data["q"] = " ".join(data["q"].split()) or None
        return data


def _split(values: list[str]) -> list[str]:
    """["a,b", "c"] → ["a", "b", "c"], without blanks or repeats, in order."""
    parts = (part.strip() for value in values for part in value.split(","))
    return list(dict.fromkeys(part for part in parts if part))


def to_filters(args: dict[str, Any]) -> SearchFilters:
    """SearchFilters for loaded args; raises geo.PlaceError when the place cannot be resolved."""
    if "lat" in args:
        origin = place_at(args["lat"], args["lng"])
    elif args.get("near"):
        origin = resolve_place(args["near"], current_app.config.get("GEOCODER"))
    else:
        origin = None
    return SearchFilters(
        origin=origin,
        radius_miles=args["radius"],
        state=args.get("state"),
        categories=tuple(args["service"]),
        costs=tuple(args["cost"]),
        access=tuple(args["access"]),
        languages=tuple(args["language"]),
        populations=tuple(args["population"]),
        q=args.get("q"),
        open_now=args["open_now"],
        open_at=args.get("open_at"),
        verified_within=args.get("verified_within"),
        page=args["page"],
        per_page=args["per_page"],
    )

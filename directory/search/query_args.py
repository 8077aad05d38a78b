"""What the search form sent, as the page needs it: raw values to refill the form, field
errors to show beside them, place suggestions to click, and the filters to search with."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from directory.filters import SearchArgsSchema, to_filters
from directory.geo import AmbiguousPlace, PlaceError, PlaceNotFound
from directory.i18n import gettext
from directory.queries import SearchFilters

# Values the form sends; anything else in the query string is ignored.
LIST_FIELDS = ("service", "cost", "access")
SINGLE_FIELDS = ("near", "lat", "lng", "radius", "language", "open_now", "page", "state")
FILTER_SINGLE_FIELDS = ("language", "open_now")
# A person never types more than this; longer values are cut before any parsing.
MAX_VALUE_CHARS = 200
MAX_LIST_VALUES = 50
# One schema for every request: loading does not change it (see ``api.search``).
SEARCH_ARGS = SearchArgsSchema()


@dataclass
class SearchForm:
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    filters: SearchFilters | None = None

    @property
    def has_place(self) -> bool:
        return bool(self.values.get("near") or self.values.get("lat") or self.values.get("state"))

    @property
    def uses_filters(self) -> bool:
        values = self.values
        return any(
            values.get(name) for name in ("service", "cost", "access", "language", "open_now")
        )

    @property
    def chosen_filters(self) -> int:
        """How many filters are on (each ticked box, a language, open now)."""
        values = self.values
        ticked = sum(len(values.get(name) or []) for name in LIST_FIELDS)
        return ticked + bool(values.get("language")) + bool(values.get("open_now"))

    @property
    def by_coordinates(self) -> bool:
        """Searched from "Use my location": the rounded coordinates, with no place typed."""
        return bool(self.values.get("lat") and self.values.get("lng"))

    def as_query(self, **changes) -> list[tuple[str, str]]:
        """The form's values as query pairs (empty ones dropped), with ``changes`` applied."""
        merged = {**self.values, **changes}
        pairs: list[tuple[str, str]] = []
        for name in (*SINGLE_FIELDS, *LIST_FIELDS, "lang"):
            value = merged.get(name)
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, "", False):
                    pairs.append((name, "1" if item is True else str(item)))
        return pairs


def raw_values(args: MultiDict) -> dict:
    values: dict = {name: args.get(name, "")[:MAX_VALUE_CHARS].strip() for name in SINGLE_FIELDS}
    if values["near"] and values["lat"]:
        # The form keeps a located search's coordinates; a place typed over them replaces them.
        values["lat"] = values["lng"] = ""
    for name in LIST_FIELDS:
        values[name] = [v[:MAX_VALUE_CHARS] for v in args.getlist(name)[:MAX_LIST_VALUES] if v]
    if args.get("lang") in current_app.config["LANGUAGES"]:
        values["lang"] = args["lang"]
    return values


# The page's own words for each field the shared schema may object to (it speaks English only).
FIELD_MESSAGES = {
    "radius": _l("Choose a distance between 1 and 250 miles."),
    "page": _l("That page does not exist."),
    "lat": _l("That location is not valid."),
    "lng": _l("That location is not valid."),
    "state": _l("That is not a US state."),
    "service": _l("Some of the chosen options are not known; uncheck them."),
    "cost": _l("Some of the chosen options are not known; uncheck them."),
    "access": _l("Some of the chosen options are not known; uncheck them."),
    "language": _l("Choose a language from the list."),
    "open_now": _l("Choose whether to show only places open now."),
}


def schema_input(values: dict) -> dict:
    """The form's non-empty values, shaped as the shared search schema reads a query string."""
    data = {name: values[name] for name in SINGLE_FIELDS if values.get(name)}
    data |= {name: values[name] for name in LIST_FIELDS if values.get(name)}
    if "language" in data:
        data["language"] = [data["language"]]
    return data


def load_filters(values: dict) -> SearchFilters:
    """Turn the form's values into filters; raises ValidationError or geo.PlaceError."""
    try:
        args = SEARCH_ARGS.load(schema_input(values))
    except ValidationError as error:
        fields = error.normalized_messages()
        if "near" in fields:
            raise PlaceNotFound(str(fields["near"][0])) from error
        raise ValidationError(
            {
                name: [str(FIELD_MESSAGES.get(name, problems[0]))]
                for name, problems in fields.items()
            }
        ) from error
    return to_filters(args)


def place_message(error: PlaceError, text: str) -> str:
    """The place error in the page's language (the geo module speaks English only)."""
    if not text:
        return gettext("That location is not valid.")
    shown = text if len(text) <= 60 else text[:60] + "…"
    if isinstance(error, AmbiguousPlace):
        return gettext("There is more than one “%(place)s”. Which one did you mean?", place=shown)
    if error.suggestions:
        return gettext("We couldn't find “%(place)s”. Did you mean one of these?", place=shown)
    return gettext(
        "We couldn't find “%(place)s”. Try a 5-digit ZIP code, or a city and state "
        "such as “Albany, NY”.",
        place=shown,
    )


def read_search_args(args: MultiDict) -> SearchForm:
    form = SearchForm(values=raw_values(args))
    if not form.has_place:
        return form
    try:
        form.filters = load_filters(form.values)
    except PlaceError as error:
        form.errors["near"] = [place_message(error, form.values.get("near", ""))]
        form.suggestions = error.suggestions
    except ValidationError as error:
        form.errors = {
            name: list(problems) for name, problems in error.normalized_messages().items()
        }
    return form

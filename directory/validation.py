"""The rules a stored value must meet so that every later read can show it.

One place for them. :func:`listing_problems` is the one validator of a listing document (a
location's or a service's fields and parts, as ``operations.documents`` writes them), whatever
route it comes by: the write API, the portal's forms and the partner CSV upload all reach it
through the operations (``documents.check_values``), and an HSDS package import checks each
row with :func:`hsds_row_problems`, which maps the row onto the same document names. The same
bad value gets the same message under the same field name on every route.

The read side uses the same rules to decide whether a stored value (written before these rules,
or by hand) can be shown as it is: a URL that is not a web address is not linked, an unknown
time zone reads as "hours unknown".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from directory.geo.states import STATES
from directory.hours import is_known_zone

__all__ = [
    "LIST_LIMITS",
    "MAX_LIST_ITEMS",
    "MAX_LOCATION_IDS",
    "MAX_SERVICE_AREAS",
    "MAX_TEXT",
    "PHONE_RULE",
    "STATE_RULE",
    "URL_RULE",
    "ZIP_RULE",
    "ZONE_RULE",
    "hsds_row_problems",
    "is_known_zone",
    "is_web_url",
    "listing_problems",
    "phone_problem",
    "text_problem",
    "value_problem",
    "web_url",
]

# The longest free text a listing keeps in one field (a description, eligibility, …): a page
# of text. Names and short fields have their own, smaller limits in the schemas.
MAX_TEXT = 4000
# The most items of one kind a listing carries (phones, hours spans, languages, categories…).
MAX_LIST_ITEMS = 50
# A service offered at more places than this is better sent as several services.
MAX_LOCATION_IDS = 1000
# Mail and online services may name many ZIP codes or counties one by one.
MAX_SERVICE_AREAS = 500
LIST_LIMITS = {"location_ids": MAX_LOCATION_IDS, "service_areas": MAX_SERVICE_AREAS}

URL_RULE = "Give a full web address starting with https:// (or http://) and a host name."
ZONE_RULE = "Give an IANA time zone such as America/New_York."
PHONE_RULE = (
    "Give a phone number like 212-555-0100, 988 or 1-800-662-HELP: 3 to 20 digits "
    "(a vanity number's letters count), with spaces, dashes, dots or parentheses."
)
STATE_RULE = "Give the two-letter code of a US state or territory, such as NY."
ZIP_RULE = "Give a ZIP code like 10001 or 10001-1234."
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9A-Za-z(][0-9A-Za-z ().\-/]*$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]{1,63})+$")


def is_web_url(value: object) -> bool:
    """True for an http(s) address with a host name that a browser can open as it is."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return False
    try:
        ascii_host = host.encode("idna").decode()
    except UnicodeError:
        return False
    return host == "localhost" or bool(_HOST.match(ascii_host))


def web_url(value: str | None) -> str | None:
    """A stored URL as the reads show it: itself when it is a web address, else None."""
    return value if value and is_web_url(value) else None


def phone_problem(number: str) -> str | None:
    """Why ``number`` is not a phone number a person can dial, or None when it is."""
    text = number.strip()
    dialled = sum(1 for ch in text if ch.isascii() and ch.isalnum())
    if not _PHONE_CHARACTERS.match(text) or not 3 <= dialled <= 20:
        return PHONE_RULE
    if sum(1 for ch in text if ch.isdigit()) < 3:
        return PHONE_RULE
    return None


def text_problem(value: str, max_length: int = MAX_TEXT) -> str | None:
    """Why a free-text value cannot be kept: a NUL byte, or too long."""
    if "\x00" in value:
        return "Remove the NUL character (\\0): text cannot contain it."
    if _SURROGATE.search(value):
        return "Text must be valid Unicode: it contains a lone surrogate (\\ud800–\\udfff)."
    if len(value) > max_length:
        return f"At most {max_length} characters."
    return None


def zone_problem(value: str) -> str | None:
    return None if is_known_zone(value) else ZONE_RULE


def url_problem(value: str) -> str | None:
    """An empty URL is no URL (the field is cleared); anything else must be a web address."""
    return None if not value or is_web_url(value) else URL_RULE


def state_problem(value: str) -> str | None:
    """A state code in any case ("ny" is kept as NY)."""
    return None if value.strip().upper() in STATES else STATE_RULE


def zip_problem(value: str) -> str | None:
    return None if _ZIP.match(value.strip()) else ZIP_RULE


# The rule each listing field meets besides being text a database can keep, by its name in a
# listing document (a part's field as ``part.field``).
FIELD_RULES: dict[str, Callable[[str], str | None]] = {
    "timezone": zone_problem,
    "url": url_problem,
    "website": url_problem,
    "phones.number": phone_problem,
    "address.state": state_problem,
    "address.postal_code": zip_problem,
}


def value_problem(field: str, value: str, max_length: int | None = None) -> str | None:
    """Why ``value`` cannot be kept as the listing field ``field`` (``timezone``,
    ``address.state``, ``phones.number`` …), or None when it can."""
    problem = text_problem(value, max_length or MAX_TEXT)
    if problem is None and (rule := FIELD_RULES.get(field)):
        problem = rule(value)
    return problem


MaxLength = Callable[[str], int | None]


def _no_column_limit(field: str) -> int | None:
    return None


def _part_problems(
    field: str, items: list[Any], *, nested: bool, max_length: MaxLength
) -> dict[str, list[str]]:
    """The problems of a part: each field of the address as ``address.city``; for a list, its
    first bad item under the list's name (``phones``, the value quoted), as the forms and the
    CSV columns name them."""
    limit = LIST_LIMITS.get(field, MAX_LIST_ITEMS)
    if len(items) > limit:
        return {field: [f"At most {limit} items."]}
    errors: dict[str, list[str]] = {}
    for item in items:
        pairs = item.items() if isinstance(item, Mapping) else [("", item)]
        for key, value in pairs:
            if not isinstance(value, str):
                continue
            name = f"{field}.{key}" if key else field
            problem = value_problem(name, value, max_length(name))
            if problem and nested:
                errors[name] = [problem]
            elif problem:
                return {field: [f"{value[:40]!r}: {problem}"]}
    return errors


def listing_problems(
    document: Mapping[str, Any], max_length: MaxLength = _no_column_limit
) -> dict[str, list[str]]:
    """Every field of a listing document (whole, or the fields a change sends) that a later
    read could not show: text a database cannot keep or over ``max_length(field)``, a time zone
    tzdata does not know, a URL that is not a web address, a phone nobody can dial, a state or
    ZIP code that is not one, a list past its limit. Each field's first problem, by its name."""
    errors: dict[str, list[str]] = {}
    for field, value in document.items():
        if isinstance(value, str):
            problem = value_problem(field, value, max_length(field))
            if problem:
                errors[field] = [problem]
        elif isinstance(value, Mapping):
            errors |= _part_problems(field, [value], nested=True, max_length=max_length)
        elif isinstance(value, list | tuple):
            errors |= _part_problems(field, list(value), nested=False, max_length=max_length)
    return errors


# An HSDS address's columns under their listing document names.
_HSDS_ADDRESS = {
    "address_1": "address_1",
    "address_2": "address_2",
    "city": "city",
    "region": "region",
    "state_province": "state",
    "postal_code": "postal_code",
}


def hsds_row_problems(table: str, row: Mapping[str, Any]) -> dict[str, list[str]]:
    """The listing rules for one row of an HSDS package table, as the document it becomes.

    ``locations``, ``services`` and ``organizations`` rows are checked field by field;
    a ``phones`` row as an item of ``phones``; a US ``addresses`` row as ``address``. The
    errors carry the same names and messages as the API and the CSV upload give for the same
    values (``timezone``, ``url``, ``phones``, ``address.state``, ``address.postal_code``).
    """
    strings = {key: value for key, value in row.items() if isinstance(value, str)}
    if table == "locations":
        strings.pop("url", None)  # HSDS gives a location a URL; the directory keeps none
    if table in {"locations", "services", "organizations"}:
        return listing_problems(strings)
    if table == "phones" and "number" in strings:
        return listing_problems({"phones": [{"number": strings["number"]}]})
    if table == "addresses" and (strings.get("country") or "US").upper() in {"US", "USA"}:
        address = {
            name: strings[column] for column, name in _HSDS_ADDRESS.items() if column in strings
        }
        return listing_problems({"address": address}) if address else {}
    return {}

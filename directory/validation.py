"""The rules a stored value must meet so that every later read can show it.

One place for them, used at every edge — the write API's schemas, the portal's forms, the bulk
CSV upload and the operations they all go through — and by the read side to decide whether a
stored value (written before these rules, or by hand) can be shown as it is: a URL that is not
a web address is not linked, an unknown time zone reads as "hours unknown".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from directory.hours import is_known_zone

__all__ = [
    "MAX_LIST_ITEMS",
    "MAX_TEXT",
    "PHONE_RULE",
    "URL_RULE",
    "ZONE_RULE",
    "is_known_zone",
    "is_web_url",
    "phone_problem",
    "text_problem",
    "web_url",
]

# The longest free text a listing keeps in one field (a description, eligibility, …): a page
# of text. Names and short fields have their own, smaller limits in the schemas.
MAX_TEXT = 4000
# The most items of one kind a listing carries (phones, hours spans, languages, categories…).
MAX_LIST_ITEMS = 50

URL_RULE = "Give a full web address starting with https:// (or http://) and a host name."
ZONE_RULE = "Give an IANA time zone such as America/New_York."
PHONE_RULE = (
    "Give a phone number like 212-555-0100, 988 or 1-800-662-HELP: 3 to 20 digits "
    "(a vanity number's letters count), with spaces, dashes, dots or parentheses."
)
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

"""Cleaning what source files say: split names made whole, bare URLs dropped, phones parsed.

What cleaning keeps meets the rules every other route meets (``directory.validation``): a URL
or a phone number that a partner's write would be refused is dropped from the row here, so a
source never stores what the API, the CSV upload or an HSDS import would refuse.

SAMHSA splits a long name over two columns ("Alcohol Counseling and" / "Guidance Services
LLC"); a second name that continues the first is joined to it, while a real second name (a site
or program: "MedMark Treatment Centers" / "Fresno") names the location under its organization.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from directory import validation

# A first name ending in one of these words (or marks) was cut off mid-phrase.
_DANGLING = frozenset(
    {"and", "&", "of", "for", "at", "the", "on", "in", "to", "with", "by", "from", "or", "a"}
    | {"an", "de", "del", "la", "las", "los", "y", "-", "/", ","}
)
# A second name starting with one of these words finishes the first.
_CONTINUING = frozenset(
    {"inc", "inc.", "llc", "pllc", "pc", "p.c.", "ltd", "corp", "co", "and", "&", "of", "for"}
)
_PHONE_DIGITS = re.compile(r"\D")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d+)\s*$", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def whole_names(first: str, second: str | None) -> tuple[str, str]:
    """(organization name, location name) from a name split over two columns."""
    first, second = " ".join(first.split()), " ".join((second or "").split())
    if not second:
        return first, first
    if continues(first, second):
        whole = f"{first.rstrip(',')} {second}" if not first.endswith("-") else first + second
        return whole, whole
    return first, f"{first} — {second}"


def continues(first: str, second: str) -> bool:
    """Whether ``second`` is the rest of a name ``first`` was cut from."""
    words = first.split()
    last = words[-1].casefold() if words else ""
    if last in _DANGLING or first[-1:] in _DANGLING:
        return True
    head = second.split()[0]
    return head.casefold() in _CONTINUING or head[:1].islower()


def web_address(text: str | None) -> str | None:
    """An http(s) address with a real host, or None: "http://" and "n/a" are no address."""
    text = (text or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").casefold()
    if parts.scheme.casefold() not in ("http", "https") or not _HOST.match(host):
        return None
    if " " in text:
        return None
    return text if validation.is_web_url(text) else None


def phone_number(text: str) -> tuple[str, str | None] | None:
    """(number, extension): ``"205-324-6502 x10"`` → ("205-324-6502", "10"); None when the
    text holds no number. A vanity number ("888-PARNEXT") is kept as written."""
    text = " ".join(text.split())
    if not text:
        return None
    extension = None
    match = _EXTENSION.search(text)
    if match:
        # "x0" is the survey form's blank, not an extension.
        extension = match.group(1) if match.group(1).strip("0") else None
        text = text[: match.start()]
    digits = _PHONE_DIGITS.sub("", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", extension
    if not any(ch.isalnum() for ch in text):
        return None
    number = text.strip()[:32]
    return None if validation.phone_problem(number) else (number, extension)

"""Replies to text messages: how to use the service, or one search's answer in three segments.

A search is answered through the one search (``directory.queries.search``) with filters from
the shared schema, like the pages and the APIs. The reply names the three nearest places (or the
nearest beyond the radius), the state's mail programs for the need, and the web results
address; it is shortened to fit :data:`segments.MAX_SEGMENTS`, names first, places last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flask import url_for
from marshmallow import ValidationError

from directory.extensions import db
from directory.filters import SearchArgsSchema, to_filters
from directory.geo import PlaceError, PlaceNotFound
from directory.i18n import current_locale, gettext
from directory.queries import RemoteHit, SearchFilters, SearchHit, search, taxonomy_index
from directory.search.presenters import distance_text, open_status_text, service_label
from directory.search.query_args import place_message
from directory.sms.grammar import Message, Reading
from directory.sms.segments import cut_to_fit, fits, gsm_friendly

PLACES_SHOWN = 3
MAIL_SHOWN = 2
# Names are cut to these lengths, one after the other, before a place is left out.
NAME_LIMITS = (None, 40, 32, 26, 20, 15)
SUGGESTIONS_SHOWN = 3
SEARCH_ARGS = SearchArgsSchema()
# XML 1.0 forbids these control characters even as references: never echo them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def help_reply() -> str:
    return fitted(
        gettext(
            "Text a ZIP code or a city and state, and what you need, to find help near you. "
            "For example: 10001 naloxone, narcan 98101, bupe Gallup, NM, needles 19134. "
            "Needs: naloxone, test strips, needles, bupe, methadone, treatment, detox, shelter. "
            "We keep no record of your texts. Emergency: 911. Crisis: call or text 988. "
            "En español: AYUDA."
        )
    )


def fitted(text: str) -> str:
    """The text as it is sent: GSM-7 where its letters allow, within three segments."""
    return cut_to_fit(gsm_friendly(_NOT_XML.sub("", text)))


@dataclass
class Found:
    """A message's place resolved: the reading it came from and the filters to search with."""

    reading: Reading
    filters: SearchFilters


def resolve(message: Message) -> Found | str:
    """The first reading whose place resolves (a town over a whole state), else the reply that
    says what went wrong, with the place parser's suggestions."""
    if not message.place:
        # Need words and no place ("naloxone"): the rest of the text is not a place either.
        return fitted(
            gettext(
                "Add a ZIP code, or a city and state, to your text. For example: %(example)s",
                example=_example(),
            )
        )
    found: Found | None = None
    first_error: PlaceError | None = None
    for reading in message.readings:
        try:
            filters = _filters(reading)
        except PlaceError as error:
            first_error = first_error or error
            continue
        if found is None:
            found = Found(reading, filters)
        if filters.origin is not None and filters.origin.kind != "state":
            return Found(reading, filters)
    if found is not None:
        return found
    return _unknown_place(message.place, first_error)


def _filters(reading: Reading) -> SearchFilters:
    try:
        args = SEARCH_ARGS.load(
            {"near": reading.place, "service": list(reading.codes), "per_page": PLACES_SHOWN}
        )
    except ValidationError as error:
        raise PlaceNotFound(gettext("That location is not valid.")) from error
    return to_filters(args)


def _example() -> str:
    return gettext("10001 naloxone")


def _unknown_place(place: str, error: PlaceError) -> str:
    lines = [place_message(error, place)]
    if error.suggestions:
        lines.append("; ".join(error.suggestions[:SUGGESTIONS_SHOWN]))
    lines.append(
        gettext("Text a ZIP code or City, ST. For example: %(example)s", example=_example())
    )
    return fitted("\n".join(lines))


def search_reply(found: Found, locale: str) -> str:
    """The answer to a search message, within three segments."""
    filters = found.filters
    result = search(filters, locale=locale)
    hits = result.hits or result.nearest
    mail = _mail_programs(result.remote, result.state) if filters.categories else []
    reply = _Reply(
        heading=_heading(found, bool(result.hits), bool(result.nearest)),
        hits=hits[:PLACES_SHOWN],
        mail=mail[:MAIL_SHOWN],
        tail=_tail(found, hits, mail),
    )
    for text in reply.versions():
        sent = gsm_friendly(_NOT_XML.sub("", text))
        if fits(sent):
            return sent
    return fitted(text)


@dataclass
class _Reply:
    heading: str
    hits: list[SearchHit]
    mail: list[RemoteHit]
    tail: list[str]

    def versions(self) -> Iterator[str]:
        """The reply, shorter each time: names cut, then mail programs, then places left out."""
        for count in range(len(self.hits), -1, -1):
            for mail in range(len(self.mail), -1, -1):
                for limit in NAME_LIMITS:
                    yield self.text(count, mail, limit)

    def text(self, count: int, mail: int, limit: int | None) -> str:
        lines = [self.heading]
        lines += [_place_line(n, hit, limit) for n, hit in enumerate(self.hits[:count], 1)]
        lines += [_mail_line(remote, limit) for remote in self.mail[:mail]]
        return "\n".join([*lines, *self.tail])


def _need_names(codes) -> str:
    terms = taxonomy_index(db.session).terms
    names = []
    for code in codes:
        term = terms.get(code)
        if term is not None:
            name = term.name_es if current_locale() == "es" and term.name_es else term.name
            # "Methadone (opioid treatment program)" reads as "Methadone" in a text.
            names.append(re.sub(r"\s*\(.*?\)", "", name))
    return " / ".join(names)


def _heading(found: Found, within: bool, nearest: bool) -> str:
    filters = found.filters
    place = filters.origin.label if filters.origin else found.reading.place
    need = _need_names(filters.categories)
    miles = f"{filters.radius_miles:g}"
    if within:
        if need:
            return gettext("%(need)s near %(place)s:", need=need, place=place)
        return gettext("Places near %(place)s:", place=place)
    if nearest:
        if need:
            return gettext(
                "%(need)s: none within %(miles)s mi of %(place)s. Nearest:",
                need=need,
                miles=miles,
                place=place,
            )
        return gettext(
            "Nothing within %(miles)s mi of %(place)s. Nearest:", miles=miles, place=place
        )
    if need:
        return gettext("%(need)s: none within 250 mi of %(place)s.", need=need, place=place)
    return gettext("Nothing within 250 mi of %(place)s.", place=place)


def _tail(found: Found, hits: list[SearchHit], mail: list[RemoteHit]) -> list[str]:
    lines = []
    if not hits and not mail:
        lines.append(gettext("Call 211 (free, 24/7 in most places): they know local programs."))
    if not found.filters.categories:
        need_word = gettext("naloxone")
        example = f"{found.reading.place} {need_word}"
        lines.append(
            gettext(
                "For one kind of help, add a word: %(example)s (or test strips, needles, bupe, "
                "methadone).",
                example=example,
            )
        )
    lines.append(gettext("More: %(url)s", url=_results_url(found)))
    return lines


def _results_url(found: Found) -> str:
    language = "es" if current_locale() == "es" else None
    return url_for(
        "search.results",
        near=found.reading.place,
        service=list(found.filters.categories) or None,
        lang=language,
        _external=True,
    )


def _shorten(name: str, limit: int | None) -> str:
    name = " ".join(name.split())
    if limit is None or len(name) <= limit:
        return name
    cut = name[: limit - 3].rsplit(" ", 1)[0] if " " in name[: limit - 3] else name[: limit - 3]
    return cut.rstrip(" ,.-–(") + "..."


def _place_line(number: int, hit: SearchHit, limit: int | None) -> str:
    place = hit.location
    parts = [f"{number}) {_shorten(place.name, limit)}", distance_text(hit.distance_miles)]
    phones = place.phones or [phone for service in hit.services for phone in service.phones]
    if phones:
        phone = phones[0]
        parts.append(phone.number + (f" x{phone.extension}" if phone.extension else ""))
    line = ", ".join(part for part in parts if part)
    if hit.open_status.state == "unknown":
        # The page's "Hours unknown: call before you go", shorter: the phone is on the line.
        unknown = gettext("Hours unknown")
        return f"{line}. {unknown}"
    return f"{line}. {open_status_text(hit.open_status)}"


def _mail_programs(remote: list[RemoteHit], state: str | None) -> list[RemoteHit]:
    """The mail programs for the need: the state's own first, then national ones."""
    by_mail = [hit for hit in remote if hit.reach == "mail"]
    return sorted(by_mail, key=lambda hit: 0 if state and hit.serves.startswith(state) else 1)


def _mail_line(remote: RemoteHit, limit: int | None) -> str:
    service = remote.service
    contact = service.phones[0].number if service.phones else _bare_url(service.url)
    name = _shorten(service_label(service), limit)
    text = gettext("By mail: %(name)s", name=name)
    return f"{text}, {contact}" if contact else text


def _bare_url(url: str | None) -> str:
    if not url:
        return ""
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/")

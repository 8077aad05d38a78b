"""How listings read on the page: labels, hours, distances, verification age, links.

Registered on the blueprint as template helpers, so templates stay free of logic and every
string is translated in one place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from urllib.parse import urlencode

from babel.dates import format_time
from flask import current_app, has_request_context, request
from flask_babel import format_date, format_decimal, lazy_gettext

from directory.extensions import db
from directory.hours import OpenStatus
from directory.i18n import current_locale, gettext
from directory.models import LegalityNote, Source, TaxonomyTerm
from directory.places import directions_url, public_place
from directory.queries.taxonomy import taxonomy_index
from directory.search import bp
from directory.validation import is_web_url

LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# A law summary older than this may no longer describe the law: the page says so.
LEGALITY_STALE_DAYS = 2 * 365
HOTLINES = (
    (lazy_gettext("988 Suicide & Crisis Lifeline (call or text)"), "988"),
    (lazy_gettext("SAMHSA National Helpline (free, confidential, 24/7)"), "1-800-662-4357"),
    (lazy_gettext("Never Use Alone (someone stays on the line while you use)"), "1-800-484-3731"),
)
LEGALITY_STATUS_LABELS = {
    "allowed": lazy_gettext("Allowed"),
    "allowed_with_conditions": lazy_gettext("Allowed with conditions"),
    "prohibited": lazy_gettext("Not allowed"),
    "unclear": lazy_gettext("Unclear"),
}
LEGALITY_TOPIC_LABELS = {
    "naloxone": lazy_gettext("Naloxone"),
    "fentanyl_test_strips": lazy_gettext("Test strips and drug checking"),
    "syringe_services": lazy_gettext("Syringe services"),
    "good_samaritan": lazy_gettext("Calling for help during an overdose (Good Samaritan law)"),
    "overdose_prevention_centers": lazy_gettext("Overdose prevention centers"),
    "drug_possession": lazy_gettext("Drug possession"),
    "treatment_access": lazy_gettext("Getting buprenorphine or methadone"),
}
REACH_LABELS = {
    "mail": lazy_gettext("Available by mail"),
    "phone": lazy_gettext("Available by phone"),
    "online": lazy_gettext("Available online"),
    "text": lazy_gettext("Available by text message"),
}
WEEKDAY_NAMES = (
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
)


def chosen_language() -> str | None:
    """The language chosen with ?lang=, which the public pages' links carry on; else None."""
    chosen = request.args.get("lang") if has_request_context() else None
    return chosen if chosen in current_app.config["LANGUAGES"] else None


@bp.app_url_defaults
def keep_language(endpoint: str, values: dict) -> None:
    """A language chosen with ?lang= follows the person from page to page, without a cookie."""
    if not endpoint.startswith("search.") or "lang" in values:
        return
    chosen = chosen_language()
    if chosen:
        values["lang"] = chosen


def language_switch_url(language: str) -> str:
    """This very page in the other language: same path and query, ``lang`` replaced."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    args.append(("lang", language))
    return f"{request.path}?{urlencode(args)}"


def term_label(term: TaxonomyTerm) -> str:
    return term.name_es if current_locale() == "es" and term.name_es else term.name


def service_label(service) -> str:
    """A service's name; in Spanish, the category's Spanish name when the service is named
    after its category (listings' own names are not translated)."""
    if current_locale() != "es":
        return service.name
    return taxonomy_index(db.session).spanish_names.get(service.name.casefold(), service.name)


def term_labels(terms) -> str:
    return ", ".join(term_label(term) for term in terms)


def service_terms(service, kind: str = "category") -> list[TaxonomyTerm]:
    return sorted((t for t in service.terms if t.kind == kind), key=lambda t: t.sort_order)


def clock_text(moment: datetime | time) -> str:
    """A time of day on the location's own wall clock ("5:00 PM", "17:00"), never converted."""
    return format_time(moment, "short", locale=current_locale())


TENTH, ONE = Decimal("0.1"), Decimal("1")


def distance_text(miles: float | None) -> str:
    if miles is None:
        return ""
    # Kept by the number as shown (tenths under ten miles, as Babel rounds): a few thousand
    # texts in all, each formatted once.
    digits = "0.0" if miles < 10 else "0"
    shown = Decimal(str(miles)).quantize(TENTH if miles < 10 else ONE, ROUND_HALF_EVEN)
    return _distance_text(shown, digits, current_locale())


@lru_cache(maxsize=8192)
def _distance_text(miles: Decimal, digits: str, locale: str) -> str:
    return gettext("%(miles)s mi", miles=format_decimal(miles, format=digits))


def open_status_text(status: OpenStatus, now: datetime | None = None) -> str:
    """ "Open now, closes at 5:00 PM", "Closed, opens Tuesday 9:00 AM" or "Hours unknown"."""
    if status.state == "open":
        if status.closes_at is None:
            return gettext("Open now, 24 hours")
        return gettext("Open now, closes at %(time)s", time=clock_text(status.closes_at))
    if status.state == "closed":
        if status.opens_at is None:
            return gettext("Closed")
        opens = status.opens_at
        today = (now or datetime.now(opens.tzinfo)).astimezone(opens.tzinfo).date()
        when = clock_text(opens)
        if opens.date() == today:
            return gettext("Closed now, opens today at %(time)s", time=when)
        day = WEEKDAY_NAMES[opens.weekday()]
        return gettext("Closed now, opens %(day)s at %(time)s", day=day, time=when)
    return gettext("Hours unknown: call before you go")


def source_text(source: Source | None) -> str:
    if source is None:
        return ""
    return f"{source.name}, {source.vintage}" if source.vintage else source.name


def today_utc() -> date:
    return datetime.now(UTC).date()


def verified_text(
    verified_on: date | None, source: Source | None, today: date | None = None
) -> str:
    """ "Verified Oct 20, 2026 (…)" or, past a year, "Not verified since 2021 (SAMHSA locator…)"."""
    today = today or today_utc()
    origin = source_text(source)
    if verified_on is None:
        text = gettext("Never verified")
    else:
        days = (today - verified_on).days
        if days > 365:
            text = gettext("Not verified since %(year)s", year=verified_on.year)
        elif days <= 0:
            text = gettext("Verified today")
        else:
            text = gettext("Verified %(date)s", date=format_date(verified_on, "medium"))
    return f"{text} ({origin})" if origin else text


def is_stale(verified_on: date | None, today: date | None = None) -> bool:
    return verified_on is None or ((today or today_utc()) - verified_on).days > 365


def legality_is_old(note: LegalityNote, today: date | None = None) -> bool:
    return ((today or today_utc()) - note.law_as_of).days > LEGALITY_STALE_DAYS


def web_link(url: str | None) -> str | None:
    """The URL if it is a plain web address; anything else (javascript:, data:, a bare
    ``http://``, a stored value that does not parse) is never linked."""
    if not url:
        return None
    return url.strip() if is_web_url(url.strip()) else None


# "Text HOME", "Envía HOLA": the word a text line asks for, in capitals.
_TEXT_KEYWORD = re.compile(r"\b(?:text|send|env[ií]e?a?)\s+([A-Z][A-Z0-9]{1,15})\b", re.IGNORECASE)


def text_keyword(phone) -> str | None:
    """The keyword to send to a text-only line ("HOME" for "Text HOME"), if it names one."""
    if phone.type != "text" or not phone.description:
        return None
    match = _TEXT_KEYWORD.search(phone.description)
    return match.group(1).upper() if match and match.group(1).isupper() else None


def phone_href(phone) -> str:
    """``tel:`` for a line to call; ``sms:`` (RFC 5724) with the keyword for a text-only line,
    so tapping it opens a message instead of dialling a short code."""
    digits = "".join(ch for ch in phone.number if ch.isdigit() or ch == "+")
    if phone.type != "text":
        return f"tel:{digits}"
    keyword = text_keyword(phone)
    return f"sms:{digits}?body={keyword}" if keyword else f"sms:{digits}"


def address_lines(location) -> list[str]:
    """The street address as two lines, or none (a confidential place shows its front door)."""
    address = public_place(location).address
    if address is None:
        return []
    street = ", ".join(part for part in (address.address_1, address.address_2) if part)
    return [street, f"{address.city}, {address.state_province} {address.postal_code}"]


@bp.record_once
def install_template_helpers(state) -> None:
    """Helpers every template may call, macros included (they do not see context processors)."""
    state.app.jinja_env.globals.update(
        language_switch_url=language_switch_url,
        hotlines=HOTLINES,
        term_label=term_label,
        term_labels=term_labels,
        service_label=service_label,
        service_terms=service_terms,
        distance_text=distance_text,
        clock_text=clock_text,
        open_status_text=open_status_text,
        verified_text=verified_text,
        is_stale=is_stale,
        source_text=source_text,
        legality_is_old=legality_is_old,
        legality_status_labels=LEGALITY_STATUS_LABELS,
        legality_topic_labels=LEGALITY_TOPIC_LABELS,
        reach_labels=REACH_LABELS,
        weekday_names=WEEKDAY_NAMES,
        directions_url=directions_url,
        phone_href=phone_href,
        text_keyword=text_keyword,
        web_link=web_link,
        address_lines=address_lines,
        public_place=public_place,
    )


@bp.app_context_processor
def page_language() -> dict:
    """The page's language, the other one to switch to, and the one chosen with ?lang=."""
    locale = current_locale()
    other = "es" if locale == "en" else "en"
    return {
        "locale": locale,
        "chosen_language": chosen_language(),
        "other_language": other,
        "other_language_name": LANGUAGE_NAMES[other],
    }

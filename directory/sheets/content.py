"""What a sheet shows, from one search: the places, their hours in short, the law for the needs
on the page, the mail programs, and where to find the same list on the web."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby
from urllib.parse import urlencode

from babel.dates import get_day_names
from flask import url_for

from directory.extensions import db
from directory.hours import week_table
from directory.i18n import current_locale, gettext
from directory.queries import RemoteHit, SearchHit, SearchResult, search, taxonomy_index
from directory.queries.context import LegalitySummary
from directory.search.presenters import clock_text, service_terms, term_label
from directory.search.query_args import SearchForm
from directory.search.results import state_name

# Twelve places fill a page of Letter or A4 with their details; more would need a second page.
PLACES_PER_SHEET = 12
NEEDS_SHOWN = 5
MAIL_SHOWN = 3


@dataclass
class Sheet:
    result: SearchResult
    place: str  # where the places are near: the place searched, or the state
    hits: list[SearchHit]
    beyond_radius: bool  # the places are the nearest ones beyond an empty radius
    needs: list  # the searched taxonomy terms
    notes: list[LegalitySummary]
    mail: list[RemoteHit]
    printed_on: date
    web_url: str


def build_sheet(form: SearchForm, today: date) -> Sheet:
    """The sheet of a search that read without errors (``form.filters`` set)."""
    filters = replace(form.filters, page=1, per_page=PLACES_PER_SHEET)
    result = search(filters, locale=current_locale())
    hits = result.hits or result.nearest
    taxonomy = taxonomy_index(db.session)
    codes = list(filters.categories) or [
        term.code for hit in hits for service in hit.services for term in service_terms(service)
    ]
    # Whether calling for help during an overdose is protected matters wherever the sheet goes.
    topics = [*taxonomy.legality_topics(codes), "good_samaritan"]
    return Sheet(
        result=result,
        place=_place_label(result),
        hits=hits,
        beyond_radius=not result.hits and bool(result.nearest),
        needs=[taxonomy.terms[code] for code in filters.categories if code in taxonomy.terms],
        notes=[note for note in result.legality if note.topic in topics],
        mail=[remote for remote in result.remote if remote.reach == "mail"][:MAIL_SHOWN],
        printed_on=today,
        web_url=results_url(form),
    )


def _place_label(result: SearchResult) -> str:
    origin = result.origin
    if origin is not None and origin.kind != "state":
        return origin.label
    return state_name(result.state) or ""


def results_url(form: SearchForm) -> str:
    """The web results for the same search, written out in full for the paper."""
    query = form.as_query(page=None)
    # lang=None: the language is in the query already (keep_language would add it twice).
    base = url_for("search.results", lang=None, _external=True)
    return base + ("?" + urlencode(query) if query else "")


def needs_offered(hit: SearchHit) -> str:
    """The kinds of help offered at a place (its matching services' categories), in short."""
    terms = {term.code: term for service in hit.services for term in service_terms(service)}
    # "Methadone (opioid treatment program)" reads as "Methadone" on a crowded page.
    labels = [re.sub(r"\s*\(.*?\)", "", term_label(term)) for term in terms.values()]
    shown = ", ".join(labels[:NEEDS_SHOWN])
    return shown + (" …" if len(labels) > NEEDS_SHOWN else "")


def hours_summary(hit: SearchHit) -> str:
    """The week in one line ("Mon–Fri 9:00 AM–5:00 PM; Sat 10:00 AM–2:00 PM"): the place's
    hours, else its service's; days closed are left out."""
    spans = hit.location.spans or next(
        (service.spans for service in hit.services if service.spans), []
    )
    if not spans:
        return gettext("Hours unknown: call before you go")
    names = get_day_names("abbreviated", locale=current_locale())
    days = [(day, tuple(times)) for day, times in week_table(spans)]
    parts = []
    for times, run in groupby(days, key=lambda item: item[1]):
        run_days = [day for day, _ in run]
        if not times:
            continue
        first, last = names[run_days[0]], names[run_days[-1]]
        when = first if first == last else f"{first}–{last}"
        parts.append(f"{when} {_times_text(times)}")
    return "; ".join(parts) or gettext("Hours unknown: call before you go")


def _times_text(times: tuple) -> str:
    texts = []
    for opens, closes in times:
        if opens == closes and opens.hour == 0 and opens.minute == 0:
            texts.append(gettext("Open 24 hours"))
        else:
            texts.append(f"{clock_text(opens)}–{clock_text(closes)}")
    return ", ".join(texts)

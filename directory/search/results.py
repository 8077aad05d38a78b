"""The results page: the search form's choices, and turning a query string into a page.

The query string is read by the same schema as ``/api/v1/search`` (``directory.filters``) and
answered by the same ``directory.queries.search``; bad input re-renders the form with the
message next to the field it concerns (HTTP 422), never an error page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from directory import queries
from directory.extensions import db
from directory.i18n import current_locale
from directory.models import State
from directory.queries import SearchResult, search, taxonomy_index
from directory.queries.taxonomy import Term
from directory.search.query_args import SearchForm, read_search_args

# The most asked-for help, linked from the home page (taxonomy codes).
QUICK_LINKS = (
    ("naloxone", _l("Naloxone (Narcan)")),
    ("fentanyl_test_strips", _l("Test strips")),
    ("syringe_services", _l("Syringe services")),
    ("moud", _l("Treatment and medications (MOUD)")),
    ("overdose_prevention_centers", _l("Overdose prevention centers")),
    ("peer_support", _l("Peer support")),
)
RADIUS_CHOICES = (1, 5, 10, 25, 50, 100, 250)
# Access needs offered as plain checkboxes on the filter form.
ACCESS_CHOICES = ("walk_in", "no_id_required", "anonymous", "same_day")
LANGUAGE_CHOICES = (
    ("es", _l("Spanish")),
    ("zh", _l("Chinese")),
    ("ru", _l("Russian")),
    ("ht", _l("Haitian Creole")),
    ("ar", _l("Arabic")),
    ("fr", _l("French")),
    ("ko", _l("Korean")),
    ("vi", _l("Vietnamese")),
    ("pt", _l("Portuguese")),
    ("tl", _l("Tagalog")),
)
# Needs for which most states publish no list the directory can use: an empty page says the
# list is incomplete, so nobody reads "nothing here" as "nothing exists".
THIN_DATA_NEEDS = (
    "syringe_services",
    "safer_use_supplies",
    "fentanyl_test_strips",
    "xylazine_test_strips",
    "drug_checking",
    "drug_checking_services",
    "overdose_prevention_centers",
)
# Children shown among the top-level categories because people ask for them by name.
NAMED_CHILDREN = ("fentanyl_test_strips", "moud", "buprenorphine", "methadone")


@dataclass
class FilterChoices:
    categories: list[Term] = field(default_factory=list)
    costs: list[Term] = field(default_factory=list)
    access: list[Term] = field(default_factory=list)


def filter_choices(chosen: Iterable[str] = ()) -> FilterChoices:
    """The filter form's checkboxes, from the taxonomy every search already keeps in memory:
    only the terms some listing offers (a box that can only empty the page is not offered),
    and any already chosen, so it can be unticked."""
    session = db.session
    snapshot = queries.snapshot(session)
    taxonomy, in_use = snapshot.taxonomy, snapshot.index.terms_in_use()
    chosen = set(chosen)

    def offered(term: Term) -> bool:
        return term.code in chosen or not in_use.isdisjoint(taxonomy.expand([term.code]))

    choices = FilterChoices()
    for term in sorted(taxonomy.terms.values(), key=lambda term: term.sort_order):
        if not offered(term):
            continue
        if term.kind == "category" and (term.parent_code is None or term.code in NAMED_CHILDREN):
            choices.categories.append(term)
        elif term.kind == "cost":
            choices.costs.append(term)
        elif term.kind == "access" and term.code in ACCESS_CHOICES:
            choices.access.append(term)
    return choices


def searched_need(form: SearchForm) -> Term | None:
    """The one kind of help searched for, when there is exactly one: the heading names it."""
    categories = form.filters.categories if form.filters else ()
    if len(categories) != 1:
        return None
    return taxonomy_index(db.session).terms.get(categories[0])


def page_url(form: SearchForm, **changes) -> str:
    """The results URL for this search with some parameters changed (page, radius, near…)."""
    args = form.as_query(**changes)
    return url_for("search.results") + ("?" + urlencode(args) if args else "")


def banner_notes(result: SearchResult, categories) -> list:
    """The law notes for the searched topics: shown as a banner above the results."""
    topics = taxonomy_index(db.session).legality_topics(list(categories))
    return [note for note in result.legality if note.topic in topics]


# Built once: building a select() (or an ORM get) costs more than reading the row.
_STATE_NAMES = select(State.name, State.name_es).where(State.code == bindparam("code"))


def state_name(code: str | None) -> str | None:
    names = db.session.connection().execute(_STATE_NAMES, {"code": code}).first() if code else None
    if names is None:
        return code
    return names.name_es if current_locale() == "es" else names.name


def results_page():
    form = read_search_args(request.args)
    result = None
    if form.filters is not None:
        result = search(form.filters, locale=current_locale())
    status = 422 if form.errors else 200
    response = make_response(
        render_template(
            "search/results.html",
            form=form,
            result=result,
            banner=banner_notes(result, form.filters.categories) if result else [],
            choices=filter_choices(
                [
                    *form.values.get("service", []),
                    *form.values.get("cost", []),
                    *form.values.get("access", []),
                ]
            ),
            need=searched_need(form),
            thin_data=bool(
                set(form.filters.categories if form.filters else ()) & set(THIN_DATA_NEEDS)
            ),
            radius_choices=RADIUS_CHOICES,
            language_choices=LANGUAGE_CHOICES,
            page_url=page_url,
            # No tile source configured means no map at all: the list is complete without it.
            map_tiles=current_app.config["MAP_TILE_URL"],
            map_attribution=current_app.config["MAP_TILE_ATTRIBUTION"],
            state_name=state_name(result.state) if result else None,
        ),
        status,
    )
    # A search says where someone is and what they need: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response

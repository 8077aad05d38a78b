"""The app ``make load`` serves: the real one, rate limits off, and one route for diagnosis.

Every client of the load test comes from 127.0.0.1 and would share one rate limit, so limits
are off. ``/_load/search-core`` answers a search as the pages and API do — the same argument
schema, place lookup and ``queries.search`` — but returns only the count: no HTML, no JSON
body beyond it. Its throughput beside the API's and the results page's says how much of a
search's cost is the search itself and how much is turning its answer into a page. The
route exists only in this load-test app; the product never serves it.
"""

from __future__ import annotations

from flask import Flask, request

from directory import create_app
from directory.i18n import current_locale
from directory.queries import search
from directory.search.query_args import read_search_args

SEARCH_CORE_PATH = "/_load/search-core"


def create() -> Flask:
    app = create_app({"RATELIMIT_ENABLED": False})

    @app.get(SEARCH_CORE_PATH)
    def search_core():
        form = read_search_args(request.args)
        if form.filters is None:
            return {"errors": form.errors}, 422
        return {"total": search(form.filters, locale=current_locale()).total}

    return app

"""What gunicorn's master prepares before it forks the workers, so that they share it.

Without it each worker would build these during its first searches: the place index (ZIPs,
cities, counties), the search index, the result cards, and what the API and the results pages
make of each card. Those first searches would be slower for the people making them, and each
worker would hold its own copy. Everything here is listing data, nothing about who searched.
"""

from __future__ import annotations

from flask import Flask

from directory.api.schemas import keep_summaries
from directory.geo import warm_up as warm_up_places
from directory.queries.cards import warm_up as warm_up_cards
from directory.queries.index import warm_up as warm_up_search
from directory.search.presenters import card_parts


def warm_up(app: Flask) -> None:
    warm_up_places()
    with app.app_context():
        warm_up_search()
        places, services = warm_up_cards()
        keep_summaries(places, services)
    # Each language in a context of its own: a request keeps the language it found (on g).
    for language in app.config["LANGUAGES"]:
        with (
            app.app_context(),
            app.test_request_context("/search", headers={"Accept-Language": language}),
        ):
            for place in places:
                card_parts(place)

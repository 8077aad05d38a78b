"""What gunicorn's master prepares before it forks (``directory.warm_up``): every place's card,
its API summaries and its results-page parts in each language. A search after it shows exactly
what it would have shown without it, and uses what was prepared instead of making it again.
"""

from __future__ import annotations

from directory.api.schemas import LocationSummarySchema, OrganizationSummarySchema
from directory.extensions import db
from directory.models import Phone
from directory.queries.cards import _caches, card_cache
from directory.warm_up import warm_up
from tests.search.helpers import place, save, service

SEARCHES = (
    ("/api/v1/search?lat=40.75&lng=-73.99", "en"),
    ("/search?lat=40.75&lng=-73.99", "en"),
    ("/search?lat=40.75&lng=-73.99", "es"),
)


def answers(client) -> list[bytes]:
    bodies = []
    for url, language in SEARCHES:
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200
        bodies.append(response.data)
    return bodies


def test_searches_after_the_warm_up_show_what_they_would_have_and_use_what_it_made(app, client):
    hub = place(
        "Harm Reduction Hub",
        40.751,
        -73.99,
        service("Naloxone kits", languages=("es",)),
        service("Test strips", codes=("fentanyl_test_strips",)),
    )
    hub.phones = [Phone(number="212-555-0100")]
    save(hub, place("Neighbour", 40.76, -73.99, service("Syringe exchange", codes=())))
    _caches.clear()
    cold = answers(client)
    # The cards' own parts (here the directions link) are in each page's language.
    english, spanish = cold[1].decode(), cold[2].decode()
    assert "Directions" in english
    assert "Directions" not in spanish
    assert "Cómo llegar" in spanish

    _caches.clear()
    warm_up(app)
    places, services = card_cache(db.session).kept()
    assert {card.name for card in places} == {"Harm Reduction Hub", "Neighbour"}
    assert {card.name for card in services} >= {"Naloxone kits", "Test strips"}
    prepared = {}
    for card in places:
        assert LocationSummarySchema in card.memo
        assert OrganizationSummarySchema in card.organization.memo
        for language in ("en", "es"):
            assert ("html", language, None, "") in card.memo
        prepared[card.id] = dict(card.memo)

    assert answers(client) == cold
    for card in places:
        # Nothing made again: the searches used the very summaries and parts prepared.
        assert card.memo.keys() == prepared[card.id].keys()
        assert all(card.memo[key] is value for key, value in prepared[card.id].items())

"""What the API and the results page show of a kept card is never stale.

Each test shows a card through the API and the page, changes the listing, and checks both show
the change on the next search, in the language and with the links of that request.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import time

import pytest

from directory.extensions import db
from directory.models import Schedule
from tests.search.test_card_cache import (
    hub,  # noqa: F401  (the fixture: two places searched once)
    listed,
    move_street,
    new_source_vintage,
    offered,
    rename_organization,
    rename_place,
    rename_service,
)

NEAR = "lat=40.75&lng=-73.99&radius=25"


def api_card(client) -> dict:
    """The hub's result in the API's answer."""
    answer = client.get(f"/api/v1/search?{NEAR}")
    assert answer.status_code == 200, answer.json
    return next(hit for hit in answer.json["results"] if hit["location"]["name"] != "Neighbour")


def page_card(client, query: str = "", **headers) -> str:
    """The hub's card on the results page, as HTML."""
    # Its own app context, as in a server: the test's own keeps the first request's language.
    with client.application.app_context():
        answer = client.get(f"/search?{NEAR}{query}", headers=headers)
    assert answer.status_code == 200
    cards = re.findall(r'<li class="card".*?</li>\s*(?=<li class="card"|</ol>)', answer.text, re.S)
    assert len(cards) == 2
    return html.unescape(next(card for card in cards if ">Neighbour</a></h3>" not in card))


def make_confidential() -> None:
    listed().confidential = True
    listed().front_door = "Call first for the door"


def remove_place_phone() -> None:
    db.session.delete(listed().phones[0])


def temporarily_close() -> None:
    offered().status = "temporarily_closed"


EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


def open_the_place_all_week() -> None:
    # A row of its own: the place itself is not touched.
    db.session.add(
        Schedule(location_id=listed().id, byday=EVERY_DAY, opens_at=time(0), closes_at=time(0))
    )


def open_the_service_all_week() -> None:
    db.session.add(
        Schedule(service_id=offered().id, byday=EVERY_DAY, opens_at=time(0), closes_at=time(0))
    )


# How the API's card and the page's card each show the change (None: that one does not show it).
Check = Callable[[object], bool] | None
SHOWN: dict[Callable[[], None], tuple[Check, Check]] = {
    rename_place: (
        lambda hit: hit["location"]["name"] == "Harm Reduction Hub East",
        lambda card: ">Harm Reduction Hub East</a></h3>" in card,
    ),
    move_street: (
        lambda hit: hit["location"]["address"]["address_1"] == "99 New Street",
        lambda card: "<p>99 New Street, Testville, NY 10001</p>" in card,
    ),
    rename_service: (
        lambda hit: (
            [service["name"] for service in hit["services"]] == ["Naloxone and test strips"]
        ),
        lambda card: "<li>Naloxone and test strips</li>" in card,
    ),
    rename_organization: (lambda hit: hit["organization"]["name"] == "Renamed Collective", None),
    new_source_vintage: (
        lambda hit: hit["source"]["vintage"] == "2026",
        lambda card: "(Test source, 2026)" in card,
    ),
    make_confidential: (
        lambda hit: hit["location"]["address"] is None and hit["location"]["latitude"] is None,
        lambda card: (
            "Address kept private" in card
            and "data-lat" not in card
            and "Test Street" not in card
            and "Directions" not in card
        ),
    ),
    remove_place_phone: (None, lambda card: "tel:" not in card),
    temporarily_close: (
        lambda hit: [service["status"] for service in hit["services"]] == ["temporarily_closed"],
        lambda card: "<li>Naloxone kits (temporarily closed)</li>" in card,
    ),
    # The hours were unknown; now they say open.
    open_the_place_all_week: (
        lambda hit: hit["open_status"]["state"] == "open" and hit["open_now"] is True,
        lambda card: 'class="status status-open"' in card,
    ),
    open_the_service_all_week: (
        lambda hit: hit["open_status"]["state"] == "open" and hit["open_now"] is True,
        lambda card: 'class="status status-open"' in card,
    ),
}


@pytest.mark.parametrize("change", SHOWN, ids=[change.__name__ for change in SHOWN])
def test_the_api_and_the_page_show_a_change_to_a_card_they_showed_before(hub, client, change):  # noqa: F811
    in_api, on_page = SHOWN[change]
    # Twice: the second answers come from what the first kept.
    for _ in range(2):
        hit, card = api_card(client), page_card(client)
        assert in_api is None or not in_api(hit)
        assert on_page is None or not on_page(card)

    changed = change()
    db.session.commit()
    del changed
    db.session.remove()

    hit, card = api_card(client), page_card(client)
    assert in_api is None or in_api(hit)
    assert on_page is None or on_page(card)


def test_a_kept_card_follows_the_language_and_the_links_of_each_page(hub, client):  # noqa: F811
    link = f'href="/locations/{listed().id}"'
    english = page_card(client)
    assert link in english
    assert "Directions" in english

    chosen = page_card(client, "&lang=es")
    assert f'href="/locations/{listed().id}?lang=es"' in chosen
    assert f'data-url="/locations/{listed().id}?lang=es"' in chosen
    assert "Cómo llegar" in chosen
    assert "Directions" not in chosen

    # Spanish from the browser's language: Spanish words, links without ?lang=.
    by_header = page_card(client, **{"Accept-Language": "es"})
    assert link in by_header
    assert "Cómo llegar" in by_header

    again = page_card(client)
    assert link in again
    assert "Directions" in again
    assert "Cómo llegar" not in again


def test_a_changed_phone_number_shows_on_the_kept_card(hub, client):  # noqa: F811
    assert 'href="tel:2125550100"' in page_card(client)
    listed().phones[0].number = "646-555-0123"
    db.session.commit()
    db.session.remove()
    card = page_card(client)
    assert 'href="tel:6465550123"' in card
    assert "tel:2125550100" not in card

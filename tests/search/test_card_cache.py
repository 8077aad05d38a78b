"""Result cards are kept between searches (``queries.cards.CardCache``), and never shown stale.

Every test searches once (which keeps the cards), changes something a card shows, and searches
again: the second search must show the change, whether it was made here, through the partner
API, or by another worker process.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.geo import place_at
from directory.models import Attribute, Language, Location, Phone, Service, Source
from directory.queries import SearchFilters, search
from directory.queries.cards import CardCache
from directory.queries.engine import engine
from tests.search.helpers import place, run_as_another_worker, save, service, term

HERE = (40.75, -73.99)


def cards() -> list[dict]:
    """What each card of a search near HERE shows, in order."""
    result = search(SearchFilters(origin=place_at(*HERE), radius_miles=25, per_page=100))
    shown = []
    for hit in result.hits:
        location = hit.location
        shown.append(
            {
                "name": location.name,
                "street": location.address.address_1 if location.address else None,
                "organization": location.organization.name,
                "source": location.source.vintage if location.source else None,
                "phones": [phone.number for phone in location.phones],
                "services": [
                    {
                        "name": offered.name,
                        "description": offered.description,
                        "phones": [phone.number for phone in offered.phones],
                        "categories": [t.code for t in offered.terms if t.kind == "category"],
                        "languages": offered.language_codes,
                    }
                    for offered in hit.services
                ],
            }
        )
    return shown


def listed(name: str = "Harm Reduction Hub") -> Location:
    return db.session.scalars(select(Location).where(Location.name == name)).one()


def offered(name: str = "Naloxone kits") -> Service:
    return db.session.scalars(select(Service).where(Service.name == name)).one()


@pytest.fixture
def hub(app):
    source = Source(code=f"test-{uuid.uuid4().hex[:8]}", name="Test source", vintage="2024")
    hub = place("Harm Reduction Hub", 40.751, -73.99, service("Naloxone kits"))
    hub.source = source
    hub.phones = [Phone(number="212-555-0100")]
    save(hub, place("Neighbour", 40.76, -73.99))
    first = cards()
    assert first[0]["name"] == "Harm Reduction Hub"
    assert first[0]["source"] == "2024"
    # The first search kept the cards: the next ones are answered from memory.
    assert listed().id in engine().cards
    return hub


def rename_place() -> None:
    listed().name = "Harm Reduction Hub East"


def move_street() -> None:
    listed().address.address_1 = "99 New Street"


def add_place_phone() -> Location:
    hub = listed()
    hub.phones.append(Phone(number="212-555-0199"))
    return hub


def remove_place_phone() -> None:
    db.session.delete(listed().phones[0])


def add_service_phone() -> Service:
    kits = offered()
    kits.phones.append(Phone(number="212-555-0142"))
    return kits


def describe_service() -> None:
    offered().description = "Free kits, no questions asked"


def rename_service() -> None:
    offered().name = "Naloxone and test strips"


def rename_organization() -> None:
    offered().organization.name = "Renamed Collective"


def new_source_vintage() -> None:
    listed().source.vintage = "2026"


def add_language() -> Service:
    kits = offered()
    kits.languages.append(Language(code="es"))
    return kits


def add_category() -> Service:
    kits = offered()
    kits.attributes.append(Attribute(taxonomy_term=term("fentanyl_test_strips")))
    return kits


def expected_after(change: Callable[[], object]) -> Callable[[dict], bool]:
    checks: dict[Callable[[], object], Callable[[dict], bool]] = {
        rename_place: lambda card: card["name"] == "Harm Reduction Hub East",
        move_street: lambda card: card["street"] == "99 New Street",
        add_place_phone: lambda card: card["phones"] == ["212-555-0100", "212-555-0199"],
        remove_place_phone: lambda card: card["phones"] == [],
        add_service_phone: lambda card: card["services"][0]["phones"] == ["212-555-0142"],
        describe_service: lambda card: (
            card["services"][0]["description"] == "Free kits, no questions asked"
        ),
        rename_service: lambda card: card["services"][0]["name"] == "Naloxone and test strips",
        rename_organization: lambda card: card["organization"] == "Renamed Collective",
        new_source_vintage: lambda card: card["source"] == "2026",
        add_language: lambda card: card["services"][0]["languages"] == ["es"],
        add_category: lambda card: "fentanyl_test_strips" in card["services"][0]["categories"],
    }
    return checks[change]


CHANGES = [
    rename_place,
    move_street,
    add_place_phone,
    remove_place_phone,
    add_service_phone,
    describe_service,
    rename_service,
    rename_organization,
    new_source_vintage,
    add_language,
    add_category,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_a_card_changed_after_it_was_shown_is_shown_changed_by_the_next_search(hub, change):
    shows_change = expected_after(change)
    assert not shows_change(cards()[0])

    changed = change()  # kept until the commit: the session holds its objects weakly
    db.session.commit()
    del changed

    card = next(card for card in cards() if card["name"].startswith("Harm Reduction Hub"))
    assert shows_change(card)
    # The neighbour's card is still the one kept: a change forgets only the cards it touches
    # (an organization or a source also changes every place it lists).
    if change not in (rename_organization, new_source_vintage):
        assert listed("Neighbour").id in engine().cards


def test_a_change_made_through_the_partner_api_is_on_the_next_search(hub, client, monkeypatch):
    from tests.partners.helpers import make_world

    monkeypatch.setitem(client.application.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")
    world = make_world()
    location = listed()
    location.organization = world.org_a
    offered().organization = world.org_a
    db.session.commit()
    assert cards()[0]["organization"] == world.org_a.name

    path = f"/api/v1/locations/{location.id}"
    read = client.get(path)
    answer = client.patch(
        path,
        json={"name": "Hub, renamed by its partner"},
        headers={"Authorization": f"Bearer {world.key_a}", "If-Match": read.headers["ETag"]},
    )
    assert answer.status_code == 200, answer.json
    db.session.remove()

    assert cards()[0]["name"] == "Hub, renamed by its partner"


# Another gunicorn worker: its own process and cache, the same database.
OTHER_WORKER = """
import sys
from sqlalchemy import select
from directory import create_app
from directory.extensions import db
from directory.models import Location, Phone, Service

app = create_app(
    {"TESTING": True, "SECRET_KEY": "other-worker", "SQLALCHEMY_DATABASE_URI": sys.argv[1]}
)
with app.app_context():
    hub = db.session.scalars(select(Location).where(Location.name == "Harm Reduction Hub")).one()
    hub.phones.append(Phone(number="212-555-0177"))
    kits = db.session.scalars(select(Service).where(Service.name == "Naloxone kits")).one()
    kits.organization.name = "Renamed elsewhere"
    db.session.commit()
"""


def test_a_change_committed_by_another_worker_is_on_the_next_search_here(hub, database_url):
    db.session.remove()  # the end of this worker's request
    run_as_another_worker(OTHER_WORKER, database_url)

    card = cards()[0]
    assert card["phones"] == ["212-555-0100", "212-555-0177"]
    assert card["organization"] == "Renamed elsewhere"


def both(n: int) -> tuple[Service, Service]:
    return service(f"Kits {n}"), service(f"Strips {n}")


def test_a_full_cache_still_shows_every_card_right(app, monkeypatch):
    # Room for three cards: every search of five places and ten services forgets some.
    small = CardCache(places=1)
    monkeypatch.setattr(engine(), "cards", small)
    save(
        *[
            place(
                f"Place {n}", 40.751 + n / 100, -73.99, service(f"Kits {n}"), service(f"Strips {n}")
            )
            for n in range(5)
        ]
    )
    expected = [(f"Place {n}", [f"Kits {n}", f"Strips {n}"]) for n in range(5)]
    for _ in range(3):
        assert [(c["name"], [s["name"] for s in c["services"]]) for c in cards()] == expected
        assert len(small) <= 3

    offered("Strips 4").name = "Strips four"
    db.session.commit()
    assert cards()[4]["services"][1]["name"] == "Strips four"

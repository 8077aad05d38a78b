"""A search sees every change to the listings, though it runs on an in-memory index.

The index (``directory.queries.index``) is built by the first search and caught up on every
search after it from the ``search_changes`` rows that writes leave behind. These tests write
the way the app does — through the ORM in this process, in another process, with bulk
statements, in transactions that roll back — and check that the next search agrees with a
full scan of the database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from directory.extensions import db
from directory.geo import haversine_miles, place_at
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    utcnow,
)
from directory.queries import SearchFilters, search, snapshot
from directory.queries.changes import everything_changed
from directory.queries.results import MAX_PER_PAGE
from tests.search.helpers import brute_force, place, run_as_another_worker, save, service, term

HERE = (40.75, -73.99)  # midtown Manhattan
ALBANY = (42.65, -73.75)
RADIUS = 25.0


def found(origin: tuple[float, float] = HERE, radius: float = RADIUS, **filters) -> list[str]:
    """Names of every place the search lists, in order (one page holds them all here)."""
    result = search(
        SearchFilters(origin=place_at(*origin), radius_miles=radius, per_page=100, **filters)
    )
    assert result.total == len(result.hits)
    return [hit.location.name for hit in result.hits]


def found_with_miles(origin: tuple[float, float], radius: float) -> list[tuple[str, float]]:
    """(name, miles) of every place the search lists, page after page."""
    rows: list[tuple[str, float]] = []
    page = 1
    while True:
        result = search(
            SearchFilters(
                origin=place_at(*origin), radius_miles=radius, per_page=MAX_PER_PAGE, page=page
            )
        )
        rows += [(hit.location.name, hit.distance_miles) for hit in result.hits]
        if page >= result.total_pages:
            assert len(rows) == result.total
            return rows
        page += 1


def current_index():
    # Only to check which path a test exercises (caught up, or rebuilt); the behaviour itself
    # is always asserted through search().
    return snapshot(db.session).index


def by_name(name: str) -> Location:
    return db.session.scalars(select(Location).where(Location.name == name)).one()


# --- Writes through the ORM in this process ----------------------------------------------------


def test_a_place_added_after_the_first_search_is_found_at_its_distance_among_the_others(app):
    save(place("Near", 40.751, -73.99), place("Far", 40.80, -73.99))
    assert found() == ["Near", "Far"]
    base = current_index().base

    save(place("Middle", 40.77, -73.99))

    result = search(SearchFilters(origin=place_at(*HERE), radius_miles=RADIUS))
    assert [hit.location.name for hit in result.hits] == ["Near", "Middle", "Far"]
    assert result.total == 3
    middle = result.hits[1]
    assert middle.distance_miles == pytest.approx(haversine_miles(*HERE, 40.77, -73.99))
    assert [(h.location.name, h.distance_miles) for h in result.hits] == brute_force(*HERE, RADIUS)
    assert current_index().base is base  # caught up, not rebuilt


def test_a_moved_place_is_found_at_its_new_address_and_no_longer_at_its_old_one(app):
    save(place("Moving van", 40.76, -73.99), place("Stays put", 40.77, -73.99))
    assert found() == ["Moving van", "Stays put"]
    assert found(ALBANY, 10) == []

    moving = by_name("Moving van")
    moving.latitude, moving.longitude = ALBANY
    db.session.commit()

    assert found() == ["Stays put"]
    assert found(ALBANY, 10) == ["Moving van"]
    assert found_with_miles(ALBANY, 10) == [("Moving van", 0.0)]


@pytest.mark.parametrize(
    ("change", "value"),
    [("archived_at", utcnow()), ("status", "inactive"), ("status", "defunct")],
    ids=["archived", "inactive", "defunct"],
)
def test_a_place_disappears_when_its_only_service_is_archived_or_closed(app, change, value):
    save(
        place("Closing", 40.76, -73.99, service("Kits")),
        place("Open", 40.77, -73.99, service("Other kits")),
        place("Closing one of two", 40.78, -73.99, service("Kits too"), service("Still here")),
    )
    assert found() == ["Closing", "Open", "Closing one of two"]

    for name in ("Kits", "Kits too"):
        closing = db.session.scalars(select(Service).where(Service.name == name)).one()
        setattr(closing, change, value)
    db.session.commit()

    assert found() == ["Open", "Closing one of two"]


# A term the index already knows is caught up in the delta; one new to it forces a rebuild.
@pytest.mark.parametrize(
    "used_elsewhere", [True, False], ids=["term-in-use", "term-new-to-the-directory"]
)
def test_a_category_added_to_a_service_makes_its_place_match_that_category(app, used_elsewhere):
    save(place("Kits only", 40.76, -73.99, service("Kits")))
    if used_elsewhere:
        save(
            place(
                "Already offers it", 40.751, -73.99, service("Needles", codes=["syringe_services"])
            )
        )
    expected_before = ["Already offers it"] if used_elsewhere else []
    assert found(categories=("syringe_services",)) == expected_before

    kits = db.session.scalars(select(Service).where(Service.name == "Kits")).one()
    kits.attributes.append(Attribute(taxonomy_term=term("syringe_services")))
    db.session.commit()

    assert found(categories=("syringe_services",)) == [*expected_before, "Kits only"]


# Likewise a language: known to the index (delta) or new to it (rebuild).
@pytest.mark.parametrize(
    "spoken_elsewhere", [True, False], ids=["language-in-use", "language-new-to-the-directory"]
)
def test_a_language_added_at_a_place_makes_it_match_that_language(app, spoken_elsewhere):
    save(place("English only", 40.76, -73.99))
    if spoken_elsewhere:
        save(place("Already speaks it", 40.751, -73.99, languages=["es"]))
    expected_before = ["Already speaks it"] if spoken_elsewhere else []
    assert found(languages=("es",)) == expected_before

    english_only = by_name("English only")
    english_only.languages.append(Language(code="es"))
    db.session.commit()

    assert found(languages=("es",)) == [*expected_before, "English only"]


def test_places_at_the_same_spot_are_ordered_by_name_whether_listed_before_or_after_the_index(
    app,
):
    spot = (40.7, -74.1)
    save(place("Same spot B", *spot), place("Same spot D", *spot), place("Twin", *spot))
    assert found(spot, 1) == ["Same spot B", "Same spot D", "Twin"]
    base = current_index().base

    save(place("Same spot C", *spot), place("Twin", *spot), place("Same spot A", *spot))

    rows = found_with_miles(spot, 1)
    assert [name for name, _ in rows] == [
        "Same spot A",
        "Same spot B",
        "Same spot C",
        "Same spot D",
        "Twin",
        "Twin",
    ]
    assert rows == brute_force(*spot, 1)
    result = search(SearchFilters(origin=place_at(*spot), radius_miles=1))
    twins = [hit.location.id for hit in result.hits if hit.location.name == "Twin"]
    assert twins == sorted(twins, key=lambda location_id: location_id.hex)  # then by id
    assert current_index().base is base  # the new ones came through the delta


# --- Writes the index learns about some other way -----------------------------------------------

# Another gunicorn worker: its own process, its own app, the same database.
OTHER_WORKER = """
import sys
from sqlalchemy import select
from directory import create_app
from directory.extensions import db
from directory.models import Service
from tests.search.helpers import place, save

app = create_app(
    {"TESTING": True, "SECRET_KEY": "other-worker", "SQLALCHEMY_DATABASE_URI": sys.argv[1]}
)
with app.app_context():
    save(place("Opened by the other worker", 40.76, -73.99))
    closed = db.session.scalars(select(Service).where(Service.name == "Closing kits")).one()
    closed.status = "defunct"
    db.session.commit()
"""


def test_a_change_committed_by_another_worker_is_seen_by_the_next_search_here(app, database_url):
    save(
        place("Closing", 40.751, -73.99, service("Closing kits")),
        place("Open", 40.77, -73.99, service("Open kits")),
    )
    assert found() == ["Closing", "Open"]
    db.session.remove()  # the end of this worker's request

    run_as_another_worker(OTHER_WORKER, database_url)

    assert found() == ["Opened by the other worker", "Open"]


def test_a_bulk_load_announced_as_everything_changed_is_found_by_the_next_search(app):
    save(place("Listed before", 40.751, -73.99))
    assert found() == ["Listed before"]

    organization, location, offered = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    rows = [
        (Organization, {"id": organization, "name": "Bulk org"}),
        (
            Location,
            {
                "id": location,
                "organization_id": organization,
                "name": "Bulk loaded",
                "latitude": 40.76,
                "longitude": -73.99,
                "timezone": "America/New_York",
            },
        ),
        (
            Address,
            {
                "location_id": location,
                "address_1": "2 Bulk St",
                "city": "New York",
                "state_province": "NY",
                "postal_code": "10001",
            },
        ),
        (Service, {"id": offered, "organization_id": organization, "name": "Bulk kits"}),
        (ServiceAtLocation, {"service_id": offered, "location_id": location}),
        (Attribute, {"service_id": offered, "taxonomy_term_id": term("drug_checking").id}),
        (Language, {"location_id": location, "code": "fr"}),
    ]
    for model, values in rows:
        db.session.execute(insert(model.__table__), [values])
    everything_changed(db.session)
    db.session.commit()

    assert found() == ["Listed before", "Bulk loaded"]
    assert found(categories=("drug_checking",)) == ["Bulk loaded"]
    assert found(languages=("fr",)) == ["Bulk loaded"]


# --- Rollbacks ---------------------------------------------------------------------------------


def test_a_place_from_a_rolled_back_transaction_is_not_found_afterwards(app):
    save(place("Kept", 40.751, -73.99))
    assert found() == ["Kept"]

    place("Never committed", 40.76, -73.99)
    db.session.flush()
    # The search shows what is committed (its version), not a transaction's own writes.
    assert found() == ["Kept"]
    db.session.rollback()

    assert found() == ["Kept"]
    save(place("Committed later", 40.77, -73.99))
    assert found() == ["Kept", "Committed later"]


def test_a_move_that_was_rolled_back_leaves_the_place_where_it_was(app):
    save(place("Almost moved", 40.751, -73.99))
    assert found() == ["Almost moved"]

    moving = by_name("Almost moved")
    moving.latitude, moving.longitude = ALBANY
    db.session.flush()
    assert found() == ["Almost moved"]  # not committed: not moved for anyone yet
    db.session.rollback()

    assert found() == ["Almost moved"]
    assert found(ALBANY, 10) == []


# --- Any mix of writes and searches -------------------------------------------------------------

coordinates = st.tuples(st.floats(HERE[0] - 1, HERE[0] + 1), st.floats(HERE[1] - 1, HERE[1] + 1))
writes = st.one_of(
    st.tuples(st.just("add"), coordinates, st.sampled_from(["Site A", "Site B", "Site C"])),
    st.tuples(st.just("move"), st.integers(0, 10**6), coordinates),
    st.tuples(st.just("hide"), st.integers(0, 10**6), st.sampled_from(["archive", "defunct"])),
    st.tuples(st.just("show"), st.integers(0, 10**6)),
)


def apply(write) -> None:
    kind, *args = write
    if kind == "add":
        (lat, lng), name = args
        save(place(name, lat, lng))
        return
    everywhere = db.session.scalars(select(Location).order_by(Location.id)).all()
    if not everywhere:
        return
    location = everywhere[args[0] % len(everywhere)]
    offered = location.service_links[0].service
    if kind == "move":
        location.latitude, location.longitude = args[1]
    elif kind == "hide" and args[1] == "archive":
        offered.archived_at = utcnow()
    elif kind == "hide":
        offered.status = "defunct"
    else:
        offered.archived_at, offered.status = None, "active"
    db.session.commit()


def test_searches_between_any_writes_agree_with_a_full_scan(app):
    save(*(place(f"Site {i % 7}", HERE[0] + i / 100, HERE[1] - i / 90) for i in range(40)))

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        steps=st.lists(st.tuples(writes, coordinates, st.floats(0.5, 100)), min_size=1, max_size=6)
    )
    def agrees(steps):
        for write, origin, radius in steps:
            apply(write)
            assert found_with_miles(origin, radius) == brute_force(*origin, radius)

    agrees()


def test_a_link_moved_to_another_place_takes_its_service_away_from_the_old_place(app):
    """Re-pointing a service's link from one place to another moves it in the results too."""
    old = place("Old Storefront", 40.7128, -74.0060)
    new = place("New Storefront", 40.7306, -73.9866, service("Housing", codes=("housing",)))
    save(old, new)
    assert found(categories=("naloxone",)) == ["Old Storefront"]
    old.service_links[0].location_id = new.id
    db.session.commit()
    assert found(categories=("naloxone",)) == ["New Storefront"]


def test_a_card_added_after_the_index_shows_only_its_matching_services_and_their_hours(app):
    """The index tells each card which services matched and when they open, for old and new
    places alike: a place added later is judged on its own clock like any other."""
    save(place("Old clinic", 40.75, -73.99, hours=[("TU", time(9), time(17))]))
    found()  # the index exists; the next place reaches it through the delta
    tests_strips = service("Test strips", codes=("fentanyl_test_strips",))
    naloxone = service("Naloxone", hours=[("TU", time(20), time(4))])
    save(place("New van", 40.76, -73.98, tests_strips, naloxone))
    tuesday_night = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Tue 22:00 in New York
    result = search(
        SearchFilters(origin=place_at(*HERE), radius_miles=RADIUS, categories=("naloxone",)),
        now=tuesday_night,
    )
    cards = {
        hit.location.name: ([s.name for s in hit.services], hit.open_status.state)
        for hit in result.hits
    }
    assert cards == {
        "Old clinic": (["Old clinic naloxone"], "closed"),
        "New van": (["Naloxone"], "open"),
    }
    opened = search(
        SearchFilters(
            origin=place_at(*HERE), radius_miles=RADIUS, categories=("naloxone",), open_now=True
        ),
        now=tuesday_night,
    )
    assert [hit.location.name for hit in opened.hits] == ["New van"]

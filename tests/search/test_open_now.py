"""Open now / open at: each place's weekly hours on its own wall clock (``now`` injected)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from directory.geo import place_at
from directory.hours import Span
from directory.queries import SearchFilters, search
from directory.queries.opening import CardHours
from tests.search.helpers import place, save, service

WEEKDAYS = "MO,TU,WE,TH,FR"
OFFICE = [(WEEKDAYS, time(9), time(17))]
# Tuesday 24 November 2026, 18:30 in New York = 15:30 in Los Angeles.
TUESDAY_EVENING_EAST = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


def statuses(filters: SearchFilters, now: datetime) -> dict[str, str]:
    return {hit.location.name: hit.open_status.state for hit in search(filters, now=now).hits}


def test_open_now_is_judged_on_each_places_own_clock(app):
    save(
        place("New York office", 40.75, -73.99, hours=OFFICE),
        place(
            "Los Angeles office",
            34.05,
            -118.24,
            hours=OFFICE,
            timezone="America/Los_Angeles",
            state="CA",
        ),
    )
    ny = statuses(SearchFilters(state="NY"), TUESDAY_EVENING_EAST)
    ca = statuses(SearchFilters(state="CA"), TUESDAY_EVENING_EAST)
    assert ny == {"New York office": "closed"}
    assert ca == {"Los Angeles office": "open"}
    hit = search(SearchFilters(state="NY"), now=TUESDAY_EVENING_EAST).hits[0]
    assert hit.open_status.opens_at == datetime(
        2026, 11, 25, 9, tzinfo=hit.open_status.opens_at.tzinfo
    )
    assert hit.open_now is False


def test_overnight_and_round_the_clock_hours(app):
    save(
        place("Night van", 40.75, -73.99, hours=[("TU", time(20), time(4))]),
        place("Always open", 40.76, -73.99, hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]),
    )
    wednesday_2am = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 02:00 in New York
    found = search(SearchFilters(state="NY", open_now=True), now=wednesday_2am).hits
    assert {hit.location.name: hit.open_status.closes_at for hit in found} == {
        "Always open": None,
        "Night van": datetime(2026, 11, 25, 4, tzinfo=found[1].open_status.closes_at.tzinfo),
    }


def test_hours_follow_the_clock_change(app):
    save(place("Office", 40.75, -73.99, hours=OFFICE))
    # Monday 9 March 2026, the day after clocks went forward: 13:30 UTC is 09:30 EDT (open),
    # though it would be 08:30 on standard time.
    after_change = datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
    assert statuses(SearchFilters(state="NY"), after_change) == {"Office": "open"}


def test_places_without_hours_are_unknown_never_closed_and_left_out_by_open_now(app):
    save(
        place("No hours listed", 40.75, -73.99),
        place("Open", 40.76, -73.99, hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]),
    )
    assert statuses(SearchFilters(state="NY"), TUESDAY_EVENING_EAST) == {
        "No hours listed": "unknown",
        "Open": "open",
    }
    hit = search(SearchFilters(state="NY"), now=TUESDAY_EVENING_EAST).hits[0]
    assert hit.open_now is None
    open_now = search(SearchFilters(state="NY", open_now=True), now=TUESDAY_EVENING_EAST)
    assert [h.location.name for h in open_now.hits] == ["Open"]
    assert open_now.total == 1


def test_a_services_own_hours_win_over_its_places_hours(app):
    clinic_hours = service("Naloxone hour", hours=[(WEEKDAYS, time(13), time(14))])
    save(place("Clinic", 40.75, -73.99, clinic_hours, hours=OFFICE))
    tuesday_10am = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    tuesday_1pm = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert statuses(SearchFilters(state="NY"), tuesday_10am) == {"Clinic": "closed"}
    assert statuses(SearchFilters(state="NY"), tuesday_1pm) == {"Clinic": "open"}


def test_a_temporarily_closed_service_is_not_open_whatever_its_hours(app):
    paused = service("Paused kits", status="temporarily_closed")
    save(place("Paused", 40.75, -73.99, paused, hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]))
    assert statuses(SearchFilters(state="NY"), TUESDAY_EVENING_EAST) == {"Paused": "closed"}


def test_open_at_without_an_offset_is_each_places_local_time(app):
    save(
        place("East", 40.75, -73.99, hours=OFFICE),
        place("West", 34.05, -118.24, hours=OFFICE, timezone="America/Los_Angeles", state="CA"),
    )
    tuesday_10am_local = datetime(2026, 11, 24, 10, 0)
    for state in ("NY", "CA"):
        result = search(SearchFilters(state=state, open_at=tuesday_10am_local))
        assert result.total == 1
    tuesday_8am_local = datetime(2026, 11, 24, 8, 0)
    assert search(SearchFilters(state="NY", open_at=tuesday_8am_local)).total == 0


def test_open_now_applies_within_a_radius_too(app):
    save(
        place("Open near", 40.751, -73.99, hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]),
        place("Closed near", 40.752, -73.99, hours=[("SA", time(9), time(10))]),
    )
    filters = SearchFilters(origin=place_at(40.75, -73.99), open_now=True)
    result = search(filters, now=TUESDAY_EVENING_EAST)
    assert [hit.location.name for hit in result.hits] == ["Open near"]


def test_the_open_now_filter_agrees_with_the_status_a_card_shows():
    """The filter asks ``is_open`` of every candidate (without working out when it next
    changes); the card shows ``status``: they must never disagree."""
    office = [Span(WEEKDAYS, time(9), time(17))]
    night = [Span("TU", time(20), time(4))]
    cards = [
        CardHours("America/New_York", [("s1", "active", office)]),
        CardHours("America/New_York", [("s1", "active", night)]),
        CardHours("America/Los_Angeles", [("s1", "active", office), ("s2", "active", night)]),
        CardHours("America/New_York", [("s1", "temporarily_closed", office)]),
        CardHours("America/New_York", [("s1", "active", []), ("s2", "active", office)]),
        CardHours("America/New_York", [("s1", "active", [])]),
        CardHours("Not/A_Zone", [("s1", "active", office)]),
    ]
    instants = [
        TUESDAY_EVENING_EAST,
        datetime(2026, 11, 24, 15, 0, tzinfo=UTC),  # 10:00 in New York, a Tuesday
        datetime(2026, 11, 25, 7, 0, tzinfo=UTC),  # 02:00 Wednesday in New York
        datetime(2026, 3, 9, 13, 30, tzinfo=UTC),  # the day after clocks went forward
        datetime(2026, 11, 24, 10, 0),  # "open at" 10:00 on each place's own clock
        datetime(2026, 11, 24, 23, 0),
    ]
    answers = [
        (card.is_open(at), card.status(at).state == "open") for card in cards for at in instants
    ]
    assert all(fast == shown for fast, shown in answers), answers
    assert sum(shown for _, shown in answers) >= 5  # open cases are among them

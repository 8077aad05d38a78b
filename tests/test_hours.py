"""Opening hours as a person looking for help sees them: open now, closes at, opens at."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.hours import (
    OpenStatus,
    Span,
    format_byday,
    is_open,
    open_status,
    parse_byday,
    spans_from_tuples,
    validate_span,
    week_table,
    zone_for,
)

NEW_YORK = "America/New_York"
NY = ZoneInfo(NEW_YORK)
WEEKDAYS_9_TO_5 = [Span("MO,TU,WE,TH,FR", time(9), time(17))]
FRIDAY_NIGHT = [Span("FR", time(22), time(6))]
ALWAYS = [Span("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]


def ny(day: int, hour: int, minute: int = 0, second: int = 0, *, month: int = 11, fold: int = 0):
    """A New York wall-clock instant in 2026; 23 November 2026 is a Monday."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=NY, fold=fold)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def same_instant(left: datetime | None, right: datetime) -> bool:
    # Aware datetimes sharing a tzinfo compare by wall clock and ignore fold; UTC does not.
    return left is not None and left.astimezone(UTC) == right.astimezone(UTC)


# Same-day spans


def test_a_place_is_open_from_the_minute_it_opens():
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(23, 9)) is True
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(23, 8, 59, 59)) is False


def test_a_place_is_closed_from_the_minute_it_closes():
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(23, 16, 59, 59)) is True
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(23, 17)) is False


def test_a_weekday_place_is_closed_all_weekend():
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(28, 12)) is False
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, ny(29, 12)) is False


def test_an_open_place_says_when_it_closes_in_local_time():
    status = open_status(WEEKDAYS_9_TO_5, NEW_YORK, utc(11, 23, 15))
    assert status == OpenStatus("open", closes_at=ny(23, 17))
    assert status.closes_at.tzinfo == NY


# Overnight spans


def test_a_friday_night_span_is_open_late_friday_and_early_saturday():
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(27, 23)) is True
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(28, 3)) is True
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(28, 5, 59)) is True


def test_a_friday_night_span_is_closed_before_it_opens_and_after_it_ends():
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(27, 21, 59)) is False
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(28, 6)) is False
    assert is_open(FRIDAY_NIGHT, NEW_YORK, ny(27, 3)) is False  # Thursday night is not Friday


def test_a_friday_night_span_closes_on_saturday_morning():
    assert open_status(FRIDAY_NIGHT, NEW_YORK, ny(27, 23)).closes_at == ny(28, 6)


def test_a_sunday_night_span_runs_into_monday_morning_of_the_next_week():
    sunday_night = [Span("SU", time(20), time(2))]
    assert is_open(sunday_night, NEW_YORK, ny(23, 1)) is True  # Monday, left over from Sunday
    assert is_open(sunday_night, NEW_YORK, ny(23, 2)) is False
    assert open_status(sunday_night, NEW_YORK, ny(29, 21)).closes_at == ny(30, 2)


# Whole days


def test_a_midnight_to_midnight_day_is_open_the_whole_day_and_no_more():
    tuesday = [Span("TU", time(0), time(0))]
    assert is_open(tuesday, NEW_YORK, ny(24, 0)) is True
    assert is_open(tuesday, NEW_YORK, ny(24, 23, 59, 59)) is True
    assert is_open(tuesday, NEW_YORK, ny(23, 23, 59)) is False
    assert is_open(tuesday, NEW_YORK, ny(25, 0)) is False
    assert open_status(tuesday, NEW_YORK, ny(24, 12)).closes_at == ny(25, 0)


def test_a_place_open_24_7_is_open_at_every_hour_and_never_closes():
    for hour in range(0, 24 * 7, 5):
        at = ny(23, 0) + timedelta(hours=hour, minutes=17)
        assert open_status(ALWAYS, NEW_YORK, at) == OpenStatus("open", closes_at=None)


def test_back_to_back_whole_days_close_at_the_end_of_the_last_one():
    weekdays = [Span("MO,TU,WE,TH,FR", time(0), time(0))]
    assert open_status(weekdays, NEW_YORK, ny(23, 10)).closes_at == ny(28, 0)


def test_whole_days_over_the_weekend_close_after_the_week_wraps():
    long_weekend = [Span("SA,SU,MO", time(0), time(0))]
    assert open_status(long_weekend, NEW_YORK, ny(29, 10)).closes_at == ny(1, 0, month=12)


def test_an_overnight_span_joining_the_next_days_hours_is_one_stretch():
    shifts = [Span("MO", time(18), time(0)), Span("TU", time(0), time(8))]
    assert open_status(shifts, NEW_YORK, ny(23, 19)).closes_at == ny(24, 8)


# Unknown hours


def test_a_place_without_hours_is_unknown_never_closed():
    at = ny(23, 12)
    assert is_open([], NEW_YORK, at) is None
    assert open_status([], NEW_YORK, at) == OpenStatus("unknown", closes_at=None, opens_at=None)


def test_a_place_whose_rows_name_no_days_is_unknown():
    assert open_status([Span("", time(9), time(17))], NEW_YORK, ny(23, 12)).state == "unknown"


def test_a_place_without_a_time_zone_is_unknown():
    assert is_open(WEEKDAYS_9_TO_5, None, ny(23, 12)) is None
    assert open_status(WEEKDAYS_9_TO_5, "", ny(23, 12)).state == "unknown"


def test_an_unknown_time_zone_name_is_an_error_naming_it_where_a_zone_is_given():
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        zone_for("Mars/Olympus_Mons")


def test_a_stored_unknown_time_zone_makes_the_hours_unknown_not_an_error():
    assert is_open(WEEKDAYS_9_TO_5, "Mars/Olympus_Mons", ny(23, 12)) is None
    assert open_status(WEEKDAYS_9_TO_5, "Not/AZone", ny(23, 12)).state == "unknown"


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(WEEKDAYS_9_TO_5, NEW_YORK, datetime(2026, 11, 23, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        open_status([], NEW_YORK, datetime(2026, 11, 23, 12))


# Time zones


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/Los_Angeles", True),  # 14:30
        ("Pacific/Honolulu", True),  # 12:30
        ("America/New_York", False),  # 17:30
        ("America/Puerto_Rico", False),  # 18:30
    ],
)
def test_the_same_instant_is_judged_on_each_places_own_clock(zone, expected):
    assert is_open(WEEKDAYS_9_TO_5, zone, utc(11, 23, 22, 30)) is expected


def test_the_instant_may_be_given_in_any_zone():
    tokyo_morning = datetime(2026, 11, 24, 7, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert is_open(WEEKDAYS_9_TO_5, "America/Los_Angeles", tokyo_morning) is True
    assert is_open(WEEKDAYS_9_TO_5, NEW_YORK, tokyo_morning) is False


def test_opening_times_come_back_in_the_places_zone():
    status = open_status(WEEKDAYS_9_TO_5, "Pacific/Honolulu", utc(11, 23, 12))
    assert status.opens_at == datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Pacific/Honolulu"))
    assert status.opens_at.tzinfo == ZoneInfo("Pacific/Honolulu")


# Daylight saving time in New York: clocks jump 02:00 → 03:00 on 8 March 2026
# and fall back 02:00 → 01:00 on 1 November 2026.


def test_on_the_spring_forward_sunday_a_span_over_the_skipped_hour_closes_by_the_wall_clock():
    early = [Span("SU", time(1), time(3))]
    status = open_status(early, NEW_YORK, ny(8, 1, 30, month=3))
    assert status.state == "open"
    assert same_instant(status.closes_at, utc(3, 8, 7))  # 03:00 EDT, thirty real minutes later
    assert is_open(early, NEW_YORK, utc(3, 8, 7)) is False
    assert is_open(early, NEW_YORK, ny(8, 3, 30, month=3)) is False


def test_a_span_starting_in_the_skipped_hour_opens_when_the_clocks_jump():
    later = [Span("SU", time(2, 30), time(5))]
    status = open_status(later, NEW_YORK, ny(8, 1, 30, month=3))
    assert status.state == "closed"
    assert same_instant(status.opens_at, utc(3, 8, 7))  # 03:00 EDT
    assert is_open(later, NEW_YORK, utc(3, 8, 7)) is True
    assert is_open(later, NEW_YORK, utc(3, 8, 6, 59)) is False


def test_a_span_inside_the_skipped_hour_does_not_open_that_sunday():
    lost = [Span("SU", time(2, 15), time(2, 45))]
    status = open_status(lost, NEW_YORK, ny(7, 20, month=3))
    assert status.opens_at == ny(15, 2, 15, month=3)


def test_on_the_fall_back_sunday_the_repeated_hour_is_open_both_times():
    repeated = [Span("SU", time(1), time(1, 30))]
    assert is_open(repeated, NEW_YORK, ny(1, 1, 15, fold=0)) is True  # 01:15 EDT
    assert is_open(repeated, NEW_YORK, ny(1, 1, 15, fold=1)) is True  # 01:15 EST
    between = open_status(repeated, NEW_YORK, ny(1, 1, 45, fold=0))
    assert between.state == "closed"
    assert same_instant(between.opens_at, utc(11, 1, 6))  # 01:00 EST, fifteen minutes later


def test_a_saturday_night_span_on_the_fall_back_night_closes_by_the_wall_clock():
    saturday_night = [Span("SA", time(22), time(2))]
    status = open_status(saturday_night, NEW_YORK, datetime(2026, 10, 31, 23, tzinfo=NY))
    assert same_instant(status.closes_at, utc(11, 1, 7))  # 02:00 EST: four real hours, not three
    assert is_open(saturday_night, NEW_YORK, utc(11, 1, 6, 30)) is True  # 01:30 EST


# Next opening


def test_a_closed_place_says_when_it_opens_later_today():
    assert open_status(WEEKDAYS_9_TO_5, NEW_YORK, ny(23, 7)) == OpenStatus(
        "closed", opens_at=ny(23, 9)
    )


def test_a_closed_place_says_when_it_opens_after_closed_days():
    twice_a_week = [Span("MO,TH", time(10), time(14))]
    assert open_status(twice_a_week, NEW_YORK, ny(24, 12)).opens_at == ny(26, 10)


def test_a_closed_place_on_saturday_opens_on_monday_of_the_next_week():
    assert open_status(WEEKDAYS_9_TO_5, NEW_YORK, ny(28, 12)).opens_at == ny(30, 9)


def test_a_place_open_once_a_week_reopens_a_week_after_it_opened():
    mondays = [Span("MO", time(9), time(17))]
    assert open_status(mondays, NEW_YORK, ny(23, 17)).opens_at == ny(30, 9)


def test_a_place_closing_at_midnight_sunday_opens_again_on_its_next_day():
    sunday = [Span("SU", time(18), time(0)), Span("WE", time(8), time(12))]
    assert open_status(sunday, NEW_YORK, ny(30, 0, month=11)).opens_at == ny(2, 8, month=12)


# Week table for the location page


def test_the_week_table_lists_spans_on_the_day_they_start_in_order():
    rows = spans_from_tuples(
        [("MO,WE", time(13), time(17)), ("MO", time(9), time(12)), ("FR", time(22), time(6))]
    )
    table = week_table(rows)
    assert [day for day, _ in table] == list(range(7))
    assert table[0] == (0, [(time(9), time(12)), (time(13), time(17))])
    assert table[2] == (2, [(time(13), time(17))])
    assert table[4] == (4, [(time(22), time(6))])
    assert table[5] == (5, [])


def test_the_week_table_of_a_place_without_hours_is_empty_every_day():
    assert week_table([]) == [(day, []) for day in range(7)]


# Day codes and spans


def test_day_codes_round_trip_in_week_order():
    assert parse_byday("SU,MO,FR") == frozenset({6, 0, 4})
    assert format_byday(parse_byday("SU,MO,FR")) == "MO,FR,SU"
    assert format_byday(parse_byday("MO,TU,WE,TH,FR,SA,SU")) == "MO,TU,WE,TH,FR,SA,SU"


def test_day_codes_tolerate_spaces_and_lower_case():
    assert parse_byday(" mo, We ") == frozenset({0, 2})


@pytest.mark.parametrize("text", ["MO,XX", "MO,,TU", "1MO", "Monday"])
def test_a_bad_day_code_is_refused_and_named(text):
    with pytest.raises(ValueError, match="is not a day code"):
        parse_byday(text)


def test_a_weekday_number_outside_the_week_is_refused():
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        format_byday([7])


def test_any_pair_of_whole_minutes_is_a_valid_span():
    validate_span(time(9), time(17))
    validate_span(time(22), time(6))
    validate_span(time(0), time(0))


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "message"),
    [
        (time(9, 0, 30), time(17), "whole minutes"),
        (time(9), time(17, tzinfo=UTC), "wall-clock"),
        ("09:00", time(17), "time of day"),
    ],
)
def test_a_span_with_seconds_or_its_own_zone_is_refused(opens_at, closes_at, message):
    with pytest.raises(ValueError, match=message):
        validate_span(opens_at, closes_at)


# Property: the fast arithmetic agrees with the whole week spelled out minute by minute.

ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Anchorage",
    "America/Phoenix",
    "Europe/London",
    "Australia/Lord_Howe",  # half-hour clock changes
    "Asia/Kathmandu",
    "UTC",
]
CLOCK_CHANGES = [utc(3, 8, 7), utc(11, 1, 6), utc(3, 29, 1), utc(10, 25, 1), utc(4, 4, 15)]
CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

wall_times = st.one_of(
    st.just(time(0)),
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
spans = st.builds(
    Span,
    st.lists(st.sampled_from(CODES), min_size=1, max_size=7, unique=True).map(",".join),
    wall_times,
    wall_times,
)
instants = st.one_of(
    st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(CLOCK_CHANGES),
        st.integers(-4 * 1440, 4 * 1440),
    ),
)


def open_minutes(schedule: list[Span]) -> set[int]:
    """Every open minute of the week (Monday 00:00 = 0), one by one."""
    minutes = set()
    for row in schedule:
        opens = row.opens_at.hour * 60 + row.opens_at.minute
        closes = row.closes_at.hour * 60 + row.closes_at.minute
        length = closes - opens if closes > opens else 1440 - opens + closes
        for code in row.byday.split(","):
            start = CODES.index(code) * 1440 + opens
            minutes.update((start + i) % (7 * 1440) for i in range(length))
    return minutes


def reference_is_open(minutes: set[int], zone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    return local.weekday() * 1440 + local.hour * 60 + local.minute in minutes


@settings(max_examples=500, deadline=None)
@given(st.lists(spans, max_size=4), st.sampled_from(ZONES), st.sampled_from(ZONES), instants)
def test_open_now_matches_the_week_spelled_out_minute_by_minute(schedule, zone, caller, at):
    expected = reference_is_open(open_minutes(schedule), zone, at) if schedule else None
    assert is_open(schedule, zone, at.astimezone(ZoneInfo(caller))) is expected


@settings(max_examples=150, deadline=None)
@given(st.lists(spans, min_size=1, max_size=3), st.sampled_from(ZONES), instants)
def test_closes_at_and_opens_at_are_the_first_minute_the_state_changes(schedule, zone, at):
    minutes = open_minutes(schedule)
    now_open = reference_is_open(minutes, zone, at)
    status = open_status(schedule, zone, at)
    assert status.state == ("open" if now_open else "closed")
    change = status.closes_at if now_open else status.opens_at
    step = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while step < at + timedelta(days=15):
        if reference_is_open(minutes, zone, step) != now_open:
            assert same_instant(change, step)
            assert change.tzinfo == ZoneInfo(zone)
            return
        step += timedelta(minutes=1)
    assert change is None
    assert len(minutes) == 7 * 1440

"""Weekly opening hours: "open now", "closes at", "opens at" and the week table.

Schedules are HSDS-style weekly rows: any object with ``byday`` ("MO,TU,WE"), ``opens_at`` and
``closes_at`` (``datetime.time``). A row whose ``closes_at`` is not after ``opens_at`` runs past
midnight into the next day; 00:00–00:00 is the whole day. Hours are compared on the location's
local wall clock, in whole minutes: a sign on the door saying "9 to 5" means 9 to 5 whatever the
clocks did overnight. On a spring-forward day a span inside the skipped hour never opens, and on a
fall-back day the repeated hour is open (or closed) both times.

A location without schedule rows has *unknown* hours: the search must never call it closed.
Nor does a location whose stored time zone tzdata does not know: its hours read as unknown (and
the operator is warned once), so one bad value degrades one listing, never a search or a page.
"""

from __future__ import annotations

import logging
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo, available_timezones

logger = logging.getLogger(__name__)

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

# Two weeks and a day: far enough to reach every wall-clock minute of the week even when a
# clock change skips the minutes we are looking for this week.
_SEARCH_DAYS = 15
_DAY = timedelta(days=1)


class Schedule(Protocol):
    """What this module needs from a schedule row (the model, a Span, anything alike)."""

    byday: str
    opens_at: time
    closes_at: time


class Span(NamedTuple):
    """A schedule row that is not a database model, for imports and tests."""

    byday: str
    opens_at: time
    closes_at: time


@dataclass(frozen=True)
class OpenStatus:
    """Whether a location is open at an instant, and when that changes (local aware times)."""

    state: str  # "open" | "closed" | "unknown"
    closes_at: datetime | None = None  # when open; None when it never closes (24/7)
    opens_at: datetime | None = None  # when closed: the next opening


UNKNOWN = OpenStatus("unknown")


def spans_from_tuples(rows: Iterable[tuple[str, time, time]]) -> list[Span]:
    """Turn plain ``(byday, opens_at, closes_at)`` tuples into schedule rows."""
    return [Span(*row) for row in rows]


def parse_byday(text: str) -> frozenset[int]:
    """Read "MO,WE,FR" into weekday numbers (0 = Monday); raises ValueError naming a bad code."""
    if not text.strip():
        return frozenset()
    days = set()
    for code in text.split(","):
        normalized = code.strip().upper()
        if normalized not in DAY_CODES:
            raise ValueError(f"{code.strip()!r} is not a day code; use {','.join(DAY_CODES)}")
        days.add(DAY_CODES.index(normalized))
    return frozenset(days)


def format_byday(days: Iterable[int]) -> str:
    """Write weekday numbers (0 = Monday) as "MO,WE,FR", in week order."""
    days = set(days)
    if not days <= set(range(7)):
        raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), not {sorted(days)}")
    return ",".join(DAY_CODES[day] for day in sorted(days))


def validate_span(opens_at: time, closes_at: time) -> None:
    """Reject times the hours cannot mean: a time zone of their own, or seconds.

    Every pair of wall-clock minutes is a valid span (later-or-equal closing runs overnight).
    """
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, time):
            raise ValueError(f"{name} must be a time of day")
        if value.tzinfo is not None:
            raise ValueError(f"{name} is wall-clock time; the location's time zone applies")
        if value.second or value.microsecond:
            raise ValueError(f"{name} must be whole minutes")


def week_table(schedules: Iterable[Schedule]) -> list[tuple[int, list[tuple[time, time]]]]:
    """The seven weekdays (0 = Monday) with the spans that start on each, sorted by opening."""
    starting: list[set[tuple[time, time]]] = [set() for _ in range(7)]
    for row in schedules:
        for day in parse_byday(row.byday):
            starting[day].add((row.opens_at, row.closes_at))
    return [(day, sorted(spans)) for day, spans in enumerate(starting)]


@lru_cache(maxsize=64)
def zone_for(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``; raises ValueError for a name tzdata does not know."""
    if not is_known_zone(name):
        raise ValueError(f"{name!r} is not an IANA time zone")
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name tzdata knows (the list inputs are checked against)."""
    return frozenset(available_timezones())


def is_known_zone(name: object) -> bool:
    return isinstance(name, str) and name in known_zones()


@lru_cache(maxsize=256)
def stored_zone(name: str | None) -> ZoneInfo | None:
    """The zone of a stored listing, or None (hours unknown) when tzdata does not know it.

    The operator is warned once per bad name; the warning names the stored zone only.
    """
    if not name:
        return None
    try:
        return zone_for(name)
    except ValueError:
        logger.warning("A listing's stored time zone %r is not an IANA zone: hours unknown", name)
        return None


def is_open(schedules: Iterable[Schedule], timezone: str | None, at: datetime) -> bool | None:
    """True or False at the instant ``at`` (timezone-aware), None when the hours are unknown."""
    _require_aware(at)
    week = _week_for(schedules)
    zone = stored_zone(timezone)
    if not week.starts or zone is None:
        return None
    return week.contains(_minute_of_week(at.astimezone(zone)))


def open_status(schedules: Iterable[Schedule], timezone: str | None, at: datetime) -> OpenStatus:
    """Open, closed or unknown at ``at``, with when it next closes or opens, in local time."""
    _require_aware(at)
    week = _week_for(schedules)
    zone = stored_zone(timezone)
    if not week.starts or zone is None:
        return UNKNOWN
    if week.contains(_minute_of_week(at.astimezone(zone))):
        closes_at = None if week.always_open else _next_change(week, zone, at, want_open=False)
        return OpenStatus("open", closes_at=closes_at)
    return OpenStatus("closed", opens_at=_next_change(week, zone, at, want_open=True))


@dataclass(frozen=True)
class _Week:
    """Open minutes of the week as sorted, merged, non-touching [start, end) intervals."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def always_open(self) -> bool:
        return self.starts == (0,) and self.ends == (MINUTES_PER_WEEK,)

    def contains(self, minute: int) -> bool:
        index = bisect_right(self.starts, minute) - 1
        return index >= 0 and minute < self.ends[index]

    def minutes_until_open(self, minute: int) -> int:
        """From a closed minute to the next opening, wrapping past Sunday night."""
        index = bisect_right(self.starts, minute)
        if index < len(self.starts):
            return self.starts[index] - minute
        return self.starts[0] + MINUTES_PER_WEEK - minute

    def minutes_until_closed(self, minute: int) -> int:
        """From an open minute (not 24/7) to the end of its run, wrapping past Sunday night."""
        end = self.ends[bisect_right(self.starts, minute) - 1]
        # A run that reaches Sunday midnight carries on into Monday's first interval.
        if end == MINUTES_PER_WEEK and self.starts[0] == 0:
            end += self.ends[0]
        return end - minute


def _week_for(schedules: Iterable[Schedule]) -> _Week:
    return _compile(tuple((row.byday, row.opens_at, row.closes_at) for row in schedules))


@lru_cache(maxsize=8192)
def _compile(rows: tuple[tuple[str, time, time], ...]) -> _Week:
    """Expand rows into merged minute-of-week intervals; cached because locations share hours."""
    intervals = []
    for byday, opens_at, closes_at in rows:
        opens = opens_at.hour * 60 + opens_at.minute
        closes = closes_at.hour * 60 + closes_at.minute
        length = closes - opens if closes > opens else closes + MINUTES_PER_DAY - opens
        for day in parse_byday(byday):
            start = day * MINUTES_PER_DAY + opens
            end = start + length
            if end > MINUTES_PER_WEEK:
                intervals.append((start, MINUTES_PER_WEEK))
                intervals.append((0, end - MINUTES_PER_WEEK))
            else:
                intervals.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return _Week(tuple(start for start, _ in merged), tuple(end for _, end in merged))


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is needed to tell whether a place is open")


def _minute_of_week(local: datetime) -> int:
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def _next_change(week: _Week, zone: tzinfo, at: datetime, *, want_open: bool) -> datetime | None:
    """The first instant after ``at`` when the location is open (or closed, per ``want_open``).

    While the UTC offset holds, wall-clock minutes advance with real minutes, so the answer is
    plain minute arithmetic; a clock change on the way restarts the sum from the change.
    """
    start = at.astimezone(UTC)
    limit = start + _SEARCH_DAYS * _DAY
    while start < limit:
        offset = _offset(zone, start)
        wall = (start + offset).replace(tzinfo=None)
        minute = _minute_of_week(wall)
        if week.contains(minute) == want_open:
            return start.astimezone(zone)  # the clock change itself opened or closed it
        delta = week.minutes_until_open(minute) if want_open else week.minutes_until_closed(minute)
        change_wall = wall.replace(second=0, microsecond=0) + timedelta(minutes=delta)
        change = (change_wall - offset).replace(tzinfo=UTC)
        clock_change = _first_clock_change(zone, start, change, offset)
        if clock_change is None:
            return change.astimezone(zone)
        start = clock_change
    return None


def _first_clock_change(
    zone: tzinfo, start: datetime, end: datetime, offset: timedelta
) -> datetime | None:
    """The first instant in (start, end] when the zone leaves ``offset``, or None."""
    previous = start
    while previous < end:
        sample = min(previous + _DAY, end)
        if _offset(zone, sample) != offset:
            return _clock_change(zone, previous, sample, offset)
        previous = sample
    return None


def _clock_change(zone: tzinfo, before: datetime, after: datetime, old: timedelta) -> datetime:
    """The instant, to the second, between ``before`` and ``after`` when the offset changes.

    Assumes one change per day, which holds for every zone in tzdata.
    """
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, datetime.fromtimestamp(middle, UTC)) == old:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _offset(zone: tzinfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)

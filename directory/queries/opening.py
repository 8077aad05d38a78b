"""Whether a card is open: the hours of the services shown on it, in the location's time zone.

A service's own schedule wins over its location's; a service without either has unknown hours,
and a card is never called closed because of hours nobody told us. A temporarily closed service
is closed whatever its schedule says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from directory.hours import UNKNOWN, OpenStatus, Span, is_open, open_status, stored_zone

CHUNK = 5000


@dataclass
class CardHours:
    """The schedule rows that decide each matched service's hours at one location."""

    timezone: str
    services: list[tuple[object, str, list[Span]]] = field(default_factory=list)

    def status(self, at: datetime) -> OpenStatus:
        """Open if any shown service is open; closed only if every one is known to be closed."""
        at = self._aware(at)
        if at is None:
            return UNKNOWN  # a local time in a zone nobody knows: hours unknown
        known = self._active_rows()
        hours_unknown = any(status == "active" and not rows for _, status, rows in self.services)
        if not known:
            if hours_unknown:
                return UNKNOWN
            return OpenStatus("closed")  # every service shown is temporarily closed
        combined = open_status(known, self.timezone, at)
        if combined.state == "closed" and hours_unknown:
            return UNKNOWN
        return combined

    def is_open(self, at: datetime) -> bool:
        """Whether ``status(at)`` says open, without working out when it next closes: what
        the "open now" filter asks of every candidate."""
        at, known = self._aware(at), self._active_rows()
        return at is not None and bool(known) and is_open(known, self.timezone, at) is True

    def _aware(self, at: datetime) -> datetime | None:
        """``at``; a local time ("open at") on this place's clock; None if its zone is unknown."""
        if at.tzinfo is not None:
            return at
        zone = stored_zone(self.timezone)
        return None if zone is None else at.replace(tzinfo=zone)

    def _active_rows(self) -> list[Span]:  # a temporarily closed service's hours do not count
        return [row for _, status, rows in self.services if status == "active" for row in rows]


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def assemble(
    pairs: Iterable[tuple[object, object, str, str]],
    of_services: Mapping[object, Sequence[Span]],
    of_locations: Mapping[object, Sequence[Span]],
) -> dict[object, CardHours]:
    """Hours for each location of the (location_id, service_id, status, timezone) pairs, from
    the schedule rows of the services and, for a service without its own, of the location."""
    cards: dict[object, CardHours] = {}
    for location_id, service_id, status, timezone in pairs:
        card = cards.setdefault(location_id, CardHours(timezone))
        rows = of_services.get(service_id) or of_locations.get(location_id, [])
        card.services.append((service_id, status, rows))
    return cards

"""Whether a card is open: the hours of the services shown on it, in the location's time zone.

A service's own schedule wins over its location's; a service without either has unknown hours,
and a card is never called closed because of hours nobody told us. A temporarily closed service
is closed whatever its schedule says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.hours import UNKNOWN, OpenStatus, Span, open_status, stored_zone
from directory.models import Schedule
from directory.queries.predicates import among

CHUNK = 5000


@dataclass
class CardHours:
    """The schedule rows that decide each matched service's hours at one location."""

    timezone: str
    services: list[tuple[object, str, list[Span]]] = field(default_factory=list)

    @property
    def service_ids(self) -> list[object]:
        return [service_id for service_id, _, _ in self.services]

    def status(self, at: datetime) -> OpenStatus:
        """Open if any shown service is open; closed only if every one is known to be closed."""
        if at.tzinfo is None:
            zone = stored_zone(self.timezone)
            if zone is None:
                return UNKNOWN  # a local time in a zone nobody knows: hours unknown
            at = at.replace(tzinfo=zone)
        known = [rows for _, status, rows in self.services if status == "active" and rows]
        hours_unknown = any(status == "active" and not rows for _, status, rows in self.services)
        if not known:
            if hours_unknown:
                return UNKNOWN
            return OpenStatus("closed")  # every service shown is temporarily closed
        combined = open_status([row for rows in known for row in rows], self.timezone, at)
        if combined.state == "closed" and hours_unknown:
            return UNKNOWN
        return combined


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_card_hours(
    session: Session, pairs: Iterable[tuple[object, object, str, str]]
) -> dict[object, CardHours]:
    """Hours for each location of the (location_id, service_id, status, timezone) pairs."""
    pairs = list(pairs)
    location_ids = sorted({pair[0] for pair in pairs})
    service_ids = sorted({pair[1] for pair in pairs})
    by_location: dict[object, list[Span]] = defaultdict(list)
    by_service: dict[object, list[Span]] = defaultdict(list)
    columns = (
        Schedule.location_id,
        Schedule.service_id,
        Schedule.byday,
        Schedule.opens_at,
        Schedule.closes_at,
    )
    dialect = session.get_bind().dialect.name
    # One query per chunk for both owners: a page's hours cost a single round trip.
    for some_locations, some_services in zip_longest(
        chunks(location_ids), chunks(service_ids), fillvalue=()
    ):
        rows = session.execute(
            select(*columns).where(
                or_(
                    among(Schedule.location_id, some_locations, dialect),
                    among(Schedule.service_id, some_services, dialect),
                )
            )
        )
        for location_id, service_id, byday, opens_at, closes_at in rows:
            span = Span(byday, opens_at, closes_at)
            if service_id is not None:
                by_service[service_id].append(span)
            elif location_id is not None:
                by_location[location_id].append(span)
    return assemble(pairs, by_service, by_location)


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

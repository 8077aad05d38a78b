"""What a search asks for (SearchFilters) and what it answers (SearchResult and its hits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from directory.geo import Place
from directory.hours import OpenStatus
from directory.pagination import Page

if TYPE_CHECKING:
    from directory.queries.cards import CardLocation, CardService
    from directory.queries.context import LegalitySummary

DEFAULT_RADIUS_MILES = 25.0
MAX_RADIUS_MILES = 250.0
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# When nothing matches within the radius, this many of the nearest matches beyond it are shown.
NEAREST_COUNT = 3


@dataclass(frozen=True)
class SearchFilters:
    """One search, already validated. Codes are taxonomy codes; a parent matches its children.

    Within a kind the codes are any-of; across kinds every kind must match, and all of them
    must match the same service (a location matches through one of its services).
    """

    origin: Place | None = None
    radius_miles: float = DEFAULT_RADIUS_MILES
    state: str | None = None
    categories: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    q: str | None = None
    open_now: bool = False
    # Naive: that wall-clock time at each location; aware: that instant everywhere.
    open_at: datetime | None = None
    verified_within: int | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def keywords(self) -> list[str]:
        return (self.q or "").split()

    @property
    def filters_hours(self) -> bool:
        return self.open_now or self.open_at is not None

    @property
    def search_state(self) -> str | None:
        """The state whose law applies: the one asked for, else the origin's."""
        return self.state or (self.origin.state if self.origin else None)


@dataclass
class SearchHit:
    """One card: a location and the services there that match the search."""

    location: CardLocation
    services: list[CardService]
    distance_miles: float | None
    open_status: OpenStatus
    open_now: bool | None
    last_verified: date | None

    @property
    def temporarily_closed(self) -> bool:
        return all(service.status == "temporarily_closed" for service in self.services)


@dataclass
class RemoteHit:
    """A service with no door to walk into that reaches the origin by mail, phone or online."""

    service: CardService
    reach: str
    serves: str  # "nationwide", "NY", "NY:Kings" or "10001": the area that covers the origin


@dataclass
class SearchResult:
    origin: Place | None
    hits: list[SearchHit]
    remote: list[RemoteHit]
    legality: list[LegalitySummary]
    total: int
    page: int
    per_page: int
    state: str | None = None
    # Empty unless nothing matched within the radius: then the nearest matches within
    # MAX_RADIUS_MILES, nearest first, so a search never ends with nothing to go to.
    nearest: list[SearchHit] = field(default_factory=list)

    @property
    def paged(self) -> Page:
        return Page(self.page, self.per_page, self.total)

    @property
    def total_pages(self) -> int:
        return self.paged.total_pages

    @property
    def pagination(self) -> dict[str, int]:
        return self.paged.pagination()

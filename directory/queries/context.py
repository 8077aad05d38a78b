"""What a search shows beside its cards: remote services that reach the origin, and state law."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import Place
from directory.models import LegalityNote
from directory.models.states import LEGALITY_TOPICS
from directory.queries.results import SearchFilters

# Local ones first: a ZIP's own programs before the county's, the state's, then nationwide ones.
MAX_REMOTE = 20
SPECIFICITY = {"postal_code": 0, "county": 1, "state": 2, "nationwide": 3}


def covered_codes(filters: SearchFilters) -> list[tuple[str, str]]:
    """(extent type, code) of the areas short of nationwide that contain the search's origin
    (or its whole state, when a state is the place)."""
    origin: Place | None = filters.origin
    if origin is not None and origin.kind == "state":
        origin = None
    areas = []
    state = (origin.state if origin else None) or filters.search_state
    if state:
        areas.append(("state", state))
    if origin is not None and origin.state and origin.county:
        areas.append(("county", f"{origin.state}:{origin.county}"))
    if origin is not None and origin.postal_code:
        areas.append(("postal_code", origin.postal_code))
    return areas


def choose(areas) -> list[RemoteChoice]:
    """From (service id, extent type, code, reach, service name) of the covering areas of the
    matching services: each service once, with its most local area; the most local first,
    then by name; at most MAX_REMOTE."""
    best: dict[object, tuple] = {}
    for service_id, extent_type, code, reach, name in areas:
        current = best.get(service_id)
        if current is None or SPECIFICITY[extent_type] < SPECIFICITY[current[0]]:
            best[service_id] = (extent_type, code, reach, name)
    chosen = sorted(best, key=lambda sid: (SPECIFICITY[best[sid][0]], best[sid][3], str(sid)))
    return [
        RemoteChoice(sid, best[sid][2], best[sid][1] or "nationwide") for sid in chosen[:MAX_REMOTE]
    ]


class RemoteChoice(NamedTuple):
    service_id: object
    reach: str
    serves: str  # "nationwide", "NY", "NY:Kings" or "10001"


@dataclass(frozen=True, slots=True)
class LegalitySummary:
    """A state's legality note as a search shows it, read as a plain row."""

    state_code: str
    topic: str
    locale: str
    status: str
    summary: str
    citation: str | None
    source_name: str
    source_url: str
    law_as_of: date
    reviewed_at: date


_SUMMARY_COLUMNS = [getattr(LegalityNote, name) for name in LegalitySummary.__slots__]


def load_legality(session: Session) -> dict[str, tuple[LegalitySummary, ...]]:
    """Every state's legality notes, in every locale, by state (a few hundred rows: the search
    index keeps them, see ``SearchIndex.legality_notes``)."""
    by_state: dict[str, list[LegalitySummary]] = {}
    for row in session.connection().execute(select(*_SUMMARY_COLUMNS)):
        note = LegalitySummary(*row)
        by_state.setdefault(note.state_code, []).append(note)
    return {state: tuple(notes) for state, notes in by_state.items()}


def notes_in_order(
    notes: Iterable[LegalitySummary], topics_first: list[str], locale: str
) -> list[LegalitySummary]:
    """Of one state's notes: each topic once, in the locale (English where a translation is
    missing), the topics of the searched categories first, then the rest in the fixed topic
    order."""
    by_topic: dict[str, LegalitySummary] = {}
    for note in sorted(notes, key=lambda n: n.locale != locale):
        if note.locale in (locale, "en"):
            by_topic.setdefault(note.topic, note)
    order = topics_first + [t for t in LEGALITY_TOPICS if t not in topics_first]
    rank = {topic: position for position, topic in enumerate(order)}
    return sorted(by_topic.values(), key=lambda note: (rank.get(note.topic, len(rank)), note.topic))

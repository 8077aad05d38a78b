"""Building listings for search tests: many at once, committed together, in real tables."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from datetime import date, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.geo import haversine_miles
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    utcnow,
)
from directory.models.services import VISIBLE_STATUSES


def term(code: str) -> TaxonomyTerm:
    found = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == code))
    assert found is not None, f"unknown taxonomy code {code!r}"
    return found


def service(
    name: str = "Naloxone kits",
    *,
    codes: Iterable[str] = ("naloxone",),
    status: str = "active",
    organization: Organization | None = None,
    description: str | None = None,
    languages: Iterable[str] = (),
    assured_date: date | None = None,
    archived: bool = False,
    hours: Iterable[tuple[str, time, time]] = (),
) -> Service:
    """A service (not yet offered anywhere) tagged with taxonomy codes."""
    offered = Service(
        organization=organization or Organization(name=f"{name} organization"),
        name=name,
        description=description,
        status=status,
        assured_date=assured_date,
        archived_at=utcnow() if archived else None,
    )
    offered.attributes = [Attribute(taxonomy_term=term(code)) for code in codes]
    offered.languages = [Language(code=code) for code in languages]
    offered.schedules = [Schedule(byday=d, opens_at=o, closes_at=c) for d, o, c in hours]
    return offered


def place(
    name: str,
    lat: float,
    lng: float,
    *services_here: Service,
    timezone: str = "America/New_York",
    state: str = "NY",
    postal_code: str = "10001",
    hours: Iterable[tuple[str, time, time]] = (),
    languages: Iterable[str] = (),
    archived: bool = False,
    confidential: bool = False,
    location_type: str = "physical",
    organization: Organization | None = None,
    assured_date: date | None = None,
) -> Location:
    """A location offering the given services (a naloxone service when none are given)."""
    services_here = services_here or (service(f"{name} naloxone"),)
    location = Location(
        organization=organization or services_here[0].organization,
        name=name,
        latitude=lat,
        longitude=lng,
        timezone=timezone,
        location_type=location_type,
        confidential=confidential,
        front_door="Call 555-0100 first" if confidential else None,
        assured_date=assured_date,
        archived_at=utcnow() if archived else None,
        address=Address(
            address_1="1 Test Street",
            city="Testville",
            state_province=state,
            postal_code=postal_code,
        ),
    )
    location.schedules = [Schedule(byday=d, opens_at=o, closes_at=c) for d, o, c in hours]
    location.languages = [Language(code=code) for code in languages]
    location.service_links = [ServiceAtLocation(service=offered) for offered in services_here]
    db.session.add(location)
    return location


def save(*locations: Location) -> None:
    db.session.add_all(locations)
    db.session.commit()


def brute_force(lat: float, lng: float, radius: float) -> list[tuple[str, float]]:
    """Every visible location within the radius by a full scan: (name, miles) in result order."""
    found = []
    everything = select(Location).options(
        selectinload(Location.service_links).selectinload(ServiceAtLocation.service)
    )
    for location in db.session.scalars(everything):
        if location.archived_at is not None or location.location_type != "physical":
            continue
        visible = [
            link.service
            for link in location.service_links
            if link.service.status in VISIBLE_STATUSES and link.service.archived_at is None
        ]
        if not visible:
            continue
        miles = haversine_miles(lat, lng, location.latitude, location.longitude)
        if miles <= radius:
            found.append((miles, location.name, location.id.hex, location.name))
    found.sort()
    return [(name, miles) for miles, _, _, name in found]


def run_as_another_worker(script: str, database_url: str) -> None:
    """Run ``script`` in its own process (another gunicorn worker: its own app, index and
    caches), with the database URL as its argument."""
    subprocess.run(  # noqa: S603 - this venv's python running a script from the tests
        [sys.executable, "-c", script, database_url],
        cwd=Path(__file__).resolve().parents[2],
        check=True,
        capture_output=True,
        timeout=120,
    )

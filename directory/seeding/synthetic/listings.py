"""What a synthetic listing looks like: a place near a real ZIP centroid, one to three
services with a realistic mix of categories, costs, access, languages and weekly hours."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo.index import ZipRecord, get_index
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Source,
    TaxonomyTerm,
)
from directory.seeding.synthetic.bulk import DriverValues, Rows

SOURCE_CODE = "synthetic"
NAME_PREFIX = "Synthetic listing"
DESCRIPTION = "Synthetic listing generated for benchmarks. Not a real service: do not visit."
LOCATIONS_PER_ORGANIZATION = 4
# One service with no door (a hotline, mail-order naloxone) per this many locations.
LOCATIONS_PER_REMOTE_SERVICE = 250
MILES_PER_DEGREE_LAT = 69.0


class Mix:
    """Codes drawn with fixed weights (cumulative weights computed once: this runs millions of
    times)."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.codes = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random, k: int = 1) -> list[str]:
        """Up to k distinct codes."""
        return list(dict.fromkeys(rng.choices(self.codes, cum_weights=self.cumulative, k=k)))


CATEGORY_MIX = Mix(
    {
        "naloxone": 30,
        "fentanyl_test_strips": 14,
        "xylazine_test_strips": 5,
        "drug_checking_services": 2,
        "syringe_services": 10,
        "safer_use_supplies": 8,
        "overdose_prevention_centers": 1,
        "outpatient_treatment": 10,
        "residential_treatment": 4,
        "withdrawal_management": 3,
        "buprenorphine": 9,
        "methadone": 4,
        "naltrexone": 3,
        "peer_support": 8,
        "hiv_testing": 6,
        "hcv_testing": 5,
        "prep": 3,
        "housing": 3,
        "employment": 2,
        "hotlines": 2,
    }
)
COST_MIX = Mix(
    {
        "free": 50,
        "sliding_scale": 12,
        "medicaid": 18,
        "medicare": 5,
        "private_insurance": 10,
        "uninsured_welcome": 5,
    }
)
ACCESS_MIX = Mix({"walk_in": 35, "no_id_required": 20, "anonymous": 15, "same_day": 15})
POPULATION_MIX = Mix(
    {
        "people_who_use_drugs": 30,
        "adults": 20,
        "youth": 8,
        "women": 10,
        "pregnant_people": 5,
        "lgbtq": 8,
        "veterans": 6,
        "people_experiencing_homelessness": 10,
        "justice_involved": 5,
    }
)
OTHER_LANGUAGES = ("zh", "vi", "ht", "ru", "ko", "ar", "fr", "tl")
STATUS_MIX = Mix({"active": 88, "temporarily_closed": 4, "inactive": 4, "defunct": 4})
WEEKDAYS = "MO,TU,WE,TH,FR"
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"


def _hours(rng: random.Random) -> list[tuple[str, time, time]]:
    """A weekly schedule: mostly office hours, some evenings, overnight, 24 h, or unknown."""
    roll = rng.random()
    if roll < 0.15:
        return []
    if roll < 0.50:
        opens = time(rng.choice((8, 9, 10)))
        return [(WEEKDAYS, opens, time(rng.choice((16, 17, 18))))]
    if roll < 0.70:
        return [(WEEKDAYS, time(9), time(17)), ("SA", time(10), time(14))]
    if roll < 0.80:
        return [(ALL_DAYS, time(0), time(0))]
    if roll < 0.90:
        return [("TU,TH,SA", time(20), time(rng.choice((2, 4))))]
    return [("MO,WE,FR", time(12), time(20)), ("SU", time(11), time(15))]


def synthetic_source(session: Session) -> uuid.UUID:
    source = session.scalar(select(Source).where(Source.code == SOURCE_CODE))
    if source is None:
        source = Source(
            code=SOURCE_CODE,
            name="Synthetic listings (benchmarks only)",
            vintage="generated",
            licence="Generated data; no rights reserved.",
            synthetic=True,
        )
        session.add(source)
        session.flush()
    return source.id


def term_ids(session: Session) -> dict[str, uuid.UUID]:
    return dict(session.execute(select(TaxonomyTerm.code, TaxonomyTerm.id)).all())


class Generator:
    """Builds batches of synthetic rows; the content is the same for the same seed."""

    def __init__(
        self, values: DriverValues, source_id: uuid.UUID, terms: dict[str, uuid.UUID], seed: int
    ) -> None:
        self.rng = random.Random(seed)
        self.values = values
        self.source_id = values.id_of(source_id)
        self.terms = {code: values.id_of(term_id) for code, term_id in terms.items()}
        self.zips: list[ZipRecord] = sorted(get_index().zips.values(), key=lambda z: z.code)
        now = datetime.now(UTC)
        self.today = now.date()
        self.now = values.value(now)
        self.serial = 0
        self.organization_id: object = None

    def batch(self, count: int) -> Rows:
        rows = Rows()
        for _ in range(count):
            self._location(rows)
        return rows

    def _stamp(self) -> dict[str, object]:
        return {"created_at": self.now, "last_modified": self.now}

    def _recent_date(self, chance: float) -> object:
        if self.rng.random() >= chance:
            return None
        return self.values.value(self.today - timedelta(days=self.rng.randrange(730)))

    def _archived(self) -> object:
        return self.now if self.rng.random() < 0.01 else None

    def _organization(self, rows: Rows, place: ZipRecord) -> object:
        if self.organization_id is None or self.serial % LOCATIONS_PER_ORGANIZATION == 0:
            self.organization_id = self.values.new_id()
            rows.add(
                Organization,
                id=self.organization_id,
                name=f"{NAME_PREFIX} organization {self.serial + 1} ({place.city}, {place.state})",
                description=DESCRIPTION,
                is_partner=False,
                source_id=self.source_id,
                **self._stamp(),
            )
        return self.organization_id

    def _location(self, rows: Rows) -> None:
        rng, new_id = self.rng, self.values.new_id
        place = rng.choice(self.zips)
        organization_id = self._organization(rows, place)
        self.serial += 1
        location_id = new_id()
        exact = rng.random() < 0.8
        lat, lng = place.lat, place.lng
        if exact:
            # Within about three miles of the ZIP centroid, as a real street address would be.
            lat += rng.uniform(-3, 3) / MILES_PER_DEGREE_LAT
            lng += rng.uniform(-3, 3) / MILES_PER_DEGREE_LAT
        rows.add(
            Location,
            id=location_id,
            organization_id=organization_id,
            name=f"{NAME_PREFIX} {self.serial} — {place.city}, {place.state}",
            description=DESCRIPTION,
            location_type="physical",
            latitude=max(-90.0, min(90.0, lat)),
            longitude=max(-180.0, min(180.0, lng)),
            precision="exact" if exact else "approximate",
            timezone=place.timezone,
            confidential=rng.random() < 0.01,
            assured_date=self._recent_date(0.5),
            source_id=self.source_id,
            archived_at=self._archived(),
            **self._stamp(),
        )
        rows.add(
            Address,
            id=new_id(),
            location_id=location_id,
            address_1=f"{rng.randrange(1, 9999)} Synthetic Street",
            city=place.city,
            region=place.county,
            state_province=place.state,
            postal_code=place.code,
            country="US",
            address_type="physical",
        )
        number = f"555-01{rng.randrange(100):02d}"
        rows.add(Phone, id=new_id(), location_id=location_id, number=number, type="voice")
        if rng.random() < 0.1:
            self._language(rows, "es", location_id=location_id)
        service_hours = rng.random() < 0.1
        if not service_hours:
            self._schedules(rows, location_id=location_id)
        for _ in range(rng.choices((1, 2, 3), cum_weights=(60, 90, 100))[0]):
            service_id = self._service(rows, organization_id, with_hours=service_hours)
            rows.add(
                ServiceAtLocation,
                id=new_id(),
                service_id=service_id,
                location_id=location_id,
                **self._stamp(),
            )
        if self.serial % LOCATIONS_PER_REMOTE_SERVICE == 0:
            self._remote_service(rows, organization_id, place)

    def _language(self, rows: Rows, code: str, *, location_id=None, service_id=None) -> None:
        rows.add(
            Language,
            id=self.values.new_id(),
            location_id=location_id,
            service_id=service_id,
            code=code,
        )

    def _schedules(self, rows: Rows, *, location_id=None, service_id=None) -> None:
        for byday, opens_at, closes_at in _hours(self.rng):
            rows.add(
                Schedule,
                id=self.values.new_id(),
                location_id=location_id,
                service_id=service_id,
                freq="WEEKLY",
                byday=byday,
                opens_at=self.values.value(opens_at),
                closes_at=self.values.value(closes_at),
            )

    def _tag(self, rows: Rows, service_id: object, codes: list[str]) -> None:
        for code in codes:
            rows.add(
                Attribute,
                id=self.values.new_id(),
                service_id=service_id,
                taxonomy_term_id=self.terms[code],
            )

    def _service(self, rows: Rows, organization_id: object, *, with_hours: bool) -> object:
        rng = self.rng
        service_id = self.values.new_id()
        categories = CATEGORY_MIX.pick(rng, rng.choice((1, 1, 2, 3)))
        rows.add(
            Service,
            id=service_id,
            organization_id=organization_id,
            name=f"{NAME_PREFIX} service: {categories[0].replace('_', ' ')}",
            description=DESCRIPTION,
            status=STATUS_MIX.pick(rng)[0],
            assured_date=self._recent_date(0.7),
            source_id=self.source_id,
            archived_at=self._archived(),
            **self._stamp(),
        )
        codes = categories + COST_MIX.pick(rng)
        codes += ACCESS_MIX.pick(rng, rng.choice((0, 1, 1, 2)))
        if rng.random() < 0.3:
            codes += POPULATION_MIX.pick(rng)
        self._tag(rows, service_id, codes)
        if rng.random() < 0.35:
            self._language(rows, "es", service_id=service_id)
        if rng.random() < 0.05:
            self._language(rows, rng.choice(OTHER_LANGUAGES), service_id=service_id)
        if with_hours:
            self._schedules(rows, service_id=service_id)
        return service_id

    def _remote_service(self, rows: Rows, organization_id: object, place: ZipRecord) -> None:
        rng = self.rng
        service_id = self.values.new_id()
        category = rng.choice(("naloxone", "fentanyl_test_strips", "hotlines", "peer_support"))
        rows.add(
            Service,
            id=service_id,
            organization_id=organization_id,
            name=f"{NAME_PREFIX} remote service: {category.replace('_', ' ')}",
            description=DESCRIPTION,
            status="active",
            assured_date=self._recent_date(1.0),
            source_id=self.source_id,
            archived_at=None,
            **self._stamp(),
        )
        self._tag(rows, service_id, [category, "free"])
        roll = rng.random()
        # Nationwide programs are few (a handful of mail-order naloxone and test strip
        # services); most reach one state or county.
        if roll < 0.02:
            extent_type, code = "nationwide", None
        elif roll < 0.6:
            extent_type, code = "state", place.state
        elif roll < 0.9 and place.county:
            extent_type, code = "county", f"{place.state}:{place.county}"
        else:
            extent_type, code = "postal_code", place.code
        rows.add(
            ServiceArea,
            id=self.values.new_id(),
            service_id=service_id,
            extent_type=extent_type,
            code=code,
            reach="mail" if category in ("naloxone", "fentanyl_test_strips") else "phone",
        )

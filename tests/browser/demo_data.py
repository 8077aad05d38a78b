"""A small, clearly fictional set of listings around midtown Manhattan for pages and screenshots.

Shared by the browser tests (tests/browser/conftest.py) and tools/screenshots.py, so the
screenshots show exactly what the tests exercise. Every name says "Example"; no real service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    LegalityNote,
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

EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
WEEKDAYS = "MO,TU,WE,TH,FR"


@dataclass(frozen=True)
class DemoIds:
    """The ids tests navigate to directly."""

    drop_in: str
    clinic: str
    shelter: str
    mobile: str


def _terms(session: Session, codes: list[str]) -> list[Attribute]:
    terms = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code.in_(codes))).all()
    return [Attribute(taxonomy_term=term) for term in terms]


def _service(session: Session, org: Organization, name: str, codes: list[str], **values) -> Service:
    attributes = _terms(session, codes)
    service = Service(organization=org, name=name, status="active", **values)
    service.attributes.extend(attributes)
    session.add(service)
    return service


def _legality_notes() -> list[LegalityNote]:
    reviewed = date(2026, 11, 1)
    source = "Example legal review (fictional, for tests)"
    url = "https://example.org/law"
    return [
        LegalityNote(
            state_code="NY",
            topic="fentanyl_test_strips",
            locale="en",
            status="allowed",
            summary="Fentanyl test strips are legal to have and to hand out in New York.",
            citation="N.Y. Pub. Health Law § 3381 (example)",
            source_name=source,
            source_url=url,
            law_as_of=date(2022, 11, 1),
            reviewed_at=reviewed,
        ),
        LegalityNote(
            state_code="NY",
            topic="fentanyl_test_strips",
            locale="es",
            status="allowed",
            summary="En Nueva York es legal tener y repartir tiras reactivas de fentanilo.",
            citation="N.Y. Pub. Health Law § 3381 (ejemplo)",
            source_name=source,
            source_url=url,
            law_as_of=date(2022, 11, 1),
            reviewed_at=reviewed,
        ),
        LegalityNote(
            state_code="NY",
            topic="naloxone",
            locale="en",
            status="allowed",
            summary="Anyone can get naloxone at a pharmacy without a prescription.",
            citation="N.Y. Pub. Health Law § 3309 (example)",
            source_name=source,
            source_url=url,
            law_as_of=date(2019, 3, 1),
            reviewed_at=reviewed,
        ),
        LegalityNote(
            state_code="NY",
            topic="naloxone",
            locale="es",
            status="allowed",
            summary="Cualquier persona puede conseguir naloxona en una farmacia sin receta.",
            citation="N.Y. Pub. Health Law § 3309 (ejemplo)",
            source_name=source,
            source_url=url,
            law_as_of=date(2019, 3, 1),
            reviewed_at=reviewed,
        ),
    ]


def seed_demo(session: Session) -> DemoIds:
    """Add the demo listings (taxonomy and states must already be loaded); commits."""
    samhsa = Source(
        code="demo-samhsa-2021",
        name="SAMHSA locator",
        vintage="2021 extract",
        as_of_date=date(2021, 6, 1),
    )
    partner = Source(code="demo-partner", name="Partner organization", vintage=None)
    org = Organization(name="Example Harm Reduction Collective", is_partner=True, source=partner)
    clinic_org = Organization(name="Example Community Health Center", source=samhsa)
    session.add_all([samhsa, partner, org, clinic_org])

    drop_in = Location(
        organization=org,
        name="Example Drop-in Center",
        latitude=40.7506,
        longitude=-73.9972,
        timezone="America/New_York",
        description="A drop-in space with supplies, a nurse on Tuesdays and peer workers daily.",
        assured_date=date(2026, 10, 20),
        source=partner,
        address=Address(
            address_1="1 Example St", city="New York", state_province="NY", postal_code="10001"
        ),
        phones=[Phone(number="212-555-0101", type="voice")],
        schedules=[Schedule(byday=EVERY_DAY, opens_at=time(0), closes_at=time(0))],
        languages=[Language(code="en", name="English"), Language(code="es", name="Spanish")],
        accessibility=[Accessibility(description="Step-free entrance and accessible restroom")],
    )
    clinic = Location(
        organization=clinic_org,
        name="Example Treatment Clinic",
        latitude=40.7420,
        longitude=-73.9890,
        timezone="America/New_York",
        precision="approximate",
        assured_date=date(2021, 6, 1),
        source=samhsa,
        address=Address(
            address_1="200 Sample Ave", city="New York", state_province="NY", postal_code="10010"
        ),
        phones=[Phone(number="212-555-0102", type="voice")],
        schedules=[Schedule(byday=WEEKDAYS, opens_at=time(8), closes_at=time(16))],
    )
    shelter = Location(
        organization=org,
        name="Example Safe Haven",
        latitude=40.7600,
        longitude=-73.9800,
        timezone="America/New_York",
        confidential=True,
        front_door="Call the intake line first; staff will meet you at a nearby corner.",
        assured_date=date(2026, 9, 1),
        source=partner,
        address=Address(
            address_1="999 Secret Pl", city="New York", state_province="NY", postal_code="10019"
        ),
        phones=[Phone(number="212-555-0103", type="hotline")],
    )
    mobile = Location(
        organization=org,
        name="Example Outreach Van",
        latitude=40.7150,
        longitude=-73.9900,
        timezone="America/New_York",
        precision="intersection",
        position_description="Corner of Example St and Sample Ave",
        assured_date=date(2026, 11, 2),
        source=partner,
        schedules=[Schedule(byday="WE,FR", opens_at=time(18), closes_at=time(22))],
    )
    places = [drop_in, clinic, shelter, mobile]
    session.add_all(places)

    supplies = _service(
        session,
        org,
        "Naloxone and test strips",
        ["naloxone", "fentanyl_test_strips", "free", "walk_in", "no_id_required", "anonymous"],
        description="Naloxone kits, fentanyl and xylazine test strips, and training in minutes.",
        application_process="Walk in and ask at the front desk; no name needed.",
        assured_date=date(2026, 10, 20),
        source=partner,
    )
    syringes = _service(
        session,
        org,
        "Syringe services",
        ["syringe_services", "safer_use_supplies", "free", "walk_in"],
        assured_date=date(2026, 10, 20),
        source=partner,
    )
    peers = _service(
        session,
        org,
        "Peer support",
        ["peer_support", "free"],
        assured_date=date(2026, 9, 1),
        source=partner,
    )
    bup = _service(
        session,
        clinic_org,
        "Buprenorphine treatment",
        ["treatment", "moud", "buprenorphine", "medicaid", "sliding_scale"],
        eligibility_description="Adults 18 and over.",
        fees_description="Sliding scale; Medicaid accepted.",
        assured_date=date(2021, 6, 1),
        source=samhsa,
        cost_options=[CostOption(option="Sliding scale", amount_description="$0–$40 a visit")],
    )
    by_mail = _service(
        session,
        org,
        "Naloxone by mail",
        ["naloxone", "fentanyl_test_strips", "free", "mail_delivery"],
        url="https://example.org/mail",
        assured_date=date(2026, 8, 1),
        source=partner,
        service_areas=[ServiceArea(extent_type="state", code="NY", reach="mail")],
        phones=[Phone(number="55155", type="text", description="Text KIT to order")],
    )
    session.add(by_mail)
    session.add_all(
        [
            ServiceAtLocation(service=supplies, location=drop_in),
            ServiceAtLocation(service=syringes, location=drop_in),
            ServiceAtLocation(service=peers, location=drop_in),
            ServiceAtLocation(service=peers, location=shelter),
            ServiceAtLocation(service=bup, location=clinic),
            ServiceAtLocation(service=supplies, location=mobile),
        ]
    )
    session.add_all(_legality_notes())
    session.commit()
    ids = {name: str(place.id) for name, place in zip(DemoIds.__annotations__, places, strict=True)}
    return DemoIds(**ids)

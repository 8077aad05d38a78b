"""factory_boy factories for listings, accounts and legality notes (committed for real)."""

from __future__ import annotations

import hashlib
from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from directory.extensions import db
from directory.models import (
    Address,
    ApiKey,
    Attribute,
    LegalityNote,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    User,
)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Example Harm Reduction Org {n}")


class LocationFactory(Base):
    """A physical location in midtown Manhattan unless told otherwise."""

    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Example Site {n}")
    latitude = 40.7506
    longitude = -73.9972
    timezone = "America/New_York"
    address = factory.LazyAttribute(
        lambda o: Address(
            address_1="1 Example St", city="New York", state_province="NY", postal_code="10001"
        )
    )


class ServiceFactory(Base):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Example Service {n}")
    status = "active"
    assured_date = factory.LazyFunction(date.today)

    @factory.post_generation
    def categories(self, create, codes, **kwargs):
        """``ServiceFactory(categories=["naloxone", "free"])`` tags it with taxonomy terms."""
        for code in codes or ():
            term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == code))
            assert term is not None, f"unknown taxonomy code {code!r}"
            self.attributes.append(Attribute(taxonomy_term=term))
        if create and codes:
            db.session.commit()

    @factory.post_generation
    def locations(self, create, locations, **kwargs):
        """``ServiceFactory(locations=[loc])`` offers it at those locations."""
        for location in locations or ():
            self.location_links.append(ServiceAtLocation(location=location))
        if create and locations:
            db.session.commit()


class ScheduleFactory(Base):
    class Meta:
        model = Schedule

    byday = "MO,TU,WE,TH,FR"
    opens_at = time(9)
    closes_at = time(17)


class ServiceAreaFactory(Base):
    class Meta:
        model = ServiceArea

    service = factory.SubFactory(ServiceFactory)
    extent_type = "nationwide"
    code = None
    reach = "phone"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"editor{n}@example.org")
    role = "editor"
    organization = factory.SubFactory(OrganizationFactory)
    password_hash = None


class ApiKeyFactory(Base):
    class Meta:
        model = ApiKey

    organization = factory.SubFactory(OrganizationFactory)
    name = "test key"
    prefix = factory.Sequence(lambda n: f"hrd_{n:08d}"[:12])
    key_hash = factory.Sequence(lambda n: hashlib.sha256(f"key-{n}".encode()).hexdigest())


class LegalityNoteFactory(Base):
    class Meta:
        model = LegalityNote

    state_code = "NY"
    topic = "naloxone"
    locale = "en"
    status = "allowed"
    summary = "You can get naloxone without a prescription."
    citation = "N.Y. Pub. Health Law § 3309"
    source_name = "Example source"
    source_url = "https://example.org/law"
    law_as_of = date(2023, 3, 29)
    reviewed_at = date(2026, 11, 24)

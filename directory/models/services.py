"""Services: what is offered (naloxone, syringe services, buprenorphine…), where and to whom."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from directory.models.details import Language, Phone, Schedule
    from directory.models.locations import Location
    from directory.models.organizations import Organization
    from directory.models.sources import Source
    from directory.models.taxonomy import Attribute

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily_closed")
# Statuses a searcher ever sees; defunct and inactive services are never shown.
VISIBLE_STATUSES = ("active", "temporarily_closed")
EXTENT_TYPES = ("nationwide", "state", "county", "postal_code")
REACHES = ("mail", "phone", "online", "text")


class Service(IdMixin, TimestampMixin, Base):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint(f"status IN {SERVICE_STATUSES}", name="status"),
        # Search asks "is this service visible?" for every candidate location: answered
        # from the index alone.
        Index("ix_services_id_status_archived_at", "id", "status", "archived_at"),
        # HSDS lists services by name: a page is read in this order, not sorted from all rows.
        Index("ix_services_name_id", "name", "id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="active")
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    # "What to expect": how to get the service, in the provider's words.
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    assured_date: Mapped[date | None]  # last human verification
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)
    # Not indexed on its own, as ``Location.archived_at``: an index matching almost every row
    # only misleads SQLite's planner; visibility is read from ix_services_id_status_archived_at.
    archived_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="services")
    source: Mapped[Source | None] = relationship()
    location_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    locations: Mapped[list[Location]] = relationship(
        secondary="service_at_locations", viewonly=True
    )
    attributes: Mapped[list[Attribute]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    cost_options: Mapped[list[CostOption]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    languages: Mapped[list[Language]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    # The terms come from the cached taxonomy, so a page of results needs no Attribute objects.
    @property
    def terms(self) -> list:
        """The service's taxonomy terms, of every kind (categories, cost, access…)."""
        return [attribute.taxonomy_term for attribute in self.attributes]

    @property
    def language_codes(self) -> list[str]:
        """The codes of the languages the service is offered in, sorted."""
        return sorted({language.code for language in self.languages})

    @hybrid_property
    def visible(self) -> bool:
        """A searcher may see it: active or temporarily closed, and not archived. The same
        rule in SQL (``select(Service).where(Service.visible)``) and on a loaded service."""
        return self.status in VISIBLE_STATUSES and self.archived_at is None

    @visible.inplace.expression
    @classmethod
    def _visible_expression(cls) -> ColumnElement[bool]:
        return and_(cls.status.in_(VISIBLE_STATUSES), cls.archived_at.is_(None))

    def __repr__(self) -> str:
        return f"<Service {self.name!r}>"


class ServiceAtLocation(IdMixin, TimestampMixin, Base):
    __tablename__ = "service_at_locations"
    __table_args__ = (
        UniqueConstraint("service_id", "location_id"),
        # Covers "which services are offered here" without reading the table.
        Index("ix_service_at_locations_location_id_service_id", "location_id", "service_id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="location_links")
    location: Mapped[Location] = relationship(back_populates="service_links")


class ServiceArea(IdMixin, Base):
    """Where a service with no door to walk into reaches people (by mail, phone or online).

    One row per covered unit, so "does it serve this origin?" is an indexed equality:
    ``nationwide`` (code NULL), ``state`` (code "NY"), ``county`` (code "NY:Kings"),
    ``postal_code`` (code "10001").
    """

    __tablename__ = "service_areas"
    __table_args__ = (
        CheckConstraint(f"extent_type IN {EXTENT_TYPES}", name="extent_type"),
        CheckConstraint(f"reach IN {REACHES}", name="reach"),
        CheckConstraint(
            "(extent_type = 'nationwide') = (code IS NULL)", name="code_matches_extent"
        ),
        Index("ix_service_areas_extent_type_code", "extent_type", "code"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    extent_type: Mapped[str] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(64))
    reach: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_areas")


class CostOption(IdMixin, Base):
    __tablename__ = "cost_options"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    option: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")

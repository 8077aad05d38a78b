"""Locations: the places a person can go to (or the postal/virtual presence of a service)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from directory.models.details import Language, Phone, Schedule
    from directory.models.organizations import Organization
    from directory.models.services import Service, ServiceAtLocation
    from directory.models.sources import Source

LOCATION_TYPES = ("physical", "postal", "virtual")
# How well the coordinates pin the door: geocoded exactly, a ZIP centroid, or a street corner.
PRECISIONS = ("exact", "approximate", "intersection")


class Location(IdMixin, TimestampMixin, Base):
    __tablename__ = "locations"
    __table_args__ = (
        # Radius search reads everything it ranks by from this index alone (no table lookups):
        # the coordinates first for the bounding box, then visibility, id and name.
        Index(
            "ix_locations_latitude_longitude",
            "latitude",
            "longitude",
            "archived_at",
            "location_type",
            "id",
            "name",
        ),
        CheckConstraint(f"location_type IN {LOCATION_TYPES}", name="location_type"),
        CheckConstraint(f"precision IN {PRECISIONS}", name="precision"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    precision: Mapped[str] = mapped_column(String(16), default="exact")
    # Where a mobile stop is described by a street corner rather than a street address.
    position_description: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    # A confidential location shows only its front door: a phone or intake instructions.
    confidential: Mapped[bool] = mapped_column(default=False)
    front_door: Mapped[str | None] = mapped_column(Text)
    assured_date: Mapped[date | None]
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)
    # Not indexed on its own: almost every row is NULL, and without statistics SQLite takes
    # ``archived_at IS NULL`` for a selective equality and walks such an index instead of the
    # state's addresses or the place's links (the state pages took 8-142 s on the national data).
    archived_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="locations")
    source: Mapped[Source | None] = relationship()
    address: Mapped[Address | None] = relationship(
        back_populates="location", cascade="all, delete-orphan", uselist=False
    )
    service_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    services: Mapped[list[Service]] = relationship(
        secondary="service_at_locations", viewonly=True, order_by="Service.name"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    languages: Mapped[list[Language]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    accessibility: Mapped[list[Accessibility]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )

    @hybrid_property
    def visible(self) -> bool:
        """A searcher may find it: a place to go to (physical), not archived. The same rule
        in SQL (``select(Location).where(Location.visible)``) and on a loaded location."""
        return self.location_type == "physical" and self.archived_at is None

    @visible.inplace.expression
    @classmethod
    def _visible_expression(cls) -> ColumnElement[bool]:
        return and_(cls.archived_at.is_(None), cls.location_type == "physical")

    def __repr__(self) -> str:
        return f"<Location {self.name!r}>"


class Address(IdMixin, Base):
    __tablename__ = "addresses"
    __table_args__ = (
        CheckConstraint("address_type IN ('physical', 'postal', 'virtual')", name="address_type"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), unique=True
    )
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(128))  # county
    state_province: Mapped[str] = mapped_column(String(2), index=True)
    postal_code: Mapped[str] = mapped_column(String(10), index=True)
    country: Mapped[str] = mapped_column(String(2), default="US")
    address_type: Mapped[str] = mapped_column(String(16), default="physical")

    location: Mapped[Location] = relationship(back_populates="address")


class Accessibility(IdMixin, Base):
    __tablename__ = "accessibility"

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))

    location: Mapped[Location] = relationship(back_populates="accessibility")

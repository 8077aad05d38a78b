"""Contact details and hours, attached to a location, a service or an organization."""

from __future__ import annotations

import uuid
from datetime import time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin

if TYPE_CHECKING:
    from directory.models.locations import Location
    from directory.models.services import Service

PHONE_TYPES = ("voice", "text", "fax", "hotline", "tty")


class Phone(IdMixin, Base):
    __tablename__ = "phones"
    __table_args__ = (
        CheckConstraint(f"type IN {PHONE_TYPES}", name="type"),
        CheckConstraint(
            "location_id IS NOT NULL OR service_id IS NOT NULL OR organization_id IS NOT NULL",
            name="has_owner",
        ),
    )

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(32))
    extension: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16), default="voice")
    description: Mapped[str | None] = mapped_column(String(255))

    location: Mapped[Location | None] = relationship(back_populates="phones")
    service: Mapped[Service | None] = relationship(back_populates="phones")


class Schedule(IdMixin, Base):
    """A weekly opening span in the location's own time zone (see ``directory.hours``).

    ``closes_at <= opens_at`` runs past midnight; 00:00–00:00 is the whole day.
    """

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("location_id IS NOT NULL OR service_id IS NOT NULL", name="has_owner"),
        CheckConstraint("freq = 'WEEKLY'", name="weekly"),
    )

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    freq: Mapped[str] = mapped_column(String(8), default="WEEKLY")
    byday: Mapped[str] = mapped_column(String(32))  # "MO,TU,WE"
    opens_at: Mapped[time]
    closes_at: Mapped[time]
    description: Mapped[str | None] = mapped_column(Text)

    location: Mapped[Location | None] = relationship(back_populates="schedules")
    service: Mapped[Service | None] = relationship(back_populates="schedules")


class Language(IdMixin, Base):
    __tablename__ = "languages"
    __table_args__ = (
        CheckConstraint("location_id IS NOT NULL OR service_id IS NOT NULL", name="has_owner"),
    )

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16), index=True)  # ISO 639-1 ("es") or 639-3
    name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(255))

    location: Mapped[Location | None] = relationship(back_populates="languages")
    service: Mapped[Service | None] = relationship(back_populates="languages")

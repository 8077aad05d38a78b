"""Organizations: the bodies that run services (a partner, a clinic, a health department)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from directory.models.locations import Location
    from directory.models.services import Service
    from directory.models.sources import Source


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    # A partner organization keeps its own listings; others are imported and not verified by it.
    is_partner: Mapped[bool] = mapped_column(default=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)
    archived_at: Mapped[datetime | None]

    source: Mapped[Source | None] = relationship()
    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"

"""Where listings come from: a partner, a SAMHSA extract, an HSDS import, a state list."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base, IdMixin, utcnow


class Source(IdMixin, Base):
    """A named origin of listings, shown on every listing with its vintage."""

    __tablename__ = "sources"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))  # "SAMHSA locator"
    vintage: Mapped[str | None] = mapped_column(String(64))  # "2021 extract"
    url: Mapped[str | None] = mapped_column(String(500))
    as_of_date: Mapped[date | None]
    licence: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceRecord(IdMixin, Base):
    """One row of a source file, keyed by its stable external key, and what it became."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("source_id", "external_key"),)

    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_key: Mapped[str] = mapped_column(String(255))
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    row_hash: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime | None]

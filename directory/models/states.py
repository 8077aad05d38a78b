"""States and territories, and what their law says about each kind of service."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin

LEGALITY_TOPICS = (
    "naloxone",
    "fentanyl_test_strips",
    "syringe_services",
    "good_samaritan",
    "overdose_prevention_centers",
    "drug_possession",
    "treatment_access",
)
LEGALITY_STATUSES = ("allowed", "allowed_with_conditions", "prohibited", "unclear")


class State(Base):
    __tablename__ = "states"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_es: Mapped[str] = mapped_column(String(64))
    fips: Mapped[str] = mapped_column(String(2), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))

    legality_notes: Mapped[list[LegalityNote]] = relationship(
        back_populates="state", order_by="LegalityNote.topic"
    )


class LegalityNote(IdMixin, TimestampMixin, Base):
    __tablename__ = "legality_notes"
    __table_args__ = (
        UniqueConstraint("state_code", "topic", "locale"),
        CheckConstraint(f"topic IN {LEGALITY_TOPICS}", name="topic"),
        CheckConstraint(f"status IN {LEGALITY_STATUSES}", name="status"),
        CheckConstraint("locale IN ('en', 'es')", name="locale"),
    )

    state_code: Mapped[str] = mapped_column(ForeignKey("states.code", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(2), default="en")
    status: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    citation: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(255))
    source_url: Mapped[str] = mapped_column(String(500))
    law_as_of: Mapped[date]
    reviewed_at: Mapped[date]
    # What the last review read for this note, so the next one starts there:
    # ``[{"url": "https://…" or null, "note": "what it says, its date"}]`` (empty: not reviewed).
    sources_checked: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    state: Mapped[State] = relationship(back_populates="legality_notes")

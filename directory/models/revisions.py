"""The change history of every listing, and public reports awaiting moderation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base, IdMixin, utcnow

REVISION_ACTIONS = ("create", "update", "archive", "restore", "confirm")
ACTOR_TYPES = ("user", "api_key", "source", "system")
SUGGESTION_KINDS = ("closed", "wrong_phone", "wrong_hours", "other", "new_organization", "claim")
SUGGESTION_STATUSES = ("pending", "approved", "rejected")


class Revision(IdMixin, Base):
    """One change to one record: which fields went from what to what, who did it, and when.

    ``changes`` maps each field to ``[old, new]`` in JSON form; a ``create`` has ``old`` null.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint(f"action IN {REVISION_ACTIONS}", name="action"),
        CheckConstraint(f"actor_type IN {ACTOR_TYPES}", name="actor_type"),
        Index(
            "ix_revisions_entity_type_entity_id_created_at",
            "entity_type",
            "entity_id",
            "created_at",
        ),
    )

    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Suggestion(IdMixin, Base):
    """A public report that a listing is wrong, a new organization asking to join, or an
    organization claiming a listing it runs."""

    __tablename__ = "suggestions"
    __table_args__ = (
        CheckConstraint(f"kind IN {SUGGESTION_KINDS}", name="kind"),
        CheckConstraint(f"status IN {SUGGESTION_STATUSES}", name="status"),
    )

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    proposed_changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

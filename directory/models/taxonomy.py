"""The service taxonomy (categories, cost, access, populations) and its links to services."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from directory.models.services import Service

TERM_KINDS = ("category", "cost", "access", "population")


class Taxonomy(IdMixin, TimestampMixin, Base):
    __tablename__ = "taxonomies"

    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(32))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy")


class TaxonomyTerm(IdMixin, TimestampMixin, Base):
    __tablename__ = "taxonomy_terms"
    __table_args__ = (CheckConstraint(f"kind IN {TERM_KINDS}", name="kind"),)

    taxonomy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # stable, used in URLs and the API
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    name_es: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("taxonomy_terms.id"))
    sort_order: Mapped[int] = mapped_column(default=0)
    # The state-law topic a searcher of this category needs to see first (e.g. syringe_services).
    legality_topic: Mapped[str | None] = mapped_column(String(32))

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side="TaxonomyTerm.id")


class Attribute(IdMixin, Base):
    """Tags a service with a taxonomy term (HSDS ``attribute`` with ``link_entity=service``)."""

    __tablename__ = "attributes"
    __table_args__ = (
        UniqueConstraint("service_id", "taxonomy_term_id"),
        Index("ix_attributes_taxonomy_term_id_service_id", "taxonomy_term_id", "service_id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    taxonomy_term_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="CASCADE")
    )
    value: Mapped[str | None] = mapped_column(String(255))

    service: Mapped[Service] = relationship(back_populates="attributes")
    taxonomy_term: Mapped[TaxonomyTerm] = relationship()

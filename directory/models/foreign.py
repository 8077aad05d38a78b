"""Other people's taxonomies, and HSDS attributes the directory keeps but does not search by.

A 211 or another directory publishing HSDS tags its services with its own taxonomy (AIRS/211
codes, Open Eligibility…). The directory keeps such a taxonomy as it came, next to its own
(``taxonomies``/``taxonomy_terms``, whose codes drive the search, the forms and the API): shown
on the listing, searchable by keyword under /hsds, exported back unchanged. A term may be mapped
onto one of the directory's categories (``maps_to``), and the services it tags then carry that
category too, so the search finds them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, IdMixin, TimestampMixin
from directory.models.taxonomy import TaxonomyTerm

# The HSDS entities an attribute may describe here: the ones the directory keeps.
LINK_ENTITIES = ("service", "organization", "location", "service_at_location")


class ForeignTaxonomy(IdMixin, TimestampMixin, Base):
    __tablename__ = "foreign_taxonomies"

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(64))
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)


class ForeignTerm(IdMixin, TimestampMixin, Base):
    """A term of another taxonomy, every HSDS field as the package gave it."""

    __tablename__ = "foreign_terms"

    taxonomy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("foreign_taxonomies.id"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    # Not a foreign key: HSDS lets a term name a parent the package does not carry.
    parent_id: Mapped[uuid.UUID | None]
    taxonomy: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))
    term_uri: Mapped[str | None] = mapped_column(String(500))
    maps_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("taxonomy_terms.id"))
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)

    taxonomy_detail: Mapped[ForeignTaxonomy | None] = relationship()
    maps_to: Mapped[TaxonomyTerm | None] = relationship()


class LinkedAttribute(IdMixin, Base):
    """An HSDS attribute that is not one of the directory's own service tags (``Attribute``):
    a foreign term on any entity, or the directory's own term on an organization, a location or
    a service-at-location."""

    __tablename__ = "linked_attributes"
    __table_args__ = (
        CheckConstraint(f"link_entity IN {LINK_ENTITIES}", name="link_entity"),
        CheckConstraint("(taxonomy_term_id IS NULL) != (foreign_term_id IS NULL)", name="one_term"),
        Index("ix_linked_attributes_link_entity_link_id", "link_entity", "link_id"),
    )

    link_entity: Mapped[str] = mapped_column(String(32))
    link_id: Mapped[uuid.UUID]
    link_type: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(String(500))
    taxonomy_term_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), index=True
    )
    foreign_term_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("foreign_terms.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sources.id"), index=True)

    taxonomy_term: Mapped[TaxonomyTerm | None] = relationship()
    foreign_term: Mapped[ForeignTerm | None] = relationship()

"""Importing and exporting what an HSDS package holds outside the directory's own taxonomy:
other taxonomies and their terms (``ForeignTaxonomy``, ``ForeignTerm``), attributes with those
terms or on entities other than services (``LinkedAttribute``), and the optional mapping of
foreign terms onto the directory's categories (a CSV file: ``code,category``).

A package's term is the directory's own when its id is, or when its code is and it names no
other taxonomy; every other term is kept as it came, and exported back unchanged.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hsds.batches import chunks, existing_ids, insert_rows
from directory.models import (
    ForeignTaxonomy,
    ForeignTerm,
    LinkedAttribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Source,
    Taxonomy,
    TaxonomyTerm,
)
from directory.models.foreign import LINK_ENTITIES

if TYPE_CHECKING:
    from directory.hsds.package_import import Package

# Ids of the service tags a mapped foreign term adds, stable so a second import changes nothing.
DERIVED_NAMESPACE = uuid.UUID("0c6f3a52-3c55-4a53-9a11-5d7f0e1f2b77")
ENTITY_MODELS = {
    "service": Service,
    "organization": Organization,
    "location": Location,
    "service_at_location": ServiceAtLocation,
}
ENTITY_TABLES = {
    "service": "services",
    "organization": "organizations",
    "location": "locations",
    "service_at_location": "service_at_locations",
}
TAXONOMY_FIELDS = ("name", "description", "uri", "version")
TERM_FIELDS = ("code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id")


class TermMapError(ValueError):
    """A mapping file that cannot be read, or names a category the directory does not have."""


def read_term_map(session: Session, path: Path | None) -> dict[str, TaxonomyTerm]:
    """A mapping file's foreign term (code or id) → the directory's category."""
    if path is None:
        return {}
    categories = {
        term.code: term
        for term in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.kind == "category"))
    }
    mapping = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"code", "category"} <= set(reader.fieldnames or ()):
            raise TermMapError(f"{path.name}: needs the columns code and category")
        for row in reader:
            category = categories.get((row["category"] or "").strip())
            if category is None:
                known = ", ".join(sorted(categories))
                raise TermMapError(
                    f"{path.name}:{reader.line_num}: category: not one of ours ({known})"
                )
            mapping[(row["code"] or "").strip()] = category
    return mapping


class Foreign:
    """The package's foreign taxonomies, terms and linked attributes, checked and applied."""

    def __init__(self, package: Package, term_map: dict[str, TaxonomyTerm]) -> None:
        self.package = package
        self.session = package.session
        self.term_map = term_map
        ours = list(self.session.scalars(select(Taxonomy)))
        self.our_taxonomy_ids = {taxonomy.id for taxonomy in ours}
        self.our_taxonomy_names = {taxonomy.name for taxonomy in ours}
        self.taxonomies = []
        for _, row in package.rows("taxonomies"):
            if row["name"] in self.our_taxonomy_names:
                # Our taxonomy as another database of the directory numbers it: its terms are
                # ours too (matched by code), not another taxonomy's.
                self.our_taxonomy_ids.add(row["id"])
            elif row["id"] not in self.our_taxonomy_ids:
                self.taxonomies.append(row)
        self.terms: dict[uuid.UUID, dict[str, Any]] = {}
        self.linked: list[dict[str, Any]] = []
        self.known_taxonomies: dict[uuid.UUID, bool] = {row["id"]: True for row in self.taxonomies}
        # Per entity, the ids attributes may link to (the package's and the directory's).
        self.linkable: dict[str, set[uuid.UUID]] = {}
        self.known_terms: set[uuid.UUID] | None = None

    def is_ours(self, row: dict[str, Any]) -> bool:
        """Whether a term row with one of our codes belongs to our taxonomy (it names no other)."""
        if row.get("taxonomy_id") is not None:
            return row["taxonomy_id"] in self.our_taxonomy_ids
        return row.get("taxonomy") in (None, *self.our_taxonomy_names)

    def taxonomy_exists(self, taxonomy_id: uuid.UUID | None) -> bool:
        """Whether a foreign term's taxonomy is in the package or the directory (or unstated)."""
        if taxonomy_id is None:
            return True
        if taxonomy_id not in self.known_taxonomies:
            found = self.session.get(ForeignTaxonomy, taxonomy_id) is not None
            self.known_taxonomies[taxonomy_id] = found
        return self.known_taxonomies[taxonomy_id]

    def keep(self, row: dict[str, Any]) -> None:
        self.terms[row["id"]] = row

    def knows(self, term_id: uuid.UUID) -> bool:
        if term_id not in self.terms and self.known_terms is None:
            wanted = {row["taxonomy_term_id"] for _, row in self.package.rows("attributes")}
            self.known_terms = existing_ids(self.session, ForeignTerm, wanted)
        return term_id in self.terms or term_id in (self.known_terms or ())

    def link_exists(self, entity: str, link_id: uuid.UUID) -> bool:
        if entity not in self.linkable:
            ids = {row["id"] for _, row in self.package.rows(ENTITY_TABLES[entity])}
            elsewhere = {
                row["link_id"]
                for _, row in self.package.rows("attributes")
                if row["link_entity"] == entity and row["link_id"] not in ids
            }
            self.linkable[entity] = ids | existing_ids(
                self.session, ENTITY_MODELS[entity], elsewhere
            )
        return link_id in self.linkable[entity]

    def split_attributes(self) -> None:
        """Take out of the package's attributes those that are not the directory's own service
        tags (they become ``LinkedAttribute`` rows), and add the tags mapped terms imply."""
        rows = self.package.tables.get("attributes")
        if rows is None:
            return
        own, tagged = [], {(row["link_id"], row["taxonomy_term_id"]) for _, row in rows.rows}
        for line, row in rows.rows:
            if row["link_entity"] == "service" and row["taxonomy_term_id"] in self.package.terms:
                own.append((line, row))
                continue
            self.linked.append(row)
            category = self.category_for(row["taxonomy_term_id"])
            mapped = row["link_entity"] == "service" and category is not None
            if mapped and (row["link_id"], category.id) not in tagged:
                tagged.add((row["link_id"], category.id))
                own.append((line, derived_tag(row, category)))
        rows.rows = own

    def category_for(self, term_id: uuid.UUID) -> TaxonomyTerm | None:
        row = self.terms.get(term_id)
        if row is None:
            return None
        return self.term_map.get(row.get("code") or "") or self.term_map.get(str(term_id))

    def apply(self, source: Source) -> None:
        taxonomies = {}
        for row in self.taxonomies:
            values = {key: row.get(key) for key in TAXONOMY_FIELDS}
            taxonomies[row["id"]] = values | {"source_id": source.id}
        upsert(self.session, ForeignTaxonomy, taxonomies)
        terms = {}
        for row in self.terms.values():
            values = {key: row.get(key) for key in (*TERM_FIELDS, "term_uri")}
            if not self.taxonomy_exists(values["taxonomy_id"]):
                values["taxonomy_id"] = None  # reported as a warning by the check
            category = self.term_map.get(row.get("code") or "") or self.term_map.get(str(row["id"]))
            values |= {"maps_to_id": category.id if category else None, "source_id": source.id}
            terms[row["id"]] = values
        upsert(self.session, ForeignTerm, terms)
        self.replace_linked(source)

    def replace_linked(self, source: Source) -> None:
        """The linked attributes of every record in the package become exactly the package's."""
        records = {
            (entity, row["id"])
            for entity, table in ENTITY_TABLES.items()
            for _, row in self.package.rows(table)
        }
        wanted = {row["id"]: row for row in self.linked}
        ids = [link_id for _, link_id in records]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            statement = select(LinkedAttribute).where(LinkedAttribute.link_id.in_(batch))
            for existing in self.session.scalars(statement):
                linked_to = (existing.link_entity, existing.link_id)
                if existing.id not in wanted and linked_to in records:
                    self.session.delete(existing)
        linked = {}
        for row in self.linked:
            ours = row["taxonomy_term_id"] in self.package.terms
            term_id = self.package.terms[row["taxonomy_term_id"]].id if ours else None
            linked[row["id"]] = {
                "link_entity": row["link_entity"],
                "link_id": row["link_id"],
                "link_type": row.get("link_type"),
                "value": row.get("value"),
                "taxonomy_term_id": term_id,
                "foreign_term_id": None if ours else row["taxonomy_term_id"],
                "source_id": source.id,
            }
        upsert(self.session, LinkedAttribute, linked)


def derived_tag(row: dict[str, Any], category: TaxonomyTerm) -> dict[str, Any]:
    return {
        "id": uuid.uuid5(DERIVED_NAMESPACE, f"{row['id']}:{category.code}"),
        "link_id": row["link_id"],
        "taxonomy_term_id": category.id,
        "link_type": category.kind,
        "link_entity": "service",
        "value": None,
    }


def upsert(session: Session, model: type, rows: dict[uuid.UUID, dict[str, Any]]) -> None:
    """Make each ``model`` row (by id) hold its values: those in the directory are updated
    field by field, the others inserted in bulk; flushed."""
    existing = {}
    for batch in chunks(list(rows)):
        existing.update(
            {
                record.id: record
                for record in session.scalars(select(model).where(model.id.in_(batch)))
            }
        )
    for row_id, record in existing.items():
        for key, value in rows[row_id].items():
            if getattr(record, key) != value:
                setattr(record, key, value)
    session.flush()
    new = [values | {"id": row_id} for row_id, values in rows.items() if row_id not in existing]
    insert_rows(session, model.__table__, new)


def check_link_entity(entity: str) -> str | None:
    if entity not in LINK_ENTITIES:
        kept = ", ".join(LINK_ENTITIES)
        return f"attributes on {entity} are not kept (the directory keeps {kept})"
    return None


# Export -------------------------------------------------------------------------------------


def export_rows(session: Session, exported: set[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    """Rows to add to the export's taxonomies, taxonomy_terms and attributes tables: the
    attributes of the records among ``exported`` (the ids of the rows the package holds)."""
    taxonomies = [
        {"id": t.id} | {key: getattr(t, key) for key in TAXONOMY_FIELDS}
        for t in session.scalars(select(ForeignTaxonomy).order_by(ForeignTaxonomy.id))
    ]
    terms = [
        {"id": t.id, "term_uri": t.term_uri} | {key: getattr(t, key) for key in TERM_FIELDS}
        for t in session.scalars(select(ForeignTerm).order_by(ForeignTerm.id))
    ]
    attributes = [
        {
            "id": a.id,
            "link_id": a.link_id,
            "taxonomy_term_id": a.taxonomy_term_id or a.foreign_term_id,
            "link_type": a.link_type,
            "link_entity": a.link_entity,
            "value": a.value,
        }
        for a in session.scalars(select(LinkedAttribute).order_by(LinkedAttribute.id))
        if a.link_id in exported
    ]
    return {"taxonomies": taxonomies, "taxonomy_terms": terms, "attributes": attributes}

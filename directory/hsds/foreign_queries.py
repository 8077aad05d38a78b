"""/hsds/taxonomies and /hsds/taxonomy_terms list other taxonomies after the directory's own:
the taxonomies an import kept as they came (``foreign.py``), searchable by the same keywords."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, or_, select

from directory.extensions import db
from directory.hsds import mapping, queries
from directory.models import ForeignTaxonomy, ForeignTerm, Taxonomy, TaxonomyTerm
from directory.pagination import Page


def taxonomies(args: dict[str, Any]) -> Select:
    statement = select(ForeignTaxonomy)
    if args.get("search"):
        statement = statement.where(ForeignTaxonomy.name.icontains(args["search"], autoescape=True))
    return statement.order_by(ForeignTaxonomy.name, ForeignTaxonomy.id)


def terms(args: dict[str, Any]) -> Select:
    statement = select(ForeignTerm)
    if args.get("search"):
        q = args["search"]
        statement = statement.where(
            or_(
                ForeignTerm.name.icontains(q, autoescape=True),
                ForeignTerm.code.icontains(q, autoescape=True),
            )
        )
    if args.get("taxonomy_id"):
        statement = statement.where(ForeignTerm.taxonomy_id == args["taxonomy_id"])
    if args.get("parent_id"):
        statement = statement.where(ForeignTerm.parent_id == args["parent_id"])
    if args.get("top_only"):
        statement = statement.where(ForeignTerm.parent_id.is_(None))
    return statement.order_by(ForeignTerm.code, ForeignTerm.id)


def page_of_both(ours: Select, theirs: Select, number: int, per_page: int) -> tuple[Page, list]:
    """One page across our rows and then the foreign ones."""
    own_total = queries.count(ours)
    page = Page(number, per_page, own_total + queries.count(theirs))
    rows = list(db.session.scalars(page.window(ours))) if page.start < own_total else []
    if len(rows) < per_page:
        offset = max(page.start - own_total, 0)
        rows += db.session.scalars(theirs.offset(offset).limit(per_page - len(rows)))
    return page, rows


def stream_both(ours: Select, theirs: Select) -> Iterator[Any]:
    return itertools.chain(queries.stream(ours), queries.stream(theirs))


def taxonomy_body(row: Taxonomy | ForeignTaxonomy) -> dict:
    return mapping.taxonomy(row)


def term_body(row: TaxonomyTerm | ForeignTerm, *, nested: bool = False) -> dict:
    if isinstance(row, TaxonomyTerm):
        return mapping.taxonomy_term(row, nested=nested)
    body = mapping.foreign_term(row)
    if nested and row.taxonomy_detail is not None:
        body["taxonomy_detail"] = mapping.taxonomy(row.taxonomy_detail)
    return body


def taxonomy_by_id(taxonomy_id: uuid.UUID) -> Taxonomy | ForeignTaxonomy | None:
    return queries.taxonomy_by_id(taxonomy_id) or db.session.get(ForeignTaxonomy, taxonomy_id)


def term_by_id(term_id: uuid.UUID) -> TaxonomyTerm | ForeignTerm | None:
    return queries.term_by_id(term_id) or db.session.get(ForeignTerm, term_id)

"""The service taxonomy as the search needs it: codes, kinds, children, legality topics.

Every search needs it to expand a category into its children ("moud" → buprenorphine,
methadone, naltrexone), so the search engine keeps it (``queries.engine``), read again whenever a
committed change touches a term.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import TaxonomyTerm


@dataclass(frozen=True)
class Term:
    """A taxonomy term as results show it (read-only, shared by every request)."""

    id: uuid.UUID
    code: str
    kind: str
    parent_code: str | None
    legality_topic: str | None
    sort_order: int
    name: str = ""
    name_es: str = ""


@dataclass
class TaxonomyIndex:
    terms: dict[str, Term] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    # Keyed by every form an id comes back in: the UUID, the hex string of SQLite raw rows,
    # and the text PostgreSQL casts a UUID to.
    by_raw_id: dict[object, Term] = field(default_factory=dict)

    @cached_property
    def spanish_names(self) -> dict[str, str]:
        """Each term's Spanish name, by its English name folded: a service named after its
        category ("Syringe services") reads in Spanish as the category does."""
        return {
            term.name.casefold(): term.name_es
            for term in self.terms.values()
            if term.name and term.name_es
        }

    def codes_of_kind(self, kind: str) -> list[str]:
        return [term.code for term in self.terms.values() if term.kind == kind]

    def unknown(self, codes: tuple[str, ...] | list[str], kind: str) -> list[str]:
        """The codes that are not terms of this kind, in the order given."""
        return [code for code in codes if (t := self.terms.get(code)) is None or t.kind != kind]

    def expand(self, codes: tuple[str, ...] | list[str]) -> list[uuid.UUID]:
        """Term ids of the codes and of all their descendants, so a parent matches its children."""
        found: dict[str, uuid.UUID] = {}
        stack = list(codes)
        while stack:
            code = stack.pop()
            if code in found or code not in self.terms:
                continue
            found[code] = self.terms[code].id
            stack.extend(self.children.get(code, ()))
        return sorted(found.values())

    def legality_topics(self, codes: tuple[str, ...] | list[str]) -> list[str]:
        """The legality topics of the searched categories (or of their parents), in order."""
        topics: list[str] = []
        for code in codes:
            term = self.terms.get(code)
            while term is not None and term.legality_topic is None and term.parent_code:
                term = self.terms.get(term.parent_code)
            if term is not None and term.legality_topic and term.legality_topic not in topics:
                topics.append(term.legality_topic)
        return topics


def taxonomy_index(session: Session) -> TaxonomyIndex:
    """The taxonomy as of the newest version the session's database has committed."""
    from directory.queries.engine import snapshot

    return snapshot(session).taxonomy


def read_taxonomy(session: Session) -> TaxonomyIndex:
    """Every term, read now."""
    rows = session.execute(
        select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.kind,
            TaxonomyTerm.parent_id,
            TaxonomyTerm.legality_topic,
            TaxonomyTerm.sort_order,
            TaxonomyTerm.name,
            TaxonomyTerm.name_es,
        )
    ).all()
    codes_by_id = {row.id: row.code for row in rows}
    index = TaxonomyIndex()
    for row in rows:
        parent_code = codes_by_id.get(row.parent_id) if row.parent_id else None
        term = Term(
            row.id,
            row.code,
            row.kind,
            parent_code,
            row.legality_topic,
            row.sort_order,
            row.name,
            row.name_es,
        )
        index.terms[row.code] = term
        for form in (row.id, row.id.hex, str(row.id)):
            index.by_raw_id[form] = term
        if parent_code:
            index.children.setdefault(parent_code, []).append(row.code)
    return index

"""Reference data: the service taxonomy, the states, and their legality notes.

Each loader is idempotent: it inserts what is missing, updates what differs (recording a
revision for legality notes, which admins also edit) and leaves the rest alone.
"""

from __future__ import annotations

import csv
import json
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.config import PROJECT_ROOT
from directory.models import LegalityNote, State, Taxonomy, TaxonomyTerm
from directory.operations import Actor, apply_changes, record_creation

SEED_DIR = PROJECT_ROOT / "seed"
TERM_FIELDS = ("kind", "name", "name_es", "description", "description_es", "legality_topic")


# Ids derived from the taxonomy's name and each term's code, not drawn at random: every copy of
# the directory gives a term the same id, so HSDS packages and API clients can rely on it and an
# export imported into an empty directory refers to the same terms.
TAXONOMY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:harm-reduction-directory:taxonomy")


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, f"term:{code}")


def load_taxonomy(session: Session, path: Path = SEED_DIR / "taxonomy.json") -> int:
    """Create or update the taxonomy and its terms; returns how many terms changed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data["taxonomy"]
    taxonomy = session.scalar(select(Taxonomy).where(Taxonomy.name == meta["name"]))
    if taxonomy is None:
        taxonomy = Taxonomy(
            id=uuid.uuid5(TAXONOMY_NAMESPACE, f"taxonomy:{meta['name']}"),
            name=meta["name"],
            description=meta["description"],
        )
        session.add(taxonomy)
    for key in ("description", "uri", "version"):
        if getattr(taxonomy, key) != meta.get(key):
            setattr(taxonomy, key, meta.get(key))
    session.flush()

    existing = {term.code: term for term in session.scalars(select(TaxonomyTerm))}
    changed = 0
    for order, entry in enumerate(data["terms"]):
        term = existing.get(entry["code"])
        if term is None:
            term = TaxonomyTerm(id=term_id(entry["code"]), code=entry["code"], taxonomy=taxonomy)
            session.add(term)
            existing[term.code] = term
        values = {field: entry.get(field) for field in TERM_FIELDS} | {"sort_order": order}
        parent = existing[entry["parent"]] if entry.get("parent") else None
        if term.parent is not parent:
            term.parent = parent
            changed += 1
        for field, value in values.items():
            if getattr(term, field) != value:
                setattr(term, field, value)
                changed += 1
    session.flush()
    return changed


def load_states(session: Session, path: Path = SEED_DIR / "states.csv") -> int:
    existing = {state.code: state for state in session.scalars(select(State))}
    changed = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            state = existing.get(row["code"])
            if state is None:
                session.add(State(**row))
                changed += 1
                continue
            for field, value in row.items():
                if getattr(state, field) != value:
                    setattr(state, field, value)
                    changed += 1
    session.flush()
    return changed


def load_legality_notes(session: Session, folder: Path = SEED_DIR / "legality") -> int:
    """Load ``seed/legality/<ST>.json``: one row per state, topic and language."""
    actor = Actor("source", "seed/legality")
    existing = {
        (note.state_code, note.topic, note.locale): note
        for note in session.scalars(select(LegalityNote))
    }
    changed = 0
    for path in sorted(folder.glob("[A-Z][A-Z].json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data["notes"]:
            for locale, summary in entry["summary"].items():
                values = {
                    "status": entry["status"],
                    "summary": summary,
                    "citation": entry.get("citation"),
                    "source_name": entry["source_name"],
                    "source_url": entry["source_url"],
                    "law_as_of": date.fromisoformat(entry["law_as_of"]),
                    "reviewed_at": date.fromisoformat(entry["reviewed_at"]),
                    "sources_checked": entry.get("sources_checked", []),
                }
                key = (data["state"], entry["topic"], locale)
                note = existing.get(key)
                if note is None:
                    note = LegalityNote(
                        state_code=data["state"], topic=entry["topic"], locale=locale, **values
                    )
                    session.add(note)
                    session.flush()
                    record_creation(session, note, actor)
                    changed += 1
                elif apply_changes(session, note, values, actor):
                    changed += 1
    session.flush()
    return changed

"""Helpers for the source-import tests: fixture mapping files, copied where a test may edit them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Revision,
    Service,
    SourceRecord,
)
from directory.sources.matching import normalize

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def sources_dir(tmp_path) -> Path:
    """A private copy of the fixture specs and files, so a test can rewrite a file."""
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURES, folder)
    return folder


def counts(session) -> dict[str, int]:
    models = {
        "organizations": Organization,
        "locations": Location,
        "services": Service,
        "records": SourceRecord,
        "attributes": Attribute,
        "phones": Phone,
        "languages": Language,
    }
    result = {
        name: session.scalar(select(func.count()).select_from(m)) for name, m in models.items()
    }
    result["revisions"] = session.scalar(select(func.count()).select_from(Revision))
    return result


def duplicate_groups(session) -> list[tuple[str, str, str]]:
    """Open locations sharing a normalized name, street and ZIP: one facility listed twice."""
    seen: dict[tuple[str, str, str], int] = {}
    query = (
        select(Location.name, Address.address_1, Address.postal_code)
        .join(Address, Address.location_id == Location.id)
        .where(Location.archived_at.is_(None))
    )
    for name, street, postal_code in session.execute(query):
        key = (normalize(name), normalize(street), postal_code)
        seen[key] = seen.get(key, 0) + 1
    return [key for key, count in seen.items() if count > 1]

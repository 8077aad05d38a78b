"""Helpers for the source-import tests: fixture mapping files, copied where a test may edit them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.models import Location, Revision, Service, SourceRecord

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def sources_dir(tmp_path) -> Path:
    """A private copy of the fixture specs and files, so a test can rewrite a file."""
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURES, folder)
    return folder


def counts(session) -> dict[str, int]:
    models = {"locations": Location, "services": Service, "records": SourceRecord}
    result = {
        name: session.scalar(select(func.count()).select_from(m)) for name, m in models.items()
    }
    result["revisions"] = session.scalar(select(func.count()).select_from(Revision))
    return result

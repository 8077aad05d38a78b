"""Which locations' searchable facts changed, so every process's search index can catch up.

Each app process keeps an in-memory search index (``directory.queries.index``). Any flush that
touches what a search filters on appends the affected location ids here, in the same
transaction, or the id of a remote service (one with service areas, offered by mail, phone or
online); a row with neither says "reload everything" (seed loads and imports, which write with
bulk statements). Each search compares a fingerprint of the newest rows with the
ones its index has applied.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class SearchChange(Base):
    __tablename__ = "search_changes"

    # An integer that grows: the index asks for the rows after the last one it applied.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    location_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    # Random: a rolled-back row whose id is reused (SQLite reuses the highest id) still
    # changes the fingerprint.
    stamp: Mapped[int]

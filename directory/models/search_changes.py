"""The search's change log: what changed, in commit order.

Each app process keeps what the search reads from the database in memory
(``directory.queries.engine``). A transaction that changes any of it takes the next number from
``search_version`` just before it commits, and writes one ``search_changes`` row per changed
location or remote service (or one row of a kind: everything, taxonomy, legality) stamped with
that number. The counter's row lock is held until the commit, so versions are handed out in
the order transactions commit: a reader that has seen version N reads exactly the rows after N.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base

LOCATION = "location"
REMOTE = "remote"  # a service with service areas (mail, phone, online)
EVERYTHING = "everything"  # bulk writes: every process rebuilds what it keeps
TAXONOMY = "taxonomy"
LEGALITY = "legality"
CHANGE_KINDS = (LOCATION, REMOTE, EVERYTHING, TAXONOMY, LEGALITY)


class SearchVersion(Base):
    """One row: the newest version committed, and the newest one whose rows were pruned."""

    __tablename__ = "search_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)


class SearchChange(Base):
    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The location or the remote service that changed (neither for the other kinds).
    entity_id: Mapped[uuid.UUID | None]

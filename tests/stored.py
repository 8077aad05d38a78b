"""Everything the database holds, as text a privacy test can scan for a searched place."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import select

from directory.extensions import db

# Ids and timestamps are made by the database, never from a request: leaving them out keeps a
# searched ZIP such as "11211" from "matching" the microseconds of 07:28:42.611211.
GENERATED = (uuid.UUID, datetime, date, time)


def stored_text() -> str:
    """Every value of every column of every table that a request could have written, as text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values.extend(str(value) for value in row if not isinstance(value, GENERATED))
    return "\n".join(values)

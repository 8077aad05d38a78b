"""Pruning the search index's change log (``flask search-index prune``).

Every edit leaves rows in ``search_changes`` for every process's index to catch up from, and
nothing else removes them. After a prune, searches must still show every change: in a process
whose index was up to date (which keeps it, no rebuild), and in one whose index is older than
every row kept (which must rebuild, since the rows it needed are gone).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select

from directory.extensions import db
from directory.geo import place_at
from directory.models import Location, SearchChange
from directory.queries import SearchFilters, search
from directory.queries.changes import MIN_KEEP, _note, prune
from directory.queries.index import _indexes, search_index
from tests.search.helpers import place, save, service

HERE = (40.75, -73.99)


def found() -> list[str]:
    result = search(SearchFilters(origin=place_at(*HERE), radius_miles=25, per_page=100))
    return [hit.location.name for hit in result.hits]


def rename(old: str, new: str) -> None:
    db.session.scalars(select(Location).where(Location.name == old)).one().name = new
    db.session.commit()


def edits_elsewhere(count: int) -> None:
    """Change rows as other partners' edits leave them (remote services nowhere near here)."""
    _note(db.session, service_ids=[uuid.uuid4() for _ in range(count)])
    db.session.commit()


def change_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def test_an_index_that_is_up_to_date_keeps_going_after_a_prune(app):
    save(place("Harm Reduction Hub", 40.751, -73.99, service()))
    edits_elsewhere(2 * MIN_KEEP)
    assert found() == ["Harm Reduction Hub"]
    index = search_index(db.session)

    deleted = prune(db.session, MIN_KEEP)
    db.session.commit()

    assert deleted > 0
    assert change_rows() <= MIN_KEEP + 1
    # Indexes that are up to date never read that far back: no rebuild in any process.
    assert search_index(db.session) is index
    rename("Harm Reduction Hub", "Harm Reduction Hub East")
    assert found() == ["Harm Reduction Hub East"]


def test_an_index_older_than_every_row_kept_rebuilds_and_shows_what_was_pruned(app):
    save(place("Harm Reduction Hub", 40.751, -73.99, service()))
    # An index built from an empty change log (a fresh database, or one pruned before): it has
    # applied no row, so only a row it reads can tell it that it missed some.
    db.session.execute(delete(SearchChange))
    db.session.commit()
    _indexes.clear()
    assert found() == ["Harm Reduction Hub"]
    stale = search_index(db.session)
    key = next(key for key, index in _indexes.items() if index is stale)

    rename("Harm Reduction Hub", "Harm Reduction Hub East")  # its change row will be pruned
    edits_elsewhere(2 * MIN_KEEP)
    assert prune(db.session, MIN_KEEP) > 0
    db.session.commit()

    _indexes[key] = stale  # another process, which has not searched since
    assert found() == ["Harm Reduction Hub East"]
    assert search_index(db.session).generation != stale.generation


def test_the_command_prunes_and_refuses_to_keep_fewer_rows_than_indexes_read(app, runner):
    edits_elsewhere(2 * MIN_KEEP + 10)

    refused = runner.invoke(args=["search-index", "prune", "--keep", "10"])
    assert refused.exit_code == 2
    assert "10 is not in the range x>=2000" in refused.output
    assert change_rows() == 2 * MIN_KEEP + 10

    pruned = runner.invoke(args=["search-index", "prune", "--keep", str(MIN_KEEP)])
    assert pruned.exit_code == 0, pruned.output
    assert "change rows deleted" in pruned.output
    assert change_rows() <= MIN_KEEP + 1

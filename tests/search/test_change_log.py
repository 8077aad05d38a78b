"""The search's version (``queries.changes``, ``queries.engine``): no change is ever lost.

Every transaction that changes what a search shows takes a version just before it commits, in
commit order. These tests make the orders that broke the earlier id-window design — a long
transaction committing after a short one that began later, a taxonomy changed under a running
app, legality notes replaced by older-stamped ones — and check what a person would see. They
run on SQLite and on PostgreSQL; only PostgreSQL lets two writers overlap, so there the short
transaction really commits first.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.geo import place_at
from directory.models import (
    Attribute,
    Location,
    Organization,
    SearchChange,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from directory.queries import SearchFilters, search, snapshot, taxonomy_index
from directory.queries.changes import prune
from directory.queries.engine import SearchEngine
from tests.search.helpers import place, save, service

MANHATTAN = (40.75, -73.99)
ALBANY = (42.65, -73.75)


def found(near=MANHATTAN, **filters) -> list[str]:
    """What a new request's search finds (a request sees one version: its transaction's)."""
    db.session.remove()
    result = search(SearchFilters(origin=place_at(*near), radius_miles=25, **filters))
    return sorted(hit.location.name for hit in result.hits)


def by_name(session: Session, name: str) -> Location:
    return session.scalars(select(Location).where(Location.name == name)).one()


def rename_in_own_transaction(engine, old: str, new: str) -> None:
    with Session(engine) as other:
        by_name(other, old).name = new
        other.commit()


def test_a_long_transaction_that_commits_after_a_shorter_one_is_not_lost(app):
    save(
        place("Place X", *MANHATTAN, service("X kits")),
        place("Place Y", 40.76, -73.99, service("Y kits")),
    )
    assert found() == ["Place X", "Place Y"]
    engine = db.engine
    postgres = engine.dialect.name == "postgresql"

    # Transaction A moves X to Albany, then writes more than a thousand other changes (remote
    # services, each noted on its own), and stays open.
    long = Session(engine)
    moved = by_name(long, "Place X")
    moved.latitude, moved.longitude = ALBANY
    long.flush()
    organization = Organization(name="Mail programs")
    for batch in range(11):
        for n in range(100):
            mailed = Service(organization=organization, name=f"Mail {batch}-{n}", status="active")
            mailed.service_areas = [ServiceArea(extent_type="state", code="VT", reach="mail")]
            long.add(mailed)
        long.flush()

    # Transaction B renames Y and commits while A is open (on SQLite it waits for A's lock).
    short = threading.Thread(target=rename_in_own_transaction, args=(engine, "Place Y", "Y2"))
    short.start()
    if postgres:
        short.join()
        assert found() == ["Place X", "Y2"]  # this process has seen B: A is not there yet
    else:
        assert found() == ["Place X", "Place Y"]
    long.commit()
    long.close()
    short.join()

    assert found() == ["Y2"]
    assert found(near=ALBANY) == ["Place X"]


@pytest.fixture
def new_moud_child(app):
    """What another process (a seed load) commits: a child under moud, and moud renamed.
    Put back afterwards: the taxonomy is kept between tests."""
    with Session(db.engine) as seeding:
        moud = seeding.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "moud")).one()
        name = moud.name
        moud.name = "Medications for opioid use disorder (MOUD)"
        child = TaxonomyTerm(
            taxonomy_id=moud.taxonomy_id,
            parent_id=moud.id,
            code="long_acting_injectable",
            kind="category",
            name="Long-acting injectable buprenorphine",
            name_es="Buprenorfina inyectable de acción prolongada",
            sort_order=moud.sort_order + 1,
        )
        yield lambda: (seeding.add(child), seeding.commit())
        db.session.remove()
        seeding.execute(delete(Attribute).where(Attribute.taxonomy_term_id == child.id))
        seeding.delete(child)
        moud.name = name
        seeding.commit()


def test_a_taxonomy_change_is_seen_by_the_running_app(client, new_moud_child):
    save(place("Bupe clinic", *MANHATTAN, service("Clinic", codes=("buprenorphine",))))
    assert found(categories=("moud",)) == ["Bupe clinic"]
    unknown = client.get("/api/v1/search?near=10001&service=long_acting_injectable")
    assert unknown.status_code == 422

    new_moud_child()
    save(place("Injection clinic", 40.751, -73.99, service("Shots", codes=())))
    shots = db.session.scalars(select(Service).where(Service.name == "Shots")).one()
    child = db.session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.code == "long_acting_injectable")
    ).one()
    shots.attributes.append(Attribute(taxonomy_term=child))
    db.session.commit()

    assert taxonomy_index(db.session).terms["moud"].name.endswith("(MOUD)")
    answer = client.get("/api/v1/search?near=10001&service=long_acting_injectable")
    assert answer.status_code == 200, answer.json
    assert [hit["location"]["name"] for hit in answer.json["results"]] == ["Injection clinic"]
    assert found(categories=("moud",)) == ["Bupe clinic", "Injection clinic"]


def test_each_transaction_takes_the_next_version_and_a_rollback_takes_none(app):
    save(place("Harm Reduction Hub", *MANHATTAN, service()))
    before = snapshot(db.session).version

    by_name(db.session, "Harm Reduction Hub").name = "Rolled back"
    db.session.rollback()
    assert snapshot(db.session).version == before
    assert found() == ["Harm Reduction Hub"]

    by_name(db.session, "Harm Reduction Hub").name = "Hub East"
    db.session.commit()
    assert snapshot(db.session).version == before + 1
    kinds = db.session.execute(
        select(SearchChange.kind, func.count())
        .where(SearchChange.version == before + 1)
        .group_by(SearchChange.kind)
    ).all()
    assert kinds == [("location", 1)]


# --- Pruning the log (``flask search-index prune``) -------------------------------------------


def edits_elsewhere(count: int) -> None:
    """Versions as other partners' edits leave them (places nowhere near here)."""
    far = place("Far away", 34.05, -118.24, service("Far kits"))
    save(far)
    for n in range(count):
        far.name = f"Far away {n}"
        db.session.commit()


def change_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def test_an_engine_that_is_up_to_date_keeps_its_snapshot_after_a_prune(app):
    save(place("Harm Reduction Hub", *MANHATTAN, service()))
    edits_elsewhere(5)
    assert found() == ["Harm Reduction Hub"]
    kept = snapshot(db.session)

    assert prune(db.session, keep=2) > 0
    db.session.commit()

    assert change_rows() == 2
    assert snapshot(db.session) is kept  # the counter did not move: nothing to read
    by_name(db.session, "Harm Reduction Hub").name = "Hub East"
    db.session.commit()
    assert found() == ["Hub East"]


def test_an_engine_older_than_every_row_kept_builds_anew_and_shows_what_was_pruned(app):
    save(place("Harm Reduction Hub", *MANHATTAN, service()))
    other = SearchEngine()  # another process, which searched once and then not for a while
    stale, _ = other.current(db.session)

    by_name(db.session, "Harm Reduction Hub").name = "Hub East"  # its row will be pruned
    db.session.commit()
    edits_elsewhere(3)
    assert prune(db.session, keep=2) > 0
    db.session.commit()

    fresh, exact = other.current(db.session)
    assert exact
    assert fresh.version > stale.version
    assert fresh.built_at == fresh.version
    app.extensions["search_engine"], mine = other, app.extensions["search_engine"]
    try:
        assert found() == ["Hub East"]
    finally:
        app.extensions["search_engine"] = mine


def test_the_prune_command_keeps_the_newest_versions(app, runner):
    edits_elsewhere(4)

    refused = runner.invoke(args=["search-index", "prune", "--keep", "0"])
    assert refused.exit_code == 2
    assert "0 is not in the range x>=1" in refused.output

    pruned = runner.invoke(args=["search-index", "prune", "--keep", "2"])
    assert pruned.exit_code == 0, pruned.output
    assert "change rows deleted; the newest 2 versions kept" in pruned.output
    assert change_rows() == 2

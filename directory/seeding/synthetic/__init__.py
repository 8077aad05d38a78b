"""``flask seed synthetic --count N``: clearly labelled fake listings, for benchmarks only.

Every row is marked: the source is "synthetic" (``Source.synthetic`` is true), every name starts
with "Synthetic listing" and every description says it is not a real service. The listings sit
around real ZIP centroids with a realistic mix of categories, costs, access, languages and
weekly hours (weekday, weekend, overnight, 24 hours, unknown), and are written with bulk Core
inserts so that a quarter of a million locations take well under two minutes. ``make run``
never loads them.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterator

import click
from sqlalchemy.orm import Session

from directory.cli import seed_cli
from directory.database import refresh_statistics
from directory.extensions import db
from directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from directory.queries.changes import everything_changed
from directory.seeding.synthetic.bulk import DriverValues, insert_rows
from directory.seeding.synthetic.listings import (
    CATEGORY_MIX,
    Generator,
    synthetic_source,
    term_ids,
)

# Locations generated and inserted at a time: bounds memory, keeps executemany batches large.
BATCH = 5000


def _batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


# Parents before children, so foreign keys hold within every batch.
INSERT_ORDER = (
    Organization,
    Location,
    Address,
    Phone,
    Service,
    ServiceAtLocation,
    Attribute,
    Language,
    Schedule,
    ServiceArea,
)


def add_synthetic(session: Session, count: int, seed: int = 2026) -> dict[str, int]:
    """Insert ``count`` synthetic locations (with organizations, services, hours…); commits."""
    source_id = synthetic_source(session)
    terms = term_ids(session)
    missing = [code for code in CATEGORY_MIX.codes if code not in terms]
    if missing:
        raise click.ClickException("The taxonomy is not loaded: run `flask seed load` first.")
    connection = session.connection()
    generator = Generator(DriverValues(connection.dialect), source_id, terms, seed)
    totals: dict[str, int] = {}
    if connection.dialect.name == "sqlite":
        # Random UUID keys touch index pages all over the file: keep them in memory (256 MB).
        connection.exec_driver_sql("PRAGMA cache_size=-262144")
    for size in _batches(count, BATCH):
        rows = generator.batch(size)
        for model in INSERT_ORDER:
            values = rows.tables.get(model.__table__)
            if values:
                insert_rows(connection, model.__table__, values)
                totals[model.__tablename__] = totals.get(model.__tablename__, 0) + len(values)
    everything_changed(session)
    session.commit()
    refresh_statistics(session)
    return totals


@seed_cli.command("synthetic")
@click.option("--count", type=click.IntRange(min=1), required=True, help="Locations to add.")
@click.option("--seed", "seed", type=int, default=2026, show_default=True, help="Random seed.")
def synthetic_command(count: int, seed: int) -> None:
    """Add COUNT clearly labelled synthetic listings (benchmarks only; never shown as real)."""
    started = clock.perf_counter()
    totals = add_synthetic(db.session, count, seed)
    for table, rows in totals.items():
        click.echo(f"{table}: {rows} rows")
    click.echo(f"{count} synthetic locations added in {clock.perf_counter() - started:.1f} s")

"""The database a benchmark runs on: the seeded directory plus 250,000 synthetic listings.

The directory ``make run`` serves (``DATABASE_URL``, default ``instance/directory.db``) is only
read: when it already holds enough synthetic listings the benchmark runs on it as it is;
otherwise on a copy (``instance/bench-directory.db``), kept between runs, that gets the national
seed (when the original has none) and the missing synthetic listings. A PostgreSQL database
given by ``BENCH_DATABASE_URL`` is prepared the same way in place.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from directory import create_app
from directory.config import DEFAULT_DATABASE_URL, PROJECT_ROOT
from directory.extensions import db
from directory.models import Location, Source
from directory.seeding import reference
from directory.seeding.synthetic import add_synthetic

SYNTHETIC_TARGET = 250_000
BENCH_COPY = PROJECT_ROOT / "instance" / "bench-directory.db"


@dataclass
class Prepared:
    app: Flask
    label: str
    synthetic: int = 0
    real: int = 0
    steps: list[str] = field(default_factory=list)


def bench_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )


@contextmanager
def synthetic_directory(count: int) -> Iterator[Flask]:
    """A throwaway SQLite directory of ``count`` synthetic listings, inside its app context:
    what the stand-alone page and export benchmarks measure when no seeded database is given."""
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{folder}/bench.db")
        with app.app_context():
            db.create_all()
            reference.load_taxonomy(db.session)
            reference.load_states(db.session)
            add_synthetic(db.session, count)
            db.session.commit()
            db.session.remove()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def counts() -> tuple[int, int]:
    """(synthetic, real) locations, archived ones included (the generator archives 1%)."""
    rows = db.session.execute(
        select(Source.synthetic, func.count(Location.id))
        .outerjoin(Source, Source.id == Location.source_id)
        .group_by(Source.synthetic)
    ).all()
    synthetic = sum(count for kind, count in rows if kind)
    return synthetic, sum(count for _, count in rows) - synthetic


def sqlite_counts(path: Path) -> tuple[int, int] | None:
    """Counts from a SQLite file without touching it, or None if it has no listings table."""
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if not {"locations", "sources"} <= tables:
            return None
        rows = connection.execute(
            "SELECT coalesce(s.synthetic, 0), count(*) FROM locations l "
            "LEFT JOIN sources s ON s.id = l.source_id GROUP BY 1"
        ).fetchall()
    by_kind = {bool(synthetic): count for synthetic, count in rows}
    return by_kind.get(True, 0), by_kind.get(False, 0)


def sync_indexes() -> list[str]:
    """Create the models' indexes a database made by an older migration lacks (or has with
    other columns), so the benchmark measures the schema the code expects."""
    inspector = inspect(db.engine)
    changed = []
    for table in db.metadata.sorted_tables:
        existing = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            wanted = [column.name for column in index.columns]
            if existing.get(index.name) == wanted:
                continue
            if index.name in existing:
                index.drop(db.engine)
            index.create(db.engine)
            changed.append(index.name)
    return changed


def ensure_listings(prepared: Prepared, target: int) -> Prepared:
    """Schema, reference data, the national seed when absent, then synthetic up to target."""
    db.create_all()
    reference.load_taxonomy(db.session)
    reference.load_states(db.session)
    db.session.commit()
    if changed := sync_indexes():
        prepared.steps.append(f"indexes brought up to date: {', '.join(changed)}")
    synthetic, real = counts()
    if real == 0:
        started = time.perf_counter()
        result = prepared.app.test_cli_runner().invoke(args=["seed", "load"])
        if result.exit_code != 0:
            raise RuntimeError(f"flask seed load failed:\n{result.output}")
        prepared.steps.append(f"national seed loaded in {time.perf_counter() - started:.0f} s")
        synthetic, real = counts()
    if synthetic < target:
        started = time.perf_counter()
        add_synthetic(db.session, target - synthetic, seed=synthetic)
        prepared.steps.append(
            f"{target - synthetic:,} synthetic listings added in "
            f"{time.perf_counter() - started:.0f} s"
        )
        synthetic, real = counts()
    prepared.synthetic, prepared.real = synthetic, real
    return prepared


def prepare_sqlite(source_url: str, target: int = SYNTHETIC_TARGET) -> Prepared:
    source = Path(make_url(source_url).database or "")
    found = sqlite_counts(source)
    if found is not None and found[0] >= target:
        prepared = Prepared(bench_app(source_url), f"SQLite {source}")
        with prepared.app.app_context():
            prepared.synthetic, prepared.real = counts()
        return warm_sqlite(prepared, source)
    copy = sqlite_counts(BENCH_COPY)
    fresh = copy is None or copy[0] < target or (found is not None and copy[1] < found[1])
    steps = []
    if fresh:
        BENCH_COPY.parent.mkdir(parents=True, exist_ok=True)
        for leftover in BENCH_COPY.parent.glob(BENCH_COPY.name + "*"):
            leftover.unlink()
        if found is not None:
            # The backup API copies a consistent snapshot even while the server writes.
            with sqlite3.connect(source) as original, sqlite3.connect(BENCH_COPY) as target_db:
                original.backup(target_db)
            steps.append(f"copied {source} to {BENCH_COPY}")
    prepared = Prepared(bench_app(f"sqlite:///{BENCH_COPY}"), f"SQLite {BENCH_COPY}", steps=steps)
    with prepared.app.app_context():
        ensure_listings(prepared, target)
    return warm_sqlite(prepared, BENCH_COPY)


def prepare_postgresql(url: str, target: int = SYNTHETIC_TARGET) -> Prepared:
    prepared = Prepared(bench_app(url), f"PostgreSQL {make_url(url).render_as_string()}")
    with prepared.app.app_context():
        ensure_listings(prepared, target)
        if prepared.steps:
            settle(prepared)
        warm_postgresql(prepared)
    return prepared


# Why the files are read before timing: a server's database is in memory after its first minutes,
# and a page read from this machine's disk costs about 0.1 ms (46 pages of one PostgreSQL card
# query: 5.2 ms from disk, 0.7 ms from memory). Unwarmed, the figures measure which pages the
# steps before happened to leave in memory, not the search.


def warm_sqlite(prepared: Prepared, path: Path) -> Prepared:
    """Read the database file once, so the operating system has it in memory."""
    started = time.perf_counter()
    with open(path, "rb") as file:
        while file.read(1 << 24):
            pass
    prepared.steps.append(f"file read into memory in {time.perf_counter() - started:.0f} s")
    return prepared


def warm_postgresql(prepared: Prepared) -> None:
    """Read every table and index once (pg_prewarm), so the operating system has them in
    memory; said, not fatal, where the extension cannot be had."""
    started = time.perf_counter()
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            connection.exec_driver_sql(
                "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i')"
            )
            connection.commit()
    except SQLAlchemyError as error:
        prepared.steps.append(f"tables not read into memory first: {type(error).__name__}")
        return
    prepared.steps.append(f"tables read into memory in {time.perf_counter() - started:.0f} s")


def settle(prepared: Prepared) -> None:
    """VACUUM ANALYZE what was just written, as autovacuum would soon after: a database
    measured minutes after a 250,000-row load has no visibility map yet, and its index-only
    scans read the table too (the filtered searches' p95 was twice the settled figure)."""
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    prepared.steps.append(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


def default_source_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)

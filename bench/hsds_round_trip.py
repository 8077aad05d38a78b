"""The HSDS data package round trip on the national data: ``export hsds`` → ``import hsds`` into
an empty database → ``export hsds``, and Frictionless against the official descriptor.

``bench_round_trip(url)`` reads the directory at ``url`` (never writes to it), imports into a
throwaway SQLite database and reports the time of each step, the rows and whether the second
export gives the same files (row order aside). Run alone: ``python -m bench.hsds_round_trip``
(``DATABASE_URL``, default the project's database). The empty database gets the source's
taxonomy and states, ids included (``reference_rows``): empty of listings, as a second copy of
the same directory would be.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


def _files(folder: Path) -> dict[str, list[str]]:
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in folder.iterdir()}


def reference_rows(session) -> dict:
    """The taxonomy and the states as the source holds them, ids included (parent terms before
    their children): an empty database of the same directory has no listings, but the same
    terms under the same ids, so the second export can be the first."""
    from directory.models import State, Taxonomy, TaxonomyTerm

    def rows(model) -> list[dict]:
        return [dict(row) for row in session.execute(model.__table__.select()).mappings()]

    terms, ordered, placed = rows(TaxonomyTerm), [], {None}
    while len(ordered) < len(terms):
        ready = [t for t in terms if t["id"] not in placed and t["parent_id"] in placed]
        if not ready:
            raise RuntimeError("a taxonomy term's parent is missing")
        ordered += ready
        placed.update(term["id"] for term in ready)
    return {
        Taxonomy.__table__: rows(Taxonomy),
        TaxonomyTerm.__table__: ordered,
        State.__table__: rows(State),
    }


def bench_round_trip(url: str, progress=lambda step: None) -> dict:
    from frictionless import Package

    from bench.database import bench_app
    from directory.extensions import db
    from directory.hsds.package import export_package
    from directory.hsds.package_import import import_package
    from directory.hsds.package_scope import Scope
    from directory.hsds.tables import OFFICIAL_DESCRIPTOR

    figures: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first", Path(folder) / "second"
        database = make_url(url).database
        copied = url.startswith("sqlite") and bool(database)
        if copied:
            if not Path(database).is_file():
                raise RuntimeError(f"no seeded database at {database} (make run seeds it)")
            # A copy, given any table newer than the seeded file (the source stays untouched);
            # the backup API copies a consistent snapshot, the write-ahead log included.
            with (
                closing(sqlite3.connect(database)) as original,
                closing(sqlite3.connect(Path(folder) / "source.db")) as copy,
            ):
                original.backup(copy)
            url = f"sqlite:///{Path(folder) / 'source.db'}"
        source = bench_app(url)
        with source.app_context():
            if copied:
                db.create_all()
            reference = reference_rows(db.session)
            started = time.perf_counter()
            counts = export_package(db.session, first)
            figures["export_s"] = round(time.perf_counter() - started, 1)
            db.session.remove()
        progress(f"exported in {figures['export_s']} s")
        figures["rows"] = sum(counts.values())
        figures["services"] = counts["services"]
        figures["locations"] = counts["locations"]
        started = time.perf_counter()
        report = Package(json.loads(json.dumps(OFFICIAL_DESCRIPTOR)), basepath=str(first))
        validation = report.validate()
        figures["frictionless_s"] = round(time.perf_counter() - started, 1)
        figures["frictionless_valid"] = validation.valid
        figures["frictionless_errors"] = validation.stats.get("errors", 0)
        progress(f"validated in {figures['frictionless_s']} s")

        target = bench_app(f"sqlite:///{Path(folder) / 'empty.db'}")
        with target.app_context():
            db.create_all()
            for table, rows in reference.items():
                db.session.execute(table.insert(), rows)
            db.session.commit()
            started = time.perf_counter()
            imported = import_package(db.session, first, Scope(source_name=None))
            db.session.commit()
            figures["import_s"] = round(time.perf_counter() - started, 1)
            figures["import_errors"] = len(imported.errors)
            figures["import_warnings"] = len(imported.warnings)
            progress(f"imported in {figures['import_s']} s")
            export_package(db.session, second)
            db.session.remove()
        figures["same_files"] = _files(first) == _files(second)
    return figures


def describe(figures: dict) -> str:
    return (
        f"HSDS package round trip: {figures['rows']:,} rows ({figures['services']:,} services, "
        f"{figures['locations']:,} locations); export {figures['export_s']} s, import into an "
        f"empty database {figures['import_s']} s ({figures['import_errors']} errors, "
        f"{figures['import_warnings']} warnings), second export "
        f"{'identical' if figures['same_files'] else 'DIFFERENT'}; Frictionless against the "
        f"official descriptor {figures['frictionless_s']} s, "
        f"{'valid' if figures['frictionless_valid'] else 'INVALID'} "
        f"({figures['frictionless_errors']} errors)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.database import default_source_url

    print(describe(bench_round_trip(default_source_url(), progress=print)))

"""Database engine settings that the ORM cannot express: SQLite pragmas, the instance folder."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from directory.config import LOCK_TIMEOUT_MS


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    # WAL lets readers carry on while a writer commits; foreign keys are off by default in
    # SQLite; the busy timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Searches read the coordinates index over and over: a 64 MB page cache and memory-mapped
    # reads keep it in memory (measured: wall time of a search falls to its CPU time). The map
    # is as large as SQLite allows (2 GB): a page beyond it is read with a system call each
    # time, and a 280,000-location directory is 1.7 GB (every-filter p95 43 → 36 ms).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=2147418112")
    cursor.close()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _begin_writes_immediately(_conn, cursor, statement, _parameters, _context, _many) -> None:
    # Python's sqlite3 opens a deferred transaction before the first write, which takes its
    # snapshot first and the write lock second: when another process commits in between,
    # SQLite fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) instead of
    # waiting. BEGIN IMMEDIATE takes the lock first, waiting up to busy_timeout, then reads.
    connection = cursor.connection
    if not connection.in_transaction and statement.lstrip()[:7].upper().startswith(_WRITES):
        connection.execute("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def refresh_statistics(session: Session) -> None:
    """After a bulk load on PostgreSQL, gather planner statistics now: fresh tables have none
    until autovacuum gets to them, and searches plan badly (seconds, not milliseconds) until
    then.

    SQLite is left without them, on purpose: its statistics count the NULLs of a mostly-empty
    column as one value (``phones.service_id`` is NULL for most phones), so with them it reads
    a page's phones by scanning the whole table (34 ms a search on 280,000 locations, not
    1 ms). Its queries are written to plan well without statistics instead."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()


def init_app(app: Flask) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if not getattr(Engine, "_directory_pragmas", False):
        event.listen(Engine, "connect", _sqlite_only(_on_sqlite_connect))
        immediate = _sqlite_cursor_only(_begin_writes_immediately)
        event.listen(Engine, "before_cursor_execute", immediate)
        Engine._directory_pragmas = True  # type: ignore[attr-defined]


def _sqlite_only(listener):
    def wrapper(dbapi_connection, record) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            listener(dbapi_connection, record)

    return wrapper


def _sqlite_cursor_only(listener):
    def wrapper(conn, cursor, statement, parameters, context, executemany) -> None:
        if type(cursor).__module__.startswith("sqlite3"):
            listener(conn, cursor, statement, parameters, context, executemany)

    return wrapper

"""A rate-limit store that every gunicorn worker on one machine shares: a SQLite file.

``memory://`` counts in each worker process, so with four workers "10 per minute" lets 40
through. Redis (``RATELIMIT_STORAGE_URI=redis://…``) is the store for several machines; for one
machine without Redis, ``sqlite:////path/to/counters.db`` keeps the counters in a file that all
workers open. Counters are small and short-lived, so the file is written without waiting for the
disk (``synchronous=OFF``): a crash loses at most the current windows, which is harmless.

Registered with the ``limits`` library under the ``sqlite`` scheme when this module is imported
(``directory.extensions`` does so). Only the fixed-window strategy (Flask-Limiter's default) is
supported.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""
# A counter whose window has passed restarts at ``amount`` with a new window.
INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN :amount ELSE count + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :expires_at ELSE expires_at END
RETURNING count
"""
# Expired rows are deleted now and then, not on every increment.
PRUNE_EVERY = 1000


def path_of(uri: str) -> Path:
    """``sqlite:////abs/file.db`` → ``/abs/file.db``; ``sqlite:///rel.db`` → ``rel.db``."""
    return Path(uri.removeprefix("sqlite://").removeprefix("/"))


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file shared by the processes of one machine."""

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012 - the limits library's own declaration

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = path_of(uri)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per process and thread: a connection opened in gunicorn's master
        # must not be used by the workers it forks, nor by two threads at once.
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=5)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        self._increments += 1
        if self._increments % PRUNE_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        values = {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
        return connection.execute(INCREMENT, values).fetchone()[0]

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
            )
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute("SELECT expires_at FROM counters WHERE key = ?", (key,))
            .fetchone()
        )
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))

"""``python -m tests.hardening.halting_import ARGS…``: run ``flask import ARGS…`` and stop it
inside its write transaction once it has written ``HALT_AT_LOCATIONS`` locations or more.

At that point (a real write on the real database has just run, the locations uncommitted) it
writes ``halted <locations the transaction holds>`` on its standard output and waits for ever,
so the test that started it knows, without sleeping or polling, that killing it now kills an
import halfway through its writes. If the import ends before that, it writes ``finished``.
"""

from __future__ import annotations

import os
import sys
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

from directory import create_app

HALT_AT_LOCATIONS = 50


def locations_in_transaction(cursor) -> int:
    """Rows in ``locations`` as the import's own transaction sees them (its own inserts too)."""
    counter = cursor.connection.cursor()
    counter.execute("SELECT count(*) FROM locations")
    (count,) = counter.fetchone()
    counter.close()
    return count


def halt_halfway(conn, cursor, statement, parameters, context, executemany) -> None:
    # After any write, not only an INSERT INTO locations: on PostgreSQL the source import
    # writes its rows with COPY on the raw connection, which fires no event of its own.
    if not statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
        return
    held = locations_in_transaction(cursor)
    if held >= HALT_AT_LOCATIONS:
        # fd 1 itself: the CLI runner has replaced sys.stdout with its own capture.
        os.write(1, f"halted {held}\n".encode())
        threading.Event().wait()


def main(args: list[str]) -> None:
    app = create_app()
    event.listen(Engine, "after_cursor_execute", halt_halfway)
    result = app.test_cli_runner().invoke(args=["import", *args])
    os.write(1, f"finished {result.exit_code}\n{result.output}".encode())


if __name__ == "__main__":
    main(sys.argv[1:])

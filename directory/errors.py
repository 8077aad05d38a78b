"""One error handler for the whole app: JSON under /api/ and /hsds/, an HTML page elsewhere.

Every error body in the APIs has the same shape::

    {"code": 422, "status": "Unprocessable Entity", "message": "…", "errors": {"field": ["…"]}}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from directory.extensions import db

log = logging.getLogger(__name__)
JSON_PREFIXES = ("/api/", "/hsds")
# Headers an exception may carry that the client needs (Allow on 405, Retry-After on 429/503,
# WWW-Authenticate on 401); its own Content-Type describes the HTML body we do not send.
_DROPPED_HEADERS = {"content-type", "content-length"}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def flatten_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests messages by location ({"query": {"radius": [...]}}); clients want fields."""
    flat: dict[str, list[str]] = {}
    if not isinstance(messages, dict):
        return {"_schema": [str(messages)]}
    for location, fields in messages.items():
        if location in {"query", "json", "form", "headers", "path", "files", "view_args"} and (
            isinstance(fields, dict)
        ):
            for field, problems in fields.items():
                flat.setdefault(str(field), []).extend(_as_strings(problems))
        else:
            flat.setdefault(str(location), []).extend(_as_strings(fields))
    return flat


def _as_strings(problems: Any) -> list[str]:
    if isinstance(problems, list):
        return [p if isinstance(p, str) else str(p) for p in problems]
    if isinstance(problems, dict):
        return [f"{key}: {value}" for key, value in problems.items()]
    return [str(problems)]


def _describe(error: HTTPException, fields: dict[str, list[str]]) -> str:
    data = getattr(error, "data", None) or {}
    if data.get("message"):
        return str(data["message"])
    if fields:
        return "Invalid input: " + ", ".join(sorted(fields))
    return error.description or error.name


def json_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    fields = flatten_messages(data["messages"]) if "messages" in data else {}
    body: dict[str, Any] = {
        "code": error.code,
        "status": error.name,
        "message": _describe(error, fields),
    }
    if fields:
        body["errors"] = fields
    elif data.get("errors"):
        body["errors"] = data["errors"]
    headers = [
        (name, value) for name, value in error.get_headers() if name.lower() not in _DROPPED_HEADERS
    ]
    headers.extend((data.get("headers") or {}).items())
    return body, error.code, headers


def html_error(error: HTTPException):
    headers = [
        (name, value) for name, value in error.get_headers() if name.lower() not in _DROPPED_HEADERS
    ]
    page = render_template("errors/error.html", error=error, code=error.code)
    return page, error.code, headers


def handle_http_exception(error: HTTPException):
    return json_error(error) if wants_json() else html_error(error)


@dataclass(frozen=True)
class DatabaseFailure:
    """A kind of database error, known by PostgreSQL's SQLSTATE or SQLite's message."""

    sqlstates: frozenset[str]
    sqlite_messages: tuple[str, ...]

    def matches(self, error: DBAPIError) -> bool:
        if getattr(error.orig, "sqlstate", None) in self.sqlstates:
            return True
        message = str(error.orig).lower()
        return any(fragment in message for fragment in self.sqlite_messages)


# The database is there but refuses to store anything: read_only_sql_transaction, disk_full;
# SQLITE_READONLY, SQLITE_FULL.
REFUSES_WRITES = DatabaseFailure(
    frozenset({"25006", "53100"}), ("readonly database", "disk is full")
)
# Another change held what this one needs for longer than LOCK_TIMEOUT_MS: lock_not_available,
# serialization_failure, deadlock_detected; SQLITE_BUSY.
BUSY = DatabaseFailure(
    frozenset({"55P03", "40001", "40P01"}), ("database is locked", "database is busy")
)


def handle_database_error(error: DBAPIError):
    if BUSY.matches(error):
        # Nothing of this change was saved (its transaction is rolled back): say so plainly, so
        # a partner or a script retries rather than thinking the directory is down.
        return _service_unavailable(
            error,
            _(
                "The directory is busy saving other changes, and nothing of yours was saved. "
                "Please try again in a few seconds."
            ),
            retry_after=5,
        )
    if REFUSES_WRITES.matches(error):
        # Reads still work on a read-only or full database: only the change is refused.
        return _service_unavailable(
            error,
            _(
                "The directory cannot save changes right now: its database is read-only or "
                "full. Searching still works. Please try again later."
            ),
        )
    if isinstance(error, OperationalError) or error.connection_invalidated:
        # The database went away (restart, network, disk): say so and let the client retry;
        # the connection pool's pre-ping reconnects by itself once it is back.
        return _service_unavailable(
            error,
            _("The directory's database is not reachable right now. Please try again in a minute."),
        )
    return handle_unexpected(error)


def _service_unavailable(error: DBAPIError, message: str, retry_after: int = 30):
    db.session.rollback()
    log.error("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    unavailable = ServiceUnavailable(message)
    unavailable.retry_after = retry_after
    return handle_http_exception(unavailable)


def handle_unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    # Registered after flask-smorest's own handler so that this one wins for every path.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)

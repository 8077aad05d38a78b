"""What gunicorn.conf.py takes from the project: an error log that never records a searcher's
query or address, and security headers on the answers gunicorn writes itself.

Flask answers every error it sees with its own page and headers. What escapes it (an exception
in middleware or while streaming, a request line gunicorn cannot parse, headers too large) is
answered and logged by gunicorn, whose error log would record the request line with its query
string ("Error handling request GET /search?near=…") and the client's address, and whose error
page carries no security headers.
"""

from __future__ import annotations

import logging
import re

from gunicorn import util
from gunicorn.glogging import Logger

# A path or URL followed by a query string: the query (searched place, words, proximity) goes.
_QUERY = re.compile(r"(?P<target>(?:https?://|/)[^\s?'\"]*)\?[^\s'\"]*")
# gunicorn's "Invalid request from ip=…": a searcher's address is their location too.
_ADDRESS = re.compile(r"\bip=\S+")
QUERY_REMOVED = "?[query removed]"


def redact(text: str) -> str:
    """``text`` without query strings or client addresses."""
    return _ADDRESS.sub("ip=[address removed]", _QUERY.sub(rf"\g<target>{QUERY_REMOVED}", text))


class RedactingFormatter(logging.Formatter):
    """Formats as usual (tracebacks included), then removes queries and addresses."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateLogger(Logger):
    """gunicorn's logger, with every error and access log line passed through ``redact``."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                formatter = handler.formatter or logging.Formatter()
                handler.setFormatter(RedactingFormatter(formatter._fmt, formatter.datefmt))


# The headers directory.security sets on the app's answers, for a bare error page that needs
# no script, style or image, and must not be cached.
ERROR_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def write_headed_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error`` with the security headers, and a body that does not
    echo the request (its line may carry a searcher's query)."""
    body = (
        f"<!doctype html><html><head><title>{reason}</title></head>"
        f"<body><h1>{status_int} {reason}</h1></body></html>"
    )
    headers = "".join(f"{name}: {value}\r\n" for name, value in ERROR_HEADERS.items())
    response = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        f"{headers}\r\n{body}"
    )
    util.write_nonblock(sock, response.encode("latin-1"))


def install_headed_errors() -> None:
    """Make gunicorn write its own error answers with ``write_headed_error``.

    gunicorn offers no setting for its error pages; its workers call ``util.write_error``
    through the module, so replacing that one function covers every worker class.
    """
    util.write_error = write_headed_error

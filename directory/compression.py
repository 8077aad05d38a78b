"""Compressed pages and JSON (brotli or gzip, as the browser asks) with Flask-Compress.

Streamed answers (``format=ndjson``) are left as they are: a compressor holds rows back until
it has a block to emit, so a client reading a stream row by row would wait on it. API records
keep their ETag as sent: Flask-Compress suffixes a compressed answer's ETag (``"…:br"``), and
a partner sends that ETag back in ``If-Match`` on a write, which compares it with the record's
own version. Those records are a few kilobytes; search results and pages are what compress.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIN_SIZE": 500,
}


class DirectoryCompress(Compress):
    def after_request(self, response: Response) -> Response:
        if request.path.startswith("/api/") and response.headers.get("ETag"):
            return response
        return super().after_request(response)


compress = DirectoryCompress()


def init_app(app: Flask) -> None:
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)

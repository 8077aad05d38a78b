"""Printable resource sheets for outreach: ``GET /sheets``, one page of the nearest places.

The same query string as ``/search``, read by the same reader and answered by the same search;
``format=pdf`` renders the same HTML to a PDF with WeasyPrint, which may load nothing but this
app's own static files (``directory.sheets.pdf``). No JavaScript, no cookie.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sheets", __name__, static_folder="static", static_url_path="/sheets/static")

from directory.sheets import views  # noqa: E402,F401  (routes attach to bp)

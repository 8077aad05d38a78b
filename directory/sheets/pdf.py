"""A sheet's HTML as a PDF (WeasyPrint), loading nothing but this app's own static files.

WeasyPrint would fetch any URL a page names; a sheet names only its stylesheet, and the fetcher
below answers that from the disk and refuses everything else, so rendering never touches the
network (nor the app itself over HTTP). Fonts come from the system (Debian's DejaVu).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join


class StaticFilesOnly(URLFetcher):
    """Serves URLs under the app's static paths from their folders; refuses every other URL."""

    def __init__(self, folders: dict[str, str]) -> None:
        super().__init__()
        # URL path prefix ("/static/") → folder on disk.
        self.folders = folders

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = unquote(urlsplit(url).path)
        for prefix, folder in self.folders.items():
            if path.startswith(prefix):
                found = safe_join(folder, path.removeprefix(prefix))
                if found and Path(found).is_file():
                    kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": kind})
        raise ValueError(f"A sheet loads only the app's static files, not {url}")


def static_folders(app: Flask) -> dict[str, str]:
    """Every static URL path of the app and its blueprints, with its folder."""
    folders = {}
    if app.static_folder and app.static_url_path is not None:
        folders[app.static_url_path.rstrip("/") + "/"] = app.static_folder
    for blueprint in app.blueprints.values():
        if blueprint.static_folder and blueprint.static_url_path:
            folders[blueprint.static_url_path.rstrip("/") + "/"] = blueprint.static_folder
    return folders


def render_document(app: Flask, html: str, base_url: str) -> Document:
    """The laid-out pages (``.pages``, ``.write_pdf()``) of a sheet's HTML."""
    fetcher = StaticFilesOnly(static_folders(app))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()

"""Helpers for the page tests: a client whose every request picks its language afresh, and
pulling a form's CSRF token out of a rendered page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from directory import i18n

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class FreshLocaleClient(FlaskClient):
    """Requests in a test share the test's app context, where Flask-Babel caches the locale;
    a real server gives each request its own, so forget the cached one before each request."""

    def open(self, *args, **kwargs):
        i18n.refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshLocaleClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def csrf_token_from():
    def extract(html: str) -> str:
        match = CSRF_INPUT.search(html)
        assert match, "the page has no CSRF token"
        return match.group(1)

    return extract

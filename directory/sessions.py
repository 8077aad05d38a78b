"""Sessions exist for partners, admins and the report form; public reads never touch them."""

from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface

# Answers under these prefixes are the same for everyone, so they must not say "Vary: Cookie":
# a CDN would otherwise refuse to cache them, or cache one copy per visitor.
PUBLIC_READ_PREFIXES = ("/api/", "/hsds")


class DirectorySessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions that stay out of public API answers.

    Flask-Login reads the session after every request (to refresh "remember me"), which makes
    Flask add ``Vary: Cookie`` to every response. For the public APIs, where nothing depends on
    a session, an untouched empty session is neither saved nor advertised.
    """

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified and request.path.startswith(PUBLIC_READ_PREFIXES):
            return
        super().save_session(app, session, response)

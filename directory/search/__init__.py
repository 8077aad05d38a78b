"""The public pages a person looking for help sees: home, results, a location, a state, about.

Pages are server-rendered and complete without JavaScript. Anonymous browsing sets no cookie:
the language rides in ``?lang=`` (carried into every link by ``keep_language``), and only the
"report a problem" form, which a person opens on purpose, uses the session for its CSRF token.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("search", __name__)

from directory.claims import views as claim_views  # noqa: E402,F401  (the claim form attaches too)
from directory.search import presenters, views  # noqa: E402,F401  (routes and helpers attach to bp)

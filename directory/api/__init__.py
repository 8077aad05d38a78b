"""The JSON API under /api/v1 (flask-smorest): search, records, taxonomy, states, partner writes.

Each feature module owns its own smorest Blueprint; ``register`` hangs them all on the Api so
their paths and schemas appear in /api/v1/openapi.json.
"""

from __future__ import annotations

from flask_smorest import Api

URL_PREFIX = "/api/v1"


def register(api: Api) -> None:
    from directory.api import search

    api.register_blueprint(search.blp, url_prefix=URL_PREFIX)

"""The API's description (title, licence, servers, tags) and its browsable docs at /api/docs.

The docs page is Swagger UI served from /static/vendor/swagger-ui (copied by
``tools/vendor_swagger_ui.sh``), started by an external script so the site-wide CSP
(``script-src 'self'``, no inline script) holds on this page too.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, url_for

from directory.extensions import api

bp = Blueprint("api_reference", __name__)

DESCRIPTION = """\
A national directory of harm-reduction and health services: naloxone, test strips and drug
checking, syringe services, overdose prevention centers, treatment (including buprenorphine,
methadone and naltrexone), peer support, housing and hotlines, with their locations, hours and what
each state's law says about each kind of service.

Reads are public and need no key. They may be cached (`ETag`, `If-None-Match` → 304,
`Cache-Control: public, max-age=300`), are open to any web origin (CORS, without credentials)
and are rate limited per client address: past the limit the answer is a 429 with `Retry-After`.
Errors are always JSON: `{"code", "status", "message", "errors": {"field": ["…"]}}`.
Names and legality notes follow `?lang=es` or `Accept-Language` (English or Spanish).

The same listings are also published as Open Referral HSDS 3.0 under `/hsds`.
"""

SPEC_OPTIONS = {
    "info": {
        "description": DESCRIPTION,
        "license": {
            "name": "Data: see each listing's source; code: AGPL-3.0-or-later",
            "url": "https://www.gnu.org/licenses/agpl-3.0.html",
        },
    },
    "servers": [{"url": "/", "description": "This server"}],
}


@bp.get("/api/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))


def init_app(app: Flask) -> None:
    """Describe the API in its OpenAPI document and serve the docs page."""
    for key, value in SPEC_OPTIONS.items():
        current = api.spec.options.get(key)
        api.spec.options[key] = current | value if isinstance(current, dict) else value
    app.register_blueprint(bp)

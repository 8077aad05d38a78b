"""Harm Reduction Directory: a private, bilingual directory of harm-reduction services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from directory.config import PROJECT_ROOT, load_config
from directory.sessions import DirectorySessionInterface


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → errors → CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(config))
    app.session_interface = DirectorySessionInterface()

    from directory import cli, compression, database, errors, i18n, security
    from directory.api import openapi
    from directory.extensions import api, cors, csrf, db, limiter, login_manager, migrate
    from directory.queries import changes, engine

    # First, so it runs after every other after_request handler and compresses their result.
    compression.init_app(app)
    database.init_app(app)
    db.init_app(app)
    changes.listen()
    engine.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    # Public reads may be fetched by any web app; credentials are never sent cross-origin.
    cors.init_app(app, resources={r"/api/*": {"origins": "*"}, r"/hsds/*": {"origins": "*"}})
    api.init_app(app, spec_kwargs=openapi.spec_kwargs())
    openapi.init_app(app, api)
    security.init_app(app)

    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Public pages, the partner portal and moderation, then the two APIs."""
    from directory import admin, auth, health, partners
    from directory import api as search_api
    from directory.api import docs as api_docs
    from directory.api import records, writes
    from directory.extensions import api
    from directory.hsds import views as hsds_views
    from directory.search import bp as search_pages
    from directory.sheets import bp as sheets
    from directory.sms import bp as sms

    app.register_blueprint(health.bp)
    app.register_blueprint(search_pages)
    app.register_blueprint(sms)
    app.register_blueprint(sheets)
    app.register_blueprint(auth.bp)
    app.register_blueprint(partners.bp)
    app.register_blueprint(admin.bp)
    # Registration order is the order of the OpenAPI document (committed as openapi.json).
    writes.register(api)
    records.register(api)
    search_api.register(api)
    api_docs.init_app(app)
    app.register_blueprint(hsds_views.bp)

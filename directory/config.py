"""Settings, read once from the environment; tests pass a mapping to ``create_app`` instead."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'directory.db'}"


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; the app refuses to start."""


def _normalise_database_url(url: str) -> str:
    # SQLAlchemy picks psycopg 3 for "postgresql://" but rejects Heroku-style "postgres://".
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url


# How long a write waits for another one holding its rows (SQLite: the file) before the person
# is told the directory is busy: SQLite's busy_timeout (directory.database), PostgreSQL's
# lock_timeout. Without it a PostgreSQL write would wait until gunicorn killed the worker.
LOCK_TIMEOUT_MS = 5000


def _engine_options(database_url: str) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"}
    return options


def _count(env: Mapping[str, str], name: str, default: int, meaning: str) -> int:
    value = env.get(name, str(default))
    if not value.isdigit():
        raise ConfigError(f"{name} must be {meaning}, not {value!r}.")
    return int(value)


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app's settings from the environment, then ``overrides`` (used by tests).

    Fails fast with :class:`ConfigError` when ``SECRET_KEY`` is missing outside development and
    testing, so a production server never runs with a guessable key.
    """
    env = os.environ
    overrides = dict(overrides or {})
    environment = overrides.get("ENV_NAME", env.get("FLASK_ENV_NAME", "production"))
    testing = bool(overrides.get("TESTING", False))
    debug = env.get("FLASK_DEBUG", "") in {"1", "true", "True"}
    development = environment == "development" or debug

    secret_key = overrides.get("SECRET_KEY", env.get("SECRET_KEY"))
    if not secret_key:
        if not (development or testing):
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`), "
                "or set FLASK_ENV_NAME=development for a local run."
            )
        secret_key = "development-only-not-secret"  # noqa: S105 - refused above outside dev/tests

    database_url = _normalise_database_url(
        overrides.get("SQLALCHEMY_DATABASE_URI", env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    )
    https = env.get("PREFERRED_URL_SCHEME", "http") == "https"
    trusted_proxies = _count(env, "TRUSTED_PROXIES", 0, "the number of proxies in front of the app")

    config: dict[str, Any] = {
        "ENV_NAME": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: SQL parameters (a searched ZIP, say) never reach a log or error text.
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # memory:// counts per process; gunicorn.conf.py puts its workers on one shared store
        # ("sqlite://…") unless this names one (redis://… for several machines).
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Per client address: the JSON APIs (apps behind one address may need more), and the
        # results pages, at a pace no person searching by hand reaches.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute"),
        "SEARCH_PAGE_RATE_LIMIT": env.get("SEARCH_PAGE_RATE_LIMIT", "60 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # When Redis is unreachable, count in each process's memory instead of failing every
        # rate-limited request with a 500: the directory stays up, limits get looser.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Load balancers / CDN hops whose X-Forwarded-For and -Proto are believed (0: none).
        "TRUSTED_PROXIES": trusted_proxies,
        "GEOCODER": env.get("GEOCODER", "offline"),
        "MAP_TILE_URL": env.get("MAP_TILE_URL", ""),
        # The SMS gateway's auth token (directory/sms): empty = signatures not checked (local use).
        "SMS_AUTH_TOKEN": env.get("SMS_AUTH_TOKEN", ""),
        # Result cards each process keeps (docs/deployment.md §1): the national directory's
        # 32,000 places fit, at about 4.5 kB a place with its services. 0 keeps none.
        "CARD_CACHE_PLACES": _count(env, "CARD_CACHE_PLACES", 40_000, "a number of places"),
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION", ""),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "es"),
        "API_TITLE": "Harm Reduction Directory API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "WTF_CSRF_TIME_LIMIT": None,
    }
    config.update(overrides)
    config["TESTING"] = testing
    return config

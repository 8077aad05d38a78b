"""The policy every public read of the JSON APIs follows: rate limited per client address,
cacheable for five minutes, errors documented in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint, abort

from directory.api import record_examples as examples
from directory.extensions import db, limiter

# Configurable with API_RATE_LIMIT; the storage is RATELIMIT_STORAGE_URI (Redis in production).
DEFAULT_RATE_LIMIT = "120 per minute"
CACHE_CONTROL = "public, max-age=300"


def api_rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def cacheable(response):
    """Public reads may be cached by browsers and CDNs for five minutes."""
    if request.method == "GET" and response.status_code in (200, 304):
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.vary.add("Accept-Language")
    return response


def public_reads(blueprint: Any) -> None:
    """Rate limit every endpoint of ``blueprint`` and let its answers be cached."""
    limiter.limit(api_rate_limit)(blueprint)
    blueprint.after_request(cacheable)


ERROR_DESCRIPTIONS = {
    404: "No such record. Archived records answer 404 too.",
    422: "A query parameter is invalid; `errors` names it.",
    429: "Too many requests from this address; retry after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until a retry may succeed",
        "schema": {"type": "integer"},
    }
}


def documented_errors(blueprint: Blueprint, *codes: int):
    """Document the JSON errors an endpoint can answer, besides the 429 every endpoint can."""

    def decorate(view):
        for code in (*codes, 429):
            view = blueprint.alt_response(
                code,
                schema=examples.ErrorSchema,
                description=ERROR_DESCRIPTIONS[code],
                example=examples.ERRORS[code],
                headers=RETRY_AFTER if code == 429 else None,
            )(view)
        return view

    return decorate


def one_or_404(statement, what: str) -> Any:
    record = db.session.scalars(statement).first()
    if record is None:
        abort(404, message=f"No such {what}.")
    return record

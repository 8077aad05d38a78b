"""Slowing password guessing without handing anyone a way to lock a partner out.

There is no account lockout. Failed logins are counted in the rate limiter's store (shared by
every worker and server: ``RATELIMIT_STORAGE_URI``) under three scopes, and once a scope has had
its free failures, each further failure doubles how long that scope must wait before it may try
again (1 s, 2 s, 4 s, … up to 15 minutes; OWASP ASVS 2.2.1's "ever increasing delays"):

- this client and this email: a guesser at one account from one address;
- this client, whatever email: credential stuffing from one address;
- this email, whatever client: guessing spread over many addresses (at most about 100 failures
  an hour reach the password check, as ASVS 2.2.1 asks). Browsers that have logged in to the
  account before carry a signed "known browser" cookie and are exempt from this scope, so the
  owner still gets in from their usual browser during such an attack.

The owner logging in from a new client is refused only by the third scope, i.e. only while
someone spreads over 100 failures an hour across many addresses against that one email. Counts
are keyed by a keyed hash of the email as typed, never by whether an account exists: an unknown
email is throttled exactly like a real one, so throttling tells nobody who has an account.
See docs/security.md.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from directory.extensions import client_key, limiter

logger = logging.getLogger(__name__)

FAILURE_WINDOW_SECONDS = 3600
MAX_WAIT_SECONDS = 15 * 60
KNOWN_BROWSER_COOKIE = "hrd_known_browser"
KNOWN_BROWSER_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Scope:
    name: str
    free_failures: int
    # Whether a browser that has logged in to the account before skips this scope.
    known_browsers_exempt: bool = False


CLIENT_AND_ACCOUNT = Scope("client-account", free_failures=3)
CLIENT = Scope("client", free_failures=10)
ACCOUNT = Scope("account", free_failures=100, known_browsers_exempt=True)
SCOPES = (CLIENT_AND_ACCOUNT, CLIENT, ACCOUNT)


def _keyed(value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, value.encode(), "sha256").hexdigest()[:32]


class _Store:
    """The rate limiter's store (its in-memory fallback while Redis is down), for counters.

    Off with the rate limits (``RATELIMIT_ENABLED``, which tests turn off). A store that fails
    mid-request is logged and skipped: the login form's own rate limit still holds then.
    """

    def __init__(self) -> None:
        self.enabled = current_app.config.get("RATELIMIT_ENABLED", True)

    def _call(self, method: str, *args):
        if not self.enabled:
            return 0
        try:
            return getattr(limiter.limiter.storage, method)(*args)
        except Exception:  # any store failure: count nothing, refuse nothing
            logger.warning("login throttle: the rate-limit store failed; not counting")
            return 0

    def get(self, key: str) -> int:
        return self._call("get", key)

    def incr(self, key: str, expiry: int) -> int:
        return self._call("incr", key, expiry)

    def clear(self, key: str) -> None:
        self._call("clear", key)


def _store() -> _Store:
    return _Store()


class LoginThrottle:
    """The throttle for one login attempt: this client, this email as typed."""

    def __init__(self, email: str) -> None:
        self.email = email.strip().lower()
        account, client = _keyed(f"email:{self.email}"), client_key()
        self.keys = {
            CLIENT_AND_ACCOUNT: f"login:{account}:{client}",
            CLIENT: f"login:client:{client}",
            ACCOUNT: f"login:{account}",
        }

    def _scopes(self, known_browser: bool) -> list[Scope]:
        return [s for s in SCOPES if not (known_browser and s.known_browsers_exempt)]

    def waiting(self, known_browser: bool) -> bool:
        """Whether this attempt must be refused unchecked, because a scope is waiting."""
        store = _store()
        return any(store.get(f"wait:{self.keys[s]}") for s in self._scopes(known_browser))

    def failed(self, known_browser: bool) -> None:
        """Count a failure in every scope; a scope past its free failures starts a wait."""
        store = _store()
        for scope in self._scopes(known_browser):
            key = self.keys[scope]
            failures = store.incr(f"fail:{key}", FAILURE_WINDOW_SECONDS)
            if failures > scope.free_failures:
                wait = min(2 ** (failures - scope.free_failures - 1), MAX_WAIT_SECONDS)
                store.incr(f"wait:{key}", wait)

    def succeeded(self) -> None:
        """The person knows the password: their own client's count for this account restarts."""
        store, key = _store(), self.keys[CLIENT_AND_ACCOUNT]
        store.clear(f"fail:{key}")
        store.clear(f"wait:{key}")


def _browser_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-browser")


def known_browser_for(email: str) -> bool:
    """Whether this browser has logged in to the account of ``email`` before."""
    cookie = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not cookie:
        return False
    try:
        known = _browser_serializer().loads(cookie)
    except BadSignature:
        return False
    expected = _keyed(f"email:{email.strip().lower()}")
    return isinstance(known, str) and hmac.compare_digest(known, expected)


def remember_browser(response, email: str) -> None:
    """Mark this browser as one that has logged in to ``email``'s account."""
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        _browser_serializer().dumps(_keyed(f"email:{email.strip().lower()}")),
        max_age=KNOWN_BROWSER_MAX_AGE,
        path="/auth/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )

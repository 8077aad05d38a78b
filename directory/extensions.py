"""Unbound Flask extensions; ``create_app`` binds them to an app."""

import hashlib
import hmac

from flask import current_app, request, session
from flask_babel import Babel
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from directory import rate_limits  # noqa: F401 - registers the "sqlite://" limits store
from directory.models.base import Base


def session_identifier() -> str:
    """What "strong" session protection ties a login to: the client's address as the app sees
    it and its user agent.

    Flask-Login's own identifier prefers a client-sent ``X-Forwarded-For``, which a thief
    holding a stolen cookie can simply set to the victim's address. ``request.remote_addr`` is
    the connection's address, rewritten by ProxyFix only for ``TRUSTED_PROXIES`` hops.
    """
    identity = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(identity.encode()).hexdigest()


class DirectoryLoginManager(LoginManager):
    """Session protection for logged-in people only, on an identifier no header can forge.

    Flask-Login's "strong" protection also fires for a visitor whose session holds nothing but
    the report form's CSRF token, and answers by sending a remember-me deletion cookie on every
    page they see afterwards. There is no login to protect then, so there is nothing to do.
    """

    def __init__(self) -> None:
        super().__init__()
        self._session_identifier_generator = session_identifier

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
babel = Babel()
csrf = CSRFProtect()
login_manager = DirectoryLoginManager()
cors = CORS()


def client_key() -> str:
    """Who a rate limit counts: the client's address, keyed-hashed with the app's secret.

    The limiter's storage (memory or Redis) holds its counters for the length of a window;
    hashing means it never holds a searcher's IP address in the clear.
    """
    address = (get_remote_address() or "").encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), address, "sha256").hexdigest()[:32]


limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=True)


@limiter.request_filter
def _limits_off_for_this_app() -> bool:
    # The limiter is one object shared by every app built in a process (tests build several);
    # its own "enabled" flag follows whichever app was initialised last, so each app's setting
    # is honoured here instead.
    return not current_app.config.get("RATELIMIT_ENABLED", True)

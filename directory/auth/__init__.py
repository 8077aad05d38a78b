"""Logging partners and admins in: Flask-Login's user loader and the login blueprint."""

from __future__ import annotations

import uuid

from flask import session

from directory.auth.accounts import SESSION_STAMP, session_stamp
from directory.auth.views import bp
from directory.extensions import db, login_manager
from directory.models import User

__all__ = ["bp", "load_user"]

login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to manage your listings."
# A stolen session cookie stops working when the browser's address or agent changes.
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, unless they logged out, changed their password or were disabled
    since this session began."""
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    if user is None or not user.active or session.get(SESSION_STAMP) != session_stamp(user):
        return None
    return user

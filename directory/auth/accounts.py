"""Passwords, sessions, invitations and API keys: the account rules, apart from any view.

Passwords are hashed with argon2; failed logins are slowed down (``throttle.py``), never locked
out. Sessions end server-side at logout and password change (a version on the user).
Invitations are signed links that stop working once used, because the signature covers the
password hash the account had when it was invited. API keys are shown once and stored as a
SHA-256 hash with a short visible prefix.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, session
from flask_login import login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.auth import throttle
from directory.models import ApiKey, Organization, User, utcnow

INVITE_MAX_AGE = timedelta(days=7)
MIN_PASSWORD_LENGTH = 12
KEY_PREFIX = "hrd_"
# Visible part of a key (its first characters) that identifies it in lists and in the history.
VISIBLE_PREFIX_LENGTH = 12
# Refreshing last_used_at on every call would make each request a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Session key holding the stamp (password and session version) the login was made with.
SESSION_STAMP = "_session_stamp"


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    # Verified against when the email is unknown, so a wrong email costs as long as a wrong
    # password and nobody can tell which emails have accounts.
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2id with RFC 9106's low-memory profile; tests may pick ``CHEAPEST`` for speed."""
    return _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


def _verify(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password these are, or None.

    Every refusal looks and takes the same: an unknown email, a wrong password, a disabled
    account and an attempt refused by the throttle (``throttle.py``) all run the password hash
    once and write nothing to the database, so neither the answer nor its timing tells whether
    an account exists or what state it is in.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    guard = throttle.LoginThrottle(email)
    known_browser = throttle.known_browser_for(email)
    waiting = guard.waiting(known_browser)
    password_ok = _verify(user.password_hash if user else None, password)
    if waiting:
        return None
    if user is None or not user.active or not password_ok:
        guard.failed(known_browser)
        return None
    guard.succeeded()
    if _hasher()[0].check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def session_stamp(user: User) -> str:
    """Changes with the password and at every logout: sessions made before then expire."""
    return f"{password_stamp(user)}.{user.session_version}"


def start_session(user: User) -> None:
    """Log the user in for this browser, tied to their password and session version."""
    login_user(user)
    session[SESSION_STAMP] = session_stamp(user)


def end_sessions(user: User) -> None:
    """End every session of ``user``, in every browser: each checks the version it was made
    with on its next request (``load_user``). The caller commits."""
    user.session_version += 1


def check_password(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def create_organization(session: Session, name: str) -> Organization:
    organization = Organization(name=name.strip(), is_partner=True)
    session.add(organization)
    session.flush()
    return organization


def create_user(
    session: Session,
    email: str,
    *,
    role: str,
    organization_id: uuid.UUID | None,
    password: str | None = None,
) -> User:
    """A login; without a password it can only be entered through an invitation link."""
    user = User(
        email=email.strip().lower(),
        role=role,
        organization_id=organization_id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="partner-invite")


def password_stamp(user: User) -> str:
    """Changes whenever the password does: invitations and sessions made before it expire."""
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def invite_token(user: User) -> str:
    """A link token that lets the user set a password once."""
    return _invite_serializer().dumps({"user": str(user.id), "hash": password_stamp(user)})


def user_for_invite(session: Session, token: str) -> User | None:
    """The invited user, or None when the token is forged, expired or already used."""
    try:
        data = _invite_serializer().loads(token, max_age=int(INVITE_MAX_AGE.total_seconds()))
        user = session.get(User, uuid.UUID(data["user"]))
    except (BadSignature, SignatureExpired, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or data.get("hash") != password_stamp(user):
        return None
    return user


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, organization_id: uuid.UUID, name: str) -> tuple[ApiKey, str]:
    """A new key for the organization; the plain key is returned once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        organization_id=organization_id,
        name=name,
        prefix=key[:VISIBLE_PREFIX_LENGTH],
        key_hash=hash_key(key),
    )
    session.add(api_key)
    session.flush()
    return api_key, key


def api_key_for(session: Session, key: str) -> ApiKey | None:
    """The live key matching a presented secret, its last use noted; None when unknown/revoked."""
    api_key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if api_key is None or api_key.revoked_at is not None:
        return None
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
    return api_key


def revoke_api_key(api_key: ApiKey) -> None:
    api_key.revoked_at = api_key.revoked_at or utcnow()

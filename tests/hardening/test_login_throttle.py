"""Password guessing is slowed down without telling anyone who has an account, and without
letting a guesser lock the real owner out (docs/security.md, "Logins")."""

from __future__ import annotations

import re
from itertools import count

import pytest
from argon2 import Parameters, PasswordHasher, extract_parameters

from directory.auth import accounts, throttle
from directory.extensions import db
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple 42"
ATTACKER = "203.0.113.66"
_addresses = count(1)


def fresh_address() -> str:
    """A client address no earlier request of the test has used."""
    number = next(_addresses)
    return f"198.51.{number // 250}.{number % 250 + 1}"


def attempt(app, email: str, password: str, address: str, client=None):
    client = client or app.test_client()
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def make_owner(app, email: str = "owner@example.org", **kwargs) -> str:
    with app.app_context():
        UserFactory(email=email, password_hash=accounts.hash_password(PASSWORD), **kwargs)
        db.session.commit()
    return email


@pytest.fixture
def guarded_app(make_app):
    """Rate limits and the login throttle on, CSRF off (the form is posted directly)."""
    return make_app(
        RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False, PASSWORD_HASH_PROFILE="CHEAPEST"
    )


def test_a_guesser_cannot_lock_the_owner_out_of_a_login_from_another_address(guarded_app):
    owner = make_owner(guarded_app)
    for _ in range(9):
        attempt(guarded_app, owner, "wrong password!", ATTACKER)
    assert attempt(guarded_app, owner, PASSWORD, fresh_address()).status_code == 302


def test_after_a_few_failures_a_guesser_must_wait_even_with_the_right_password(guarded_app):
    owner = make_owner(guarded_app)
    failures = throttle.CLIENT_AND_ACCOUNT.free_failures + 1
    for _ in range(failures):
        assert attempt(guarded_app, owner, "wrong password!", ATTACKER).status_code == 401
    # The next try comes within the first wait (1 s): refused unchecked, the same answer.
    refused = attempt(guarded_app, owner, PASSWORD, ATTACKER)
    assert refused.status_code == 401
    assert "do not match an account" in refused.get_data(as_text=True)
    assert attempt(guarded_app, owner, PASSWORD, fresh_address()).status_code == 302


def test_guesses_spread_over_many_addresses_leave_the_owners_own_browser_working(guarded_app):
    owner = make_owner(guarded_app)
    laptop = guarded_app.test_client()
    assert attempt(guarded_app, owner, PASSWORD, "192.0.2.10", client=laptop).status_code == 302
    laptop.post("/auth/logout")
    for _ in range(throttle.ACCOUNT.free_failures + 1):
        attempt(guarded_app, owner, "wrong password!", fresh_address())
    # The email now waits for every browser that never logged in to it, and only for them.
    assert attempt(guarded_app, owner, PASSWORD, fresh_address()).status_code == 401
    assert attempt(guarded_app, owner, PASSWORD, "192.0.2.11", client=laptop).status_code == 302


def set_waiting(app, email: str, address: str) -> None:
    """Put ``email`` from ``address`` in a wait, as a guesser's failures would have."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        guard = throttle.LoginThrottle(email)
        throttle._store().incr(f"wait:{guard.keys[throttle.CLIENT_AND_ACCOUNT]}", 600)


def refusal(app, kind: str, address: str) -> tuple[str, str]:
    """The (email, password) of one kind of refused login, set up to be refused that way."""
    if kind == "unknown":
        return f"nobody-{address}@example.org", PASSWORD
    if kind == "wrong password":
        return "owner@example.org", "wrong password!"
    if kind == "disabled":
        return "disabled@example.org", PASSWORD
    set_waiting(app, "owner@example.org", address)
    return "owner@example.org", PASSWORD


KINDS = ("unknown", "wrong password", "disabled", "throttled")


def answer_text(response, email: str) -> str:
    body = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"[^>]*>', "", body)


def test_every_refused_login_gets_the_same_answer(guarded_app):
    make_owner(guarded_app)
    make_owner(guarded_app, "disabled@example.org", active=False)
    answers = {}
    for kind in KINDS:
        address = fresh_address()
        email, password = refusal(guarded_app, kind, address)
        response = attempt(guarded_app, email, password, address)
        answers[kind] = (response.status_code, answer_text(response, email))
    assert {status for status, _ in answers.values()} == {401}
    assert len({text for _, text in answers.values()}) == 1, "the answers differ"
    assert "locked" not in answers["throttled"][1]


def hash_checks_per_refusal(app, monkeypatch) -> dict[str, list[Parameters]]:
    """The argon2 parameters of each password check a refused login of each kind runs.

    What a refusal costs is its hashing: the rest (one indexed query, a few cache counters) is
    the same for every kind and tiny beside it. So instead of timing refusals on a shared
    machine, count the hash checks each kind runs and read the cost parameters of each.
    """
    checks: list[Parameters] = []
    verify = PasswordHasher.verify

    def counted(hasher, hash_, password):
        checks.append(extract_parameters(hash_))
        return verify(hasher, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    seen: dict[str, list[Parameters]] = {}
    for kind in KINDS:
        address = fresh_address()
        email, password = refusal(app, kind, address)
        checks.clear()
        assert attempt(app, email, password, address).status_code == 401
        seen[kind] = list(checks)
    return seen


def test_refused_logins_cost_the_same_whatever_the_reason(guarded_app, monkeypatch):
    make_owner(guarded_app)
    make_owner(guarded_app, "disabled@example.org", active=False)
    with guarded_app.app_context():
        owners_cost = extract_parameters(accounts.hash_password(PASSWORD))

    checks = hash_checks_per_refusal(guarded_app, monkeypatch)

    # One password check each, at the cost of a real account's hash: an unknown email is
    # checked against a dummy hash of the same cost, a throttled attempt is checked anyway.
    assert checks == {kind: [owners_cost] for kind in KINDS}

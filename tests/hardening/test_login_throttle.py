"""Password guessing is slowed down without telling anyone who has an account, and without
letting a guesser lock the real owner out (docs/security.md, "Logins")."""

from __future__ import annotations

import re
import statistics
import time
from itertools import count

import pytest

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


def refusal_times(app, samples: int) -> dict[str, float]:
    """Median milliseconds of each kind of refused login (kinds interleaved, so a busy
    moment of the machine costs them all alike)."""
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(samples):
        for kind in KINDS:
            address = fresh_address()
            email, password = refusal(app, kind, address)
            client = app.test_client()
            started = time.perf_counter()
            response = attempt(app, email, password, address, client=client)
            times[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 401
    return {kind: statistics.median(values) for kind, values in times.items()}


@pytest.mark.slow
def test_refused_logins_take_the_same_time_whatever_the_reason(make_app):
    # The real hashing profile: its cost is what would tell the kinds apart.
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    make_owner(app)
    make_owner(app, "disabled@example.org", active=False)
    medians = refusal_times(app, samples=7)
    fastest, slowest = min(medians.values()), max(medians.values())
    assert slowest < fastest * 1.5, medians

"""Fixtures for the portal, moderation, login and write-API tests."""

from __future__ import annotations

import pytest

from tests.partners.helpers import World, make_world


@pytest.fixture(autouse=True)
def cheap_passwords(request, monkeypatch):
    """argon2's cheapest profile: the rules under test are the same, the hashing is instant."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "CHEAPEST")


@pytest.fixture
def world(app, cheap_passwords) -> World:
    return make_world()

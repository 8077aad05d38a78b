"""The claim tests use the portal's world: two partner organizations, their editors, an admin."""

from __future__ import annotations

from tests.partners.conftest import cheap_passwords, world  # noqa: F401  (fixtures)

"""Login tests share the partner tests' fixtures."""

from tests.partners.conftest import cheap_passwords, world  # noqa: F401

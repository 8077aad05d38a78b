"""The partner portal (/partners): a partner keeps its own listings current.

Editors see and change their own organization's listings; admins see every organization's.
Each change goes live at once and is recorded as a revision (``directory.operations``).
"""

from directory.partners import bulk, join, keys  # noqa: F401 - their routes join the blueprint
from directory.partners.views import bp

__all__ = ["bp"]

"""Moderation (/admin): directory staff decide on public reports and sign-ups, edit the state-law
notes, and invite people. Every page here is for admins only."""

from directory.admin.views import bp

__all__ = ["bp"]

"""The write side: every change flushes and records a revision; the caller commits once."""

from directory.operations import bulk, documents, listings, moderation
from directory.operations.revisions import (
    Actor,
    apply_changes,
    record_creation,
    record_revision,
    snapshot,
    to_json_value,
)

__all__ = [
    "Actor",
    "apply_changes",
    "bulk",
    "documents",
    "listings",
    "moderation",
    "record_creation",
    "record_revision",
    "snapshot",
    "to_json_value",
]

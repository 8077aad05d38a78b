"""Partners updating the same listing at once never lose an acknowledged change.

Threads read a location (GET: its description and ETag) and append a unique token with
``PATCH`` + ``If-Match``. Each write either succeeds (200) or is refused as stale (412). The
test fails unless writes really happen: some are accepted, the stored description is exactly
the body of the last accepted write, and the revision history holds every accepted write, in
one unbroken chain where each change extends the one before it — a write accepted from a stale
read would drop a token, and a refused write must leave no trace.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from directory.auth import accounts
from directory.extensions import db
from directory.models import Revision
from tests.factories import OrganizationFactory
from tests.hardening.conftest import build_app

THREADS = 6
ROUNDS = 8


def append_tokens(app, path: str, headers: dict, accepted: list, statuses: list) -> None:
    client = app.test_client()
    for _ in range(ROUNDS):
        current = client.get(path, headers=headers)
        written = (current.json["description"] or "") + uuid.uuid4().hex[:8] + ";"
        answer = client.patch(
            path,
            headers={**headers, "If-Match": current.headers["ETag"]},
            json={"description": written},
        )
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            accepted.append(written)


def description_history(app, location_id: str) -> list[list]:
    """Each ``[old, new]`` description change of the location's update revisions, oldest
    first."""
    with app.app_context():
        revisions = db.session.scalars(
            select(Revision)
            .where(Revision.entity_id == uuid.UUID(location_id), Revision.action == "update")
            .order_by(Revision.created_at, Revision.id)
        ).all()
        history = [r.changes["description"] for r in revisions if "description" in r.changes]
        db.session.remove()
    return history


@pytest.mark.slow
def test_concurrent_conditional_updates_never_lose_an_acknowledged_change(scratch_database_url):
    app = build_app(scratch_database_url)
    with app.app_context():
        organization = OrganizationFactory()
        _, key = accounts.create_api_key(db.session, organization.id, "concurrency")
        db.session.commit()
        db.session.remove()
    headers = {"Authorization": f"Bearer {key}"}
    created = app.test_client().post(
        "/api/v1/locations",
        headers=headers,
        json={
            "name": "Busy site",
            "description": "",
            "address": {
                "address_1": "1 Example St",
                "city": "New York",
                "state": "NY",
                "postal_code": "10001",
            },
        },
    )
    assert created.status_code == 201
    path = f"/api/v1/locations/{created.json['id']}"
    accepted: list[str] = []
    statuses: list[int] = []
    threads = [
        threading.Thread(target=append_tokens, args=(app, path, headers, accepted, statuses))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"

    assert len(statuses) == THREADS * ROUNDS, "a writer stopped early"
    assert set(statuses) <= {200, 412}, statuses
    assert accepted, "every write was refused"

    final = app.test_client().get(path, headers=headers).json["description"]
    assert final in accepted, "the stored description is none of the written ones"

    history = description_history(app, created.json["id"])
    # Stale reads that lost the race were refused, and refused writes left no revision.
    assert sorted(new for _, new in history) == sorted(accepted)
    # One chain from the empty description to the final one: nothing overwritten unseen.
    assert [old or "" for old, _ in history] == ["", *(new for _, new in history[:-1])]
    assert history[-1][1] == final
    # Each accepted write was based on the version it replaced, so kept every earlier token.
    stale = [new for old, new in history if not new.startswith(old or "")]
    assert not stale, f"{len(stale)} accepted writes overwrote a change they had not read"
    assert len(accepted) == len(set(accepted))
    with app.app_context():
        db.engine.dispose()

"""Partners updating the same listing at once never lose an acknowledged change.

Threads read a location (GET: its description and ETag) and append a unique token with
``PATCH`` + ``If-Match``. Every update answered 200 was made against the latest version, so
its token must be in the final description; the others must have been refused with 412.
"""

from __future__ import annotations

import threading
import uuid

import pytest

from directory.auth import accounts
from directory.extensions import db
from tests.factories import OrganizationFactory
from tests.hardening.conftest import build_app

THREADS = 6
ROUNDS = 8


def append_tokens(app, path: str, headers: dict, acknowledged: list, statuses: list) -> None:
    client = app.test_client()
    for _ in range(ROUNDS):
        current = client.get(path, headers=headers)
        token = uuid.uuid4().hex[:8]
        answer = client.patch(
            path,
            headers={**headers, "If-Match": current.headers["ETag"]},
            json={"description": (current.json["description"] or "") + token + ";"},
        )
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            acknowledged.append(token)


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
    acknowledged: list[str] = []
    statuses: list[int] = []
    threads = [
        threading.Thread(target=append_tokens, args=(app, path, headers, acknowledged, statuses))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(statuses) <= {200, 412}, statuses
    final = app.test_client().get(path, headers=headers).json["description"]
    present = set(final.split(";"))
    lost = [token for token in acknowledged if token not in present]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged updates were lost"
    with app.app_context():
        db.engine.dispose()

"""What the load test's clients ask for: searches, location pages and partner updates.

Search places and location ids are sampled from the prepared database itself, so every
request is one a real visitor could make. Partner updates append a unique token to a
location's description with ``If-Match``: an update the server acknowledged (200) must still
be there at the end — a 412 is an expected conflict, a missing token is a lost update.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.load_clients import Action, Http
from bench.load_server import flask_cli
from directory.models import Address, Location, Service

SERVICE_FILTERS = ("naloxone", "syringe_services", "fentanyl_test_strips", "buprenorphine")
PARTNER_LOCATIONS = 20
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Targets:
    """Places to search near and listings to open, taken from the database under test."""

    zips: list[str]
    points: list[tuple[float, float]]
    location_ids: list[str]
    locations: int
    services: int


def sample_targets(database_url: str, limit: int = 400) -> Targets:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Address.postal_code, Location.latitude, Location.longitude, Location.id)
                .join(Location, Address.location_id == Location.id)
                .where(
                    Location.archived_at.is_(None),
                    Location.confidential.is_(False),
                    Location.latitude.is_not(None),
                )
                .order_by(Location.id)
                .limit(limit * 10)
            ).all()
            locations = session.scalar(select(func.count()).select_from(Location))
            services = session.scalar(select(func.count()).select_from(Service))
    finally:
        engine.dispose()
    if not rows:
        raise SystemExit(
            f"{database_url} has no listings to search: the load test needs the national data "
            "(`flask seed load`)."
        )
    rng = random.Random(8)
    rows = rng.sample(rows, min(limit, len(rows)))
    zips = sorted({row.postal_code[:5] for row in rows if row.postal_code})
    return Targets(
        zips=zips,
        points=[(round(r.latitude, 3), round(r.longitude, 3)) for r in rows],
        location_ids=[str(row.id) for row in rows],
        locations=locations,
        services=services,
    )


@dataclass
class Ledger:
    """Which partner updates the server acknowledged, per location (shared by all threads)."""

    acknowledged: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, location_id: str, token: str) -> None:
        with self.lock:
            self.acknowledged[location_id].append(token)

    def conflict(self) -> None:
        with self.lock:
            self.conflicts += 1


@dataclass
class Partner:
    organization_id: str
    api_key: str
    location_ids: list[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def create_partner(database_url: str, http: Http) -> Partner:
    """An organization and API key made through the CLI, and locations made through the API."""
    created = flask_cli(["partners", "create-org", "Load test partner"], database_url).stdout
    organization_id = UUID_PATTERN.search(created).group(0)
    key_output = flask_cli(
        ["apikeys", "create", "--org", organization_id, "--name", "load test"], database_url
    ).stdout
    api_key = _api_key_from(key_output)
    partner = Partner(organization_id, api_key, [])
    for number in range(PARTNER_LOCATIONS):
        answer = http.request(
            "setup",
            "POST",
            "/api/v1/locations",
            headers=partner.headers,
            body={
                "name": f"Load test site {number}",
                "description": "",
                "address": {
                    "address_1": f"{number + 1} Load Test St",
                    "city": "New York",
                    "state": "NY",
                    "postal_code": "10001",
                },
            },
        )
        if answer is None or answer.status != 201:
            status = None if answer is None else (answer.status, answer.body[:300])
            raise RuntimeError(f"could not create a partner location: {status}")
        partner.location_ids.append(answer.json()["id"])
    return partner


def _api_key_from(output: str) -> str:
    # The key is the one long token the command prints (only once); ids are UUIDs.
    tokens = [
        token
        for token in re.findall(r"[A-Za-z0-9_\-\.]{24,}", output)
        if not UUID_PATTERN.fullmatch(token)
    ]
    if not tokens:
        raise RuntimeError(f"no API key in the output of `flask apikeys create`: {output!r}")
    return tokens[-1]


def page_search(targets: Targets, path: str = "/search", kind: str = "page search") -> Action:
    """A results page near a ZIP, three times in ten for one kind of help."""

    def act(http: Http, rng: random.Random) -> None:
        params = {"near": rng.choice(targets.zips)}
        if rng.random() < 0.3:
            params["service"] = rng.choice(SERVICE_FILTERS)
        http.request(kind, "GET", f"{path}?{urlencode(params)}")

    return act


def search_core(targets: Targets, path: str) -> Action:
    """The page's searches, sent to the load-test app's count-only route (``bench.load_app``)."""
    return page_search(targets, path, kind="search core")


def api_search(targets: Targets) -> Action:
    def act(http: Http, rng: random.Random) -> None:
        if rng.random() < 0.25:
            lat, lng = rng.choice(targets.points)
            params: dict[str, object] = {"lat": lat, "lng": lng}
        else:
            params = {"near": rng.choice(targets.zips)}
        if rng.random() < 0.3:
            params["service"] = rng.choice(SERVICE_FILTERS)
        http.request("api search", "GET", f"/api/v1/search?{urlencode(params)}")

    return act


def location_page(targets: Targets) -> Action:
    def act(http: Http, rng: random.Random) -> None:
        http.request("location page", "GET", f"/locations/{rng.choice(targets.location_ids)}")

    return act


def healthz(http: Http, rng: random.Random) -> None:
    http.request("healthz", "GET", "/healthz")


def partner_update(partner: Partner, ledger: Ledger) -> Action:
    def act(http: Http, rng: random.Random) -> None:
        location_id = rng.choice(partner.location_ids)
        path = f"/api/v1/locations/{location_id}"
        current = http.request("partner read", "GET", path, headers=partner.headers)
        if current is None or current.status != 200:
            return
        token = uuid.uuid4().hex[:10]
        description = (current.json().get("description") or "") + token + ";"
        answer = http.request(
            "partner update",
            "PATCH",
            path,
            headers={**partner.headers, "If-Match": current.headers.get("etag", "")},
            body={"description": description},
        )
        if answer is None:
            return
        if answer.status == 200:
            ledger.acknowledge(location_id, token)
        elif answer.status == 412:
            ledger.conflict()

    return act


def lost_updates(partner: Partner, ledger: Ledger, http: Http) -> list[str]:
    """Acknowledged tokens missing from the locations at the end (should be none)."""
    missing = []
    for location_id in partner.location_ids:
        present = set(_description(http, partner, location_id).split(";"))
        missing += [
            f"{location_id}:{token}"
            for token in ledger.acknowledged.get(location_id, ())
            if token not in present
        ]
    return missing


def _description(http: Http, partner: Partner, location_id: str) -> str:
    # The load is over, but a request can still meet a busy moment: ask until it answers.
    for _ in range(10):
        answer = http.request(
            "verify", "GET", f"/api/v1/locations/{location_id}", headers=partner.headers
        )
        if answer is not None and answer.status == 200:
            return answer.json().get("description") or ""
        time.sleep(1)
    raise RuntimeError(f"could not read location {location_id} back to verify the updates")


def weighted(choices: list[tuple[float, Action]]):
    """Pick an action at random with the given weights."""
    weights = [weight for weight, _ in choices]
    actions = [action for _, action in choices]

    def choose(rng: random.Random) -> Action:
        return rng.choices(actions, weights)[0]

    return choose

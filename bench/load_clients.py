"""The load test's clients: threads with keep-alive HTTP connections to 127.0.0.1 only.

A phase runs ``clients`` threads for a fixed number of seconds; each thread repeats one action
at a time (closed loop, no think time), so the figures show what the server sustains with that
many requests always in flight. Every request is timed and counted by kind and status.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.load_server import LOCALHOST

REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Tally:
    """Latencies and outcomes per kind of request; one per thread, merged at the end."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def merge(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        for kind, counts in other.statuses.items():
            self.statuses[kind].update(counts)
        for kind, problems in other.failures.items():
            self.failures[kind].extend(problems)


class Http:
    """One keep-alive connection that records every request in a :class:`Tally`."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(LOCALHOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS)

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Answer | None:
        """Send one request; ``None`` when the connection failed (counted as an error)."""
        headers = dict(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.tally.statuses[kind]["connection error"] += 1
            self.tally.failures[kind].append(f"{method} {path}: {type(error).__name__}")
            self.connection.close()
            self.connection = self._connect()
            return None
        self.tally.latencies[kind].append(time.perf_counter() - started)
        self.tally.statuses[kind][response.status] += 1
        if response.status >= 500 and len(self.tally.failures[kind]) < 20:
            self.tally.failures[kind].append(f"{method} {path}: {response.status} {data[:200]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = self._connect()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def close(self) -> None:
        self.connection.close()


Action = Callable[[Http, random.Random], None]


@dataclass
class PhaseResult:
    name: str
    seconds: float
    tally: Tally

    def count(self, kind: str) -> int:
        return len(self.tally.latencies.get(kind, ())) + self.tally.statuses[kind].get(
            "connection error", 0
        )

    def rate(self, *kinds: str) -> float:
        return sum(self.count(kind) for kind in kinds) / self.seconds

    def server_errors(self) -> int:
        return sum(
            n
            for counts in self.tally.statuses.values()
            for status, n in counts.items()
            if status == "connection error" or status >= 500
        )


def run_phase(
    name: str, port: int, clients: int, seconds: float, choose: Callable[[random.Random], Action]
) -> PhaseResult:
    """Run ``clients`` threads for ``seconds``; each repeats ``choose(rng)(http, rng)``."""
    deadline = time.monotonic() + seconds
    tallies = [Tally() for _ in range(clients)]

    def client(number: int) -> None:
        rng = random.Random(number)
        http_client = Http(port, tallies[number])
        try:
            while time.monotonic() < deadline:
                choose(rng)(http_client, rng)
        finally:
            http_client.close()

    started = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(n,), name=f"load-{name}-{n}", daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: a thread finishes its last request within the request timeout.
        thread.join(timeout=seconds + REQUEST_TIMEOUT_SECONDS + 5)
    elapsed = time.monotonic() - started
    merged = Tally()
    for tally in tallies:
        merged.merge(tally)
    return PhaseResult(name, elapsed, merged)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (seconds); 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]

"""``make load``: gunicorn serving the national data under 50 concurrent clients, on both databases.

For each database (SQLite: a copy of the seeded ``instance/directory.db``; PostgreSQL: a scratch
database ``hrd_load``, migrated and seeded), it starts gunicorn with the project's
``gunicorn.conf.py`` on a free 127.0.0.1 port and runs, with the same clients:

1. ``/healthz`` only — a request that does almost nothing, as a figure to read the others by;
2. searches only (API and page);
3. the mix — page searches, API searches, location pages and partner updates (``PATCH`` with
   ``If-Match``), for the full duration;
4. for diagnosis, not a target: API searches only, results pages only, and the search alone
   (``bench.load_app``: parsed and answered as the pages and API do, but returning only the
   count) — where a search's cost goes.

It prints requests/s, p50/p95/p99 per kind and errors, checks the targets (0 server errors,
0 lost updates, search p99 < 1 s) and exits 1 when one is missed. Requests per second are
figures, not targets: the clients run on the same CPUs as the server (docs/deployment.md §7).
Rate limits are off in the server under test (``bench.load_app``): every client comes from
127.0.0.1 and would share one limit. Everything stops by itself; nothing leaves 127.0.0.1.

Environment: ``LOAD_CLIENTS`` (50), ``LOAD_SECONDS`` (60, the mix), ``LOAD_BASELINE_SECONDS``
(10, phases 1 and 2), ``LOAD_DATABASES`` (``sqlite,postgresql``), ``LOAD_WORKDIR``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load_app import SEARCH_CORE_PATH
from bench.load_clients import Http, PhaseResult, Tally, percentile, run_phase
from bench.load_server import PROJECT_ROOT, gunicorn, prepare_postgresql, prepare_sqlite
from bench.load_workload import (
    Ledger,
    api_search,
    create_partner,
    healthz,
    location_page,
    lost_updates,
    page_search,
    partner_update,
    sample_targets,
    search_core,
    weighted,
)

SEARCH_KINDS = ("api search", "page search")
MIX_WEIGHTS = {"page search": 3, "api search": 3, "location page": 3, "partner update": 1}
# The app built by gunicorn: the real one, with rate limits off (see the module docstring).
APP_SPEC = "bench.load_app:create()"
SEARCH_P99_TARGET = 1.0


@dataclass
class Settings:
    clients: int
    seconds: float
    baseline_seconds: float
    databases: list[str]
    workdir: Path

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        workdir = Path(env.get("LOAD_WORKDIR") or tempfile.mkdtemp(prefix="hrd-load-"))
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(
            clients=max(1, min(500, int(env.get("LOAD_CLIENTS", 50)))),
            seconds=max(1.0, min(3600.0, float(env.get("LOAD_SECONDS", 60)))),
            baseline_seconds=max(1.0, min(600.0, float(env.get("LOAD_BASELINE_SECONDS", 10)))),
            databases=[
                name.strip()
                for name in env.get("LOAD_DATABASES", "sqlite,postgresql").split(",")
                if name.strip()
            ],
            workdir=workdir,
        )


@dataclass
class Outcome:
    database: str
    baseline: PhaseResult
    searches: PhaseResult
    mix: PhaseResult
    breakdown: list[PhaseResult]
    data: str
    load_average: float
    lost: list[str]
    conflicts: int
    acknowledged: int
    partner_updates: bool

    def checks(self) -> list[tuple[str, bool, str]]:
        search_latencies = [
            value
            for phase in (self.searches, self.mix)
            for kind in SEARCH_KINDS
            for value in phase.tally.latencies.get(kind, ())
        ]
        p99 = percentile(search_latencies, 0.99)
        phases = (self.baseline, self.searches, self.mix, *self.breakdown)
        errors = sum(p.server_errors() for p in phases)
        checks = [
            ("0 server errors", errors == 0, f"{errors}"),
            ("search p99 < 1 s", p99 < SEARCH_P99_TARGET, f"{p99 * 1000:.0f} ms"),
        ]
        if self.partner_updates:
            checks.append(
                (
                    "0 lost updates",
                    not self.lost,
                    f"{len(self.lost)} of {self.acknowledged} acknowledged "
                    f"({self.conflicts} expected 412 conflicts)",
                )
            )
        else:
            checks.append(("0 lost updates", False, "partner updates could not run"))
        return checks


def measure(database: str, url: str, settings: Settings) -> Outcome:
    targets = sample_targets(url)
    log_path = settings.workdir / f"gunicorn-{database}.log"
    with gunicorn(url, log_path, app_spec=APP_SPEC) as server:
        setup = Http(server.port, Tally())
        try:
            partner = create_partner(url, setup)
        except (RuntimeError, AttributeError) as error:
            print(f"  partner updates skipped: {error}", file=sys.stderr)
            partner = None
        ledger = Ledger()
        actions = {
            "page search": page_search(targets),
            "api search": api_search(targets),
            "location page": location_page(targets),
        }
        if partner is not None:
            actions["partner update"] = partner_update(partner, ledger)
        mix = weighted([(MIX_WEIGHTS[kind], action) for kind, action in actions.items()])
        searches = weighted([(1, actions["page search"]), (1, actions["api search"])])

        print(f"  warming up ({database}) …", file=sys.stderr)
        run_phase("warm-up", server.port, settings.clients, 3, mix)
        print("  /healthz only …", file=sys.stderr)
        baseline = run_phase(
            "healthz", server.port, settings.clients, settings.baseline_seconds, lambda _: healthz
        )
        print("  searches only …", file=sys.stderr)
        search_phase = run_phase(
            "searches", server.port, settings.clients, settings.baseline_seconds, searches
        )
        print(f"  mix for {settings.seconds:.0f} s …", file=sys.stderr)
        mix_phase = run_phase("mix", server.port, settings.clients, settings.seconds, mix)
        print("  API only, pages only, the search alone …", file=sys.stderr)
        core = search_core(targets, SEARCH_CORE_PATH)
        breakdown = [
            run_phase(name, server.port, settings.clients, settings.baseline_seconds, choose)
            for name, choose in (
                ("api only", lambda _: actions["api search"]),
                ("page only", lambda _: actions["page search"]),
                ("core only", lambda _: core),
            )
        ]
        # The machine's 1-minute load average after the mix: the server and the clients share
        # it with whatever else runs, which the figures should be read against.
        load_average = os.getloadavg()[0]
        lost = lost_updates(partner, ledger, setup) if partner is not None else []
        setup.close()
    return Outcome(
        database=database,
        baseline=baseline,
        searches=search_phase,
        mix=mix_phase,
        breakdown=breakdown,
        data=f"{targets.locations:,} locations, {targets.services:,} services",
        load_average=load_average,
        lost=lost,
        conflicts=ledger.conflicts,
        acknowledged=sum(len(tokens) for tokens in ledger.acknowledged.values()),
        partner_updates=partner is not None,
    )


def report(outcome: Outcome, settings: Settings) -> None:
    print(
        f"\n== {outcome.database}: {settings.clients} clients, mix {settings.seconds:.0f} s, "
        f"baselines {settings.baseline_seconds:.0f} s; {outcome.data}; {os.cpu_count()} CPUs, "
        f"load average {outcome.load_average:.1f} after the mix"
    )
    print(
        f"{'phase':9} {'kind':15} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'4xx':>5} {'5xx':>5} {'conn':>5}"
    )
    for phase in (outcome.baseline, outcome.searches, outcome.mix):
        for kind in sorted(phase.tally.statuses):
            latencies = phase.tally.latencies.get(kind, [])
            statuses = phase.tally.statuses[kind]
            client_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 400)
            client_errors -= sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
            server_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
            print(
                f"{phase.name:9} {kind:15} {phase.count(kind):8d} {phase.rate(kind):7.1f} "
                f"{percentile(latencies, 0.50) * 1000:7.0f} "
                f"{percentile(latencies, 0.95) * 1000:7.0f} "
                f"{percentile(latencies, 0.99) * 1000:7.0f} "
                f"{client_errors:5d} {server_errors:5d} {statuses.get('connection error', 0):5d}"
            )
        print(f"{phase.name:9} {'total':15} {'':8} {phase.rate(*phase.tally.statuses):7.1f}")
    for phase in (outcome.baseline, outcome.searches, outcome.mix):
        for kind, problems in phase.tally.failures.items():
            for problem in problems[:5]:
                print(f"  ! {phase.name} {kind}: {problem}")
    for name, passed, detail in outcome.checks():
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}: {detail}")
    print("  where a search's cost goes (each kind alone; figures, not targets):")
    for phase in outcome.breakdown:
        kinds = list(phase.tally.statuses)
        latencies = [value for kind in kinds for value in phase.tally.latencies.get(kind, ())]
        errors = phase.server_errors()
        print(
            f"    {phase.name:10} {phase.rate(*kinds):7.1f} req/s, "
            f"p50 {percentile(latencies, 0.50) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
            + (f" ({errors} server errors)" if errors else "")
        )
    for token in outcome.lost[:10]:
        print(f"  ! lost update {token}")


def main() -> int:
    settings = Settings.from_environment()
    print(
        f"load test: {settings.clients} clients, {settings.seconds:.0f} s mix, "
        f"databases {', '.join(settings.databases)}; work files in {settings.workdir}",
        file=sys.stderr,
    )
    outcomes = []
    for database in settings.databases:
        started = time.monotonic()
        print(f"preparing {database} …", file=sys.stderr)
        if database == "sqlite":
            url = prepare_sqlite(
                settings.workdir, seeded_copy_of=PROJECT_ROOT / "instance" / "directory.db"
            )
        elif database == "postgresql":
            url = prepare_postgresql("hrd_load")
        else:
            raise SystemExit(f"unknown database {database!r} in LOAD_DATABASES")
        print(f"  ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        outcome = measure(database, url, settings)
        report(outcome, settings)
        outcomes.append(outcome)
    failed = [o for o in outcomes for _, passed, _ in o.checks() if not passed]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

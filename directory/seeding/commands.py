"""``flask seed …`` commands."""

from __future__ import annotations

import time

import click
from sqlalchemy import select

from directory.cli import echo_report, seed_cli
from directory.database import refresh_statistics
from directory.extensions import db
from directory.models import Location
from directory.seeding import reference


@seed_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load when the directory has no listings yet.")
def load_command(if_empty: bool) -> None:
    """Load or refresh all seed data in one transaction; running it twice changes nothing."""
    from directory.seeding.remote import load_remote_services
    from directory.sources import SourceFileError, SpecError, available_specs, run_sources

    started = time.perf_counter()
    session = db.session
    if if_empty and session.scalar(select(Location.id).limit(1)) is not None:
        click.echo("listings already loaded; skipping the seed (run `flask seed load` to refresh)")
        return
    try:
        counts = {
            "taxonomy terms": reference.load_taxonomy(session),
            "states": reference.load_states(session),
            "legality notes": reference.load_legality_notes(session),
        }
        reports = run_sources(session, available_specs())
        counts["remote services"] = load_remote_services(session)
    except (SpecError, SourceFileError) as error:
        session.rollback()
        raise click.ClickException(f"{error}; nothing was loaded") from error
    except Exception:
        session.rollback()
        raise
    session.commit()
    created = sum(report.created for report in reports)
    if created:
        refresh_statistics(session)
    for name, count in counts.items():
        click.echo(f"{name}: {count} changed")
    for report in reports:
        echo_report(report.lines(max_errors=5))
    click.echo(f"seed loaded in {time.perf_counter() - started:.1f} s")

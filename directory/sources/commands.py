"""``flask import source NAME [--dry-run]``: run one declarative source in one transaction."""

from __future__ import annotations

from pathlib import Path

import click

from directory.cli import echo_report, import_cli
from directory.extensions import db
from directory.sources import SOURCES_DIR, SourceFileError, SpecError, load_spec, run_source


@import_cli.command("source")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Report what would change, then write nothing.")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=SOURCES_DIR,
    show_default=True,
    help="Where NAME.toml is.",
)
def import_source_command(name: str, dry_run: bool, folder: Path) -> None:
    """Import NAME.toml's file: every good row, or (if the file cannot be read) nothing."""
    session = db.session
    try:
        report = run_source(session, load_spec(name, folder), dry_run=dry_run)
    except (SpecError, SourceFileError) as error:
        session.rollback()
        raise click.ClickException(f"{error}; nothing was written") from error
    except Exception:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
    echo_report(report.lines())

"""``flask export hsds``, ``flask import hsds`` and ``flask import findtreatment``."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from directory.cli import export_cli, import_cli
from directory.extensions import db
from directory.hsds import findtreatment
from directory.hsds.foreign import TermMapError, read_term_map
from directory.hsds.package import DEFAULT_NAME, export_package
from directory.hsds.package_import import import_package
from directory.hsds.package_scope import Scope
from directory.models import Organization


@export_cli.command("hsds")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", default=DEFAULT_NAME, show_default=True, help="The package's name.")
def export_hsds(path: Path, name: str) -> None:
    """Write every listing as an HSDS 3.0 data package (a folder, or PATH.zip)."""
    counts = export_package(db.session, path, name)
    for table, count in counts.items():
        click.echo(f"{table}: {count}")
    click.echo(f"Wrote {path}")


@import_cli.command("hsds")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--org", "organization_id", type=click.UUID, help="The organization it is for.")
@click.option("--source", "source_name", help="The source it comes from (a short name).")
@click.option(
    "--allow-reassign",
    is_flag=True,
    help="Let it change records outside --org/--source and move records between "
    "organizations (each one is logged).",
)
@click.option(
    "--taxonomy-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV file (code,category) mapping the package's own taxonomy terms onto ours.",
)
def import_hsds(
    path: Path,
    organization_id: uuid.UUID | None,
    source_name: str | None,
    allow_reassign: bool,
    taxonomy_map: Path | None,
) -> None:
    """Import an HSDS 3.0 data package (folder or .zip) for one organization (--org) or one
    source (--source; by default the package's own name): every row is checked first, and
    nothing is written unless every row is valid and within that scope."""
    if organization_id is not None and source_name is not None:
        raise click.UsageError("Give --org or --source, not both.")
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise click.BadParameter(f"no organization {organization_id}", param_hint="--org")
    scope = Scope(organization_id, source_name, allow_reassign)
    try:
        term_map = read_term_map(db.session, taxonomy_map)
    except TermMapError as error:
        raise click.BadParameter(str(error), param_hint="--taxonomy-map") from error
    report = import_package(db.session, path, scope, term_map)
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(report.errors)} errors; nothing was imported.", err=True)
        sys.exit(1)
    db.session.commit()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for entry in report.overridden:
        click.echo(f"--allow-reassign: {entry}", err=True)
    for table in ("organizations", "locations", "services"):
        created, updated = report.created[table], report.updated[table]
        click.echo(f"{table}: {created} new, {updated} changed")
    click.echo(f"Imported {report.name} for {scope.describe(report.name)}")


@import_cli.command("findtreatment")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_findtreatment(file: Path) -> None:
    """Import a FindTreatment.gov locator/exportsAsJson/v2 response (idempotent)."""
    report = findtreatment.import_file(db.session, file)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            click.echo(error, err=True)
        click.echo(f"{len(report.errors)} errors; nothing was imported.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{report.created} new, {report.updated} changed, {report.unchanged} unchanged")

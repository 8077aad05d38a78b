"""``flask search-index …`` commands."""

from __future__ import annotations

import click

from directory.cli import search_index_cli
from directory.extensions import db
from directory.queries.changes import KEEP, prune


@search_index_cli.command("prune")
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=KEEP,
    show_default=True,
    help="How many of the newest versions' change rows to keep.",
)
def prune_command(keep: int) -> None:
    """Delete old rows of the change log every search index reads (search_changes).

    Every edit adds rows; nothing else removes them. Run it from one place now and then (a
    daily job): app servers keep serving, and only one whose snapshot is older than the rows
    kept builds a new one.
    """
    deleted = prune(db.session, keep)
    db.session.commit()
    click.echo(f"{deleted} change rows deleted; the newest {keep} versions kept")

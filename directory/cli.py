"""Command groups of the ``flask`` CLI; each feature package attaches its own commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

seed_cli = AppGroup("seed", help="Load the directory's seed data.")
import_cli = AppGroup("import", help="Import listings from files.")
export_cli = AppGroup("export", help="Export listings to files.")
partners_cli = AppGroup("partners", help="Manage partner organizations and their users.")
apikeys_cli = AppGroup("apikeys", help="Manage partner API keys.")
search_index_cli = AppGroup("search-index", help="Look after the search index's change log.")
coverage_cli = AppGroup("coverage", help="Where the directory still has nothing to offer.")


def echo_report(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def init_app(app: Flask) -> None:
    # Importing the modules attaches their commands to the groups above.
    from directory.auth import commands as _account_commands  # noqa: F401
    from directory.coverage import commands as _coverage_commands  # noqa: F401
    from directory.hsds import commands as _hsds_commands  # noqa: F401
    from directory.queries import commands as _search_index_commands  # noqa: F401
    from directory.seeding import commands as _seed_commands  # noqa: F401
    from directory.seeding import synthetic as _synthetic_commands  # noqa: F401
    from directory.sources import commands as _source_commands  # noqa: F401

    groups = (
        seed_cli,
        import_cli,
        export_cli,
        partners_cli,
        apikeys_cli,
        search_index_cli,
        coverage_cli,
    )
    for group in groups:
        app.cli.add_command(group)

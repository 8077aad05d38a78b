"""``flask coverage …`` commands."""

from __future__ import annotations

import click

from directory.cli import coverage_cli
from directory.coverage import COVERAGE_MILES, NEEDS, Coverage, coverage
from directory.extensions import db
from directory.geo.states import STATES


@coverage_cli.command("report")
@click.option("--state", "state", default=None, help="One state (two letters); default: all.")
def coverage_report(state: str | None) -> None:
    """Per state and need: in-person places, and the share of the state's ZIP codes with one
    within 25 miles, or with a mail, phone or online service that serves them."""
    if state is not None:
        state = state.upper()
        if state not in STATES:
            raise click.BadParameter(f"{state!r} is not a state code", param_hint="--state")
    rows = coverage(db.session, [state] if state else None)
    for line in coverage_lines(rows, state is not None):
        click.echo(line)


def coverage_lines(rows: list[Coverage], one_state: bool) -> list[str]:
    """The report as text: for one state a line per need; for all, a table of states by need
    with each cell "places, % of ZIPs within reach in person / with remote services"."""
    legend = (
        f"places: in-person places offering it; near: share of ZIP codes with one within "
        f"{COVERAGE_MILES:.0f} miles; +remote: also counting mail, phone and online services"
    )
    if one_state:
        lines = [legend, f"{'need':<28} {'places':>7} {'near':>6} {'+remote':>8}"]
        lines += [
            f"{row.need:<28} {row.places:>7} {row.in_person_share:>6.0%} {row.share:>8.0%}"
            for row in rows
        ]
        return lines
    by_state: dict[str, dict[str, Coverage]] = {}
    for row in rows:
        by_state.setdefault(row.state, {})[row.need] = row
    width = 17
    lines = [legend, "each cell: places near% +remote%"]
    lines.append("state " + "".join(f"{need[: width - 1]:>{width}}" for need in NEEDS))
    for state, cells in by_state.items():
        lines.append(f"{state:<6}" + "".join(_cell(cells[need], width) for need in NEEDS))
    totals = []
    for need in NEEDS:
        of_need = [row for row in rows if row.need == need]
        zips = sum(row.zips for row in of_need)
        totals.append(
            Coverage(
                "US",
                need,
                sum(row.places for row in of_need),
                zips,
                sum(row.zips_in_person for row in of_need),
                sum(row.zips_covered for row in of_need),
            )
        )
    lines.append(f"{'all':<6}" + "".join(_cell(total, width) for total in totals))
    return lines


def _cell(row: Coverage, width: int) -> str:
    text = f"{row.places} {row.in_person_share:.0%} {row.share:.0%}"
    return f"{text:>{width}}"

"""HSDS import through the same listing rules as every other route."""

import csv
import io

from sqlalchemy import func, select

from directory import validation
from directory.extensions import db
from directory.models import Location
from tests.conftest import empty_listing_tables


def rewrite(path, column, value):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row[column] = value
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_an_hsds_import_names_the_same_problems_as_the_api_and_imports_nothing(
    runner, listing, tmp_path
):
    """The one listing validator (``validation.hsds_row_problems``) on the HSDS import: an
    exported package edited with a bad time zone, phone, state, ZIP code and URL is refused
    with the messages the API and the partner CSV give, and nothing is written."""
    out = tmp_path / "out"
    runner.invoke(args=["export", "hsds", str(out)])
    empty_listing_tables()
    rewrite(out / "x-hrd-locations.csv", "timezone", "Not/AZone")
    rewrite(out / "phones.csv", "number", "call us")
    rewrite(out / "addresses.csv", "state_province", "ZZ")
    rewrite(out / "addresses.csv", "postal_code", "1002")
    rewrite(out / "services.csv", "url", "http://")
    result = runner.invoke(args=["import", "hsds", str(out)])
    assert result.exit_code == 1
    for name, message in [
        ("timezone", validation.ZONE_RULE),
        ("phones", "'call us': " + validation.PHONE_RULE),
        ("address.state", validation.STATE_RULE),
        ("address.postal_code", validation.ZIP_RULE),
        ("url", validation.URL_RULE),
    ]:
        assert f"{name}: {message}" in result.output
    assert db.session.scalar(select(func.count()).select_from(Location)) == 0

"""The tables of an HSDS 3.0 tabular data package as we write and read them: file names,
columns (HSDS's names, plus our extension columns) and the model each table holds.

Where HSDS has no place for something a searcher relies on (a location's time zone, how precise
its coordinates are, whether its address is confidential, how a remote service reaches people)
the table carries an extension column, described as such in ``datapackage.json``.

The export is public, so a confidential location is written as its API record shows it: no
address row, no coordinates, no position (:func:`withheld`, :func:`public_value`). Cells are
written as they are, never prefixed against spreadsheet formulas: HSDS consumers are programs,
and a prefix would corrupt values such as ``-73.99`` or ``+1 212 555 0100`` for every one of
them (the portal's own CSV download, meant for spreadsheets, does prefix).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import validation
from directory.hsds.areas import HSDS_EXTENT_TYPES
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.models.details import PHONE_TYPES
from directory.models.services import EXTENT_TYPES, REACHES
from directory.places import public_place

EXTENSION = "Harm Reduction Directory extension (not in HSDS 3.0)."
# Extension columns live in their own files (``x-hrd-locations.csv``, keyed by the row's id), so
# every official file has exactly the official descriptor's columns, in its order.
EXTENSION_PREFIX = "x-hrd-"
# The official HSDS 3.0 tabular descriptor (tools/build_hsds_descriptor.py; CC BY-SA 4.0).
OFFICIAL_DESCRIPTOR = json.loads(
    (Path(__file__).parent / "schema" / "datapackage.json").read_text(encoding="utf-8")
)
OFFICIAL_FIELDS = {
    resource["name"]: [field["name"] for field in resource["schema"]["fields"]]
    for resource in OFFICIAL_DESCRIPTOR["resources"]
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"  # string | uuid | number | boolean | date | time
    required: bool = False
    extension: bool = False
    choices: tuple[str, ...] = ()


OFFICIAL_PATHS = {"service_at_locations": "service_at_location.csv"}
OFFICIAL_RESOURCES = {
    "addresses": "address",
    "accessibility": "accessibility",
    "taxonomies": "taxonomy",
}


@dataclass(frozen=True)
class Table:
    name: str
    model: type
    columns: tuple[Column, ...]
    # Which parent a child row belongs to, for tables imported as part of another record.
    parents: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        """The file name HSDS gives the table (``service_at_location.csv`` is singular)."""
        return OFFICIAL_PATHS.get(self.name, f"{self.name}.csv")

    @property
    def resource(self) -> str:
        """The resource name in ``datapackage.json``: HSDS's singular table name."""
        return OFFICIAL_RESOURCES.get(self.name, self.name.removesuffix("s"))

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def official_columns(self) -> list[str]:
        """The table's columns in the official descriptor, in its order: the CSV's header."""
        return OFFICIAL_FIELDS[self.resource]

    @property
    def extension_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.extension]

    @property
    def extension_path(self) -> str:
        """The file beside the official one that carries our extension columns by row id."""
        return f"{EXTENSION_PREFIX}{self.path}"

    @property
    def extension_resource(self) -> str:
        return f"{EXTENSION_PREFIX.replace('-', '_')}{self.resource}"


def _c(name: str, type_: str = "string", **kwargs: Any) -> Column:
    return Column(name, type_, **kwargs)


ID = _c("id", "uuid", required=True)
TABLES: tuple[Table, ...] = (
    Table(
        "organizations",
        Organization,
        (
            ID,
            _c("name", required=True),
            _c("alternate_name"),
            _c("description"),
            _c("email"),
            _c("website"),
        ),
    ),
    Table(
        "locations",
        Location,
        (
            ID,
            _c("location_type", required=True, choices=("physical", "postal", "virtual")),
            _c("organization_id", "uuid", required=True),
            _c("name", required=True),
            _c("alternate_name"),
            _c("description"),
            _c("transportation"),
            _c("latitude", "number"),
            _c("longitude", "number"),
            _c("timezone", extension=True),
            _c("precision", extension=True, choices=("exact", "approximate", "intersection")),
            _c("position_description", extension=True),
            _c("confidential", "boolean", extension=True),
            _c("front_door", extension=True),
            _c("assured_date", "date", extension=True),
        ),
    ),
    Table(
        "addresses",
        Address,
        (
            ID,
            _c("location_id", "uuid", required=True),
            _c("attention"),
            _c("address_1", required=True),
            _c("address_2"),
            _c("city", required=True),
            _c("region"),
            _c("state_province", required=True),
            _c("postal_code", required=True),
            _c("country", required=True),
            _c("address_type", required=True, choices=("physical", "postal", "virtual")),
        ),
        parents=("location_id",),
    ),
    Table(
        "services",
        Service,
        (
            ID,
            _c("organization_id", "uuid", required=True),
            _c("name", required=True),
            _c("alternate_name"),
            _c("description"),
            _c("url"),
            _c("email"),
            _c(
                "status",
                required=True,
                choices=("active", "inactive", "defunct", "temporarily closed"),
            ),
            _c("application_process"),
            _c("fees_description"),
            _c("eligibility_description"),
            _c("assured_date", "date"),
        ),
    ),
    Table(
        "service_at_locations",
        ServiceAtLocation,
        (
            ID,
            _c("service_id", "uuid", required=True),
            _c("location_id", "uuid", required=True),
            _c("description"),
        ),
        parents=("service_id",),
    ),
    Table(
        "phones",
        Phone,
        (
            ID,
            _c("location_id", "uuid"),
            _c("service_id", "uuid"),
            _c("organization_id", "uuid"),
            _c("number", required=True),
            _c("extension"),
            _c("type"),  # RFC 6350's types, mapped to and from ours (``mapping.py``)
            _c("description"),
            _c("directory_type", extension=True, choices=PHONE_TYPES),
        ),
        parents=("location_id", "service_id"),
    ),
    Table(
        "schedules",
        Schedule,
        (
            ID,
            _c("service_id", "uuid"),
            _c("location_id", "uuid"),
            _c("freq", choices=("WEEKLY",)),
            _c("byday", required=True),
            _c("opens_at", "time", required=True),
            _c("closes_at", "time", required=True),
            _c("description"),
        ),
        parents=("location_id", "service_id"),
    ),
    Table(
        "languages",
        Language,
        (
            ID,
            _c("service_id", "uuid"),
            _c("location_id", "uuid"),
            _c("name"),
            _c("code", required=True),
            _c("note"),
        ),
        parents=("location_id", "service_id"),
    ),
    Table(
        "accessibility",
        Accessibility,
        (
            ID,
            _c("location_id", "uuid", required=True),
            _c("description"),
            _c("details"),
            _c("url"),
        ),
        parents=("location_id",),
    ),
    Table(
        "service_areas",
        ServiceArea,
        (
            ID,
            _c("service_id", "uuid", required=True),
            _c("name"),
            _c("description"),
            _c("extent"),
            _c("extent_type", choices=HSDS_EXTENT_TYPES),
            _c("uri"),
            # The directory's own kind and code of the area (``areas.py``).
            _c("area_kind", extension=True, choices=EXTENT_TYPES),
            _c("code", extension=True),
            _c("reach", extension=True, choices=REACHES),
        ),
        parents=("service_id",),
    ),
    Table(
        "cost_options",
        CostOption,
        (
            ID,
            _c("service_id", "uuid", required=True),
            _c("option"),
            _c("currency"),
            _c("amount", "number"),
            _c("amount_description"),
        ),
        parents=("service_id",),
    ),
    Table(
        "taxonomies",
        Taxonomy,
        (
            ID,
            _c("name", required=True),
            _c("description", required=True),
            _c("uri"),
            _c("version"),
        ),
    ),
    Table(
        "taxonomy_terms",
        TaxonomyTerm,
        (
            ID,
            _c("code"),
            _c("name", required=True),
            _c("description", required=True),
            _c("parent_id", "uuid"),
            _c("taxonomy"),
            _c("language"),
            _c("taxonomy_id", "uuid"),
            _c("term_uri"),
            _c("kind", extension=True, choices=("category", "cost", "access", "population")),
            _c("name_es", extension=True),
        ),
    ),
    Table(
        "attributes",
        Attribute,
        (
            ID,
            _c("link_id", "uuid", required=True),
            _c("taxonomy_term_id", "uuid", required=True),
            _c("link_type"),
            # Any HSDS entity: those the directory does not keep are reported (``foreign.py``).
            _c("link_entity", required=True),
            _c("value"),
        ),
        parents=("link_id",),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


# A confidential location's columns that would tell where the building is.
PLACE_COLUMNS = frozenset({"latitude", "longitude", "position_description"})


def confidential_location_ids(session: Session) -> frozenset[uuid.UUID]:
    return frozenset(session.scalars(select(Location.id).where(Location.confidential.is_(True))))


def withheld(table: Table, row: Any, confidential: frozenset[uuid.UUID]) -> bool:
    """True for a row the public export leaves out: the address of a location among the
    ``confidential`` ones."""
    return table.name == "addresses" and row.location_id in confidential


def public_value(table: Table, row: Any, column: str, value: Any) -> Any:
    """A cell as the public export writes it: a confidential location has no coordinates, and
    a stored value the import would refuse (a bare ``http://``, an unknown time zone) is left
    empty, so every export imports again."""
    if table.name == "locations" and column in PLACE_COLUMNS:
        return getattr(public_place(row), column)
    if column in URL_COLUMNS:
        return validation.web_url(value)
    if column == "timezone" and not validation.is_known_zone(value):
        return None
    return value


URL_COLUMNS = frozenset({"url", "website"})


def _checked(problem_of: Callable[[str], str | None]) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        problem = problem_of(value) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem)

    return check


def cell_checks(table: Table, column: Column) -> list[Callable[[Any], None]]:
    """What an imported cell must meet on its own: text a database can hold. The listing rules
    (time zone, URL, phone, state, ZIP code) are checked per row by the one validator every
    route uses (``validation.hsds_row_problems``)."""
    if column.type != "string":
        return []
    return [_checked(validation.text_problem)]

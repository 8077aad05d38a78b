"""The export's ``datapackage.json``: the official HSDS 3.0 descriptor's resources as they are
(fields, primary and foreign keys), so a consumer validating against the official descriptor
reads the same package, followed by the directory's extension resources (``x-hrd-*.csv``),
each keyed by the id of the official row it extends."""

from __future__ import annotations

import copy
from typing import Any

from directory.hsds.mapping import HSDS_VERSION, PROFILE_URL
from directory.hsds.tables import EXTENSION, OFFICIAL_DESCRIPTOR, TABLES, Table

FIELD_TYPES = {
    "string": "string",
    "uuid": "string",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
}


def extension_resource(table: Table) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "string", "format": "uuid", "constraints": {"required": True}}
    ]
    for column in table.columns:
        if not column.extension:
            continue
        entry: dict[str, Any] = {
            "name": column.name,
            "type": FIELD_TYPES[column.type],
            "description": EXTENSION,
        }
        if column.choices:
            entry["constraints"] = {"enum": list(column.choices)}
        fields.append(entry)
    return {
        "name": table.extension_resource,
        "path": table.extension_path,
        "description": f"{EXTENSION} Columns of {table.path}, by row id.",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": fields,
            "primaryKey": "id",
            "foreignKeys": [
                {"fields": "id", "reference": {"resource": table.resource, "fields": "id"}}
            ],
        },
    }


def descriptor(name: str) -> dict[str, Any]:
    official = copy.deepcopy(OFFICIAL_DESCRIPTOR["resources"])
    for resource in official:
        resource["encoding"] = "utf-8"
    extensions = [extension_resource(table) for table in TABLES if table.extension_columns]
    return {
        "name": name,
        "title": "Harm Reduction Directory listings (Open Referral HSDS)",
        "profile": "tabular-data-package",
        "hsds_version": HSDS_VERSION,
        "hsds_profile": PROFILE_URL,
        "license": OFFICIAL_DESCRIPTOR["license"],
        "resources": official + extensions,
    }

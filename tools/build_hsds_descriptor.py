"""Build the official HSDS 3.0 tabular data package descriptor from the specification's schemas.

Open Referral publishes HSDS 3.0 as one JSON Schema per object; its ``datapackage.json`` is
generated from them (``hsds_schema_tools``, ``schemas_to_datapackage``): resources in the
schemas' ``datapackage_metadata.order``, each scalar field with its Frictionless type and
constraints (``required`` = the object's ``required`` plus ``tabular_required``), and a foreign
key ``<table>_id`` → ``<table>.id`` wherever one object nests another. This script follows the
same rules so the project carries the descriptor without reading ../shared at run time:

    .venv/bin/python tools/build_hsds_descriptor.py ../shared/hsds/3.0/schema

writes ``directory/hsds/schema/datapackage.json`` (CC BY-SA 4.0, see the README beside it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "directory" / "hsds" / "schema" / "datapackage.json"
# Attributes and metadata hang off every object: they are not foreign keys of it.
SHARED_CHILDREN = {"attribute.json", "metadata.json"}


def load_schemas(folder: Path) -> dict[str, dict]:
    schemas = {}
    for path in sorted(folder.glob("*.json")):
        if not path.name.startswith("openapi"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            schemas[schema["name"]] = schema
    return schemas


def foreign_keys(schemas: dict[str, dict]) -> dict[str, list[str]]:
    """For each table, the tables its rows point at (a nested array means the nested table
    points at this one; a nested object means this table points at it)."""
    pointing: dict[str, list[str]] = {name: [] for name in schemas}
    for name, schema in schemas.items():
        for prop in schema["properties"].values():
            array_ref = prop.get("items", {}).get("$ref")
            if array_ref and array_ref not in SHARED_CHILDREN:
                pointing[array_ref.removesuffix(".json")].append(name)
            if object_ref := prop.get("$ref"):
                pointing[name].append(object_ref.removesuffix(".json"))
    return pointing


def resource(schema: dict, targets: list[str]) -> dict:
    required = set(schema.get("required", [])) | set(schema.get("tabular_required", []))
    fields = []
    for name, prop in schema["properties"].items():
        if "constraints" not in prop:  # nested arrays and objects are other tables
            continue
        field = {k: v for k, v in prop.items() if k not in ("enum", "datapackage_type", "core")}
        constraints = {"required": name in required, "unique": prop["constraints"]["unique"]}
        if "enum" in prop:
            constraints["enum"] = prop["enum"]
        field["constraints"] = constraints
        if "datapackage_type" in prop:
            field["type"] = prop["datapackage_type"]
            field.pop("format", None)
        fields.append(field)
    names = {field["name"] for field in fields}
    keys = [
        {"fields": f"{target}_id", "reference": {"resource": target, "fields": "id"}}
        for target in dict.fromkeys(targets)
        if f"{target}_id" in names
    ]
    meta = schema["datapackage_metadata"]
    body = {
        "name": schema["name"],
        "path": schema["path"],
        "description": schema.get("description", ""),
        "format": meta["format"],
        "mediatype": meta["mediatype"],
        "profile": meta["profile"],
        "schema": {"primaryKey": "id", "fields": fields},
    }
    if keys:
        body["schema"]["foreignKeys"] = keys
    return body


def descriptor(folder: Path) -> dict:
    schemas = load_schemas(folder)
    pointing = foreign_keys(schemas)
    ordered = sorted(schemas.values(), key=lambda s: s["datapackage_metadata"]["order"])
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "description": "HSDS describes data about organizations, the services they provide, the "
        "locations at which these services can be accessed, and associated details.",
        "profile": "tabular-data-package",
        "version": "3.0.1",
        "homepage": "http://docs.openreferral.org",
        "license": {
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "type": "CC-BY-SA-4.0",
            "name": "Creative Commons Attribution-ShareAlike 4.0",
        },
        "resources": [resource(s, pointing[s["name"]]) for s in ordered],
    }


if __name__ == "__main__":
    text = json.dumps(descriptor(Path(sys.argv[1])), indent=2, ensure_ascii=False) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")

"""What /api/v1/openapi.json promises beyond what flask-smorest writes by itself, so a client
generator and a linter (Redocly, Spectral: ``.redocly.yaml``, ``.spectral.yaml``) accept it:

- every operation has an ``operationId`` (``listStates``, ``createLocation``…) and a ``security``
  (public reads say ``[]``: no key);
- every 4xx answer documents the error body (``Error``: ``{"code", "status", "message",
  "errors"}``);
- the search's taxonomy parameters and ``state`` list the codes they accept (``enum``): a request
  the document calls valid is not refused for an unknown code;
- a value that may be of any type (a revision's ``old`` and ``new``) says which types, and a
  nullable nested object (``LocationIn.address``) is that object or null, not any object.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apispec import BasePlugin
from flask import Flask
from marshmallow import fields

from directory.config import PROJECT_ROOT
from directory.geo import STATES

ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
VERBS = {"post": "create", "put": "replace", "patch": "update", "delete": "archive"}
# The taxonomy kind of each search parameter that takes taxonomy codes (``filters.py``).
TERM_PARAMETERS = {
    "service": "category",
    "cost": "cost",
    "access": "access",
    "population": "population",
}
ANY_VALUE = {
    "oneOf": [
        {"type": "string", "nullable": True},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {}},
        {"type": "object"},
    ]
}


def taxonomy_codes() -> dict[str, list[str]]:
    """The seed taxonomy's codes by kind: the codes the search accepts."""
    data = json.loads((PROJECT_ROOT / "seed" / "taxonomy.json").read_text(encoding="utf-8"))
    codes: dict[str, list[str]] = {}
    for term in data["terms"]:
        codes.setdefault(term["kind"], []).append(term["code"])
    return {kind: sorted(values) for kind, values in codes.items()}


def _camel(words: list[str]) -> str:
    parts = [part for word in words for part in re.split(r"[_\W]+", word) if part]
    return parts[0] + "".join(part.capitalize() for part in parts[1:])


def operation_id(method: str, path: str) -> str:
    """``GET /api/v1/states`` → ``listStates``; ``GET /api/v1/states/{code}`` → ``getState``;
    ``POST /api/v1/locations`` → ``createLocation``; ``GET …/{id}/revisions`` →
    ``listLocationRevisions``; ``GET /api/v1/search`` → ``search``."""
    segments = [s for s in path.removeprefix("/api/v1/").split("/") if s]
    nouns = [s for s in segments if not s.startswith("{")]
    item = segments[-1].startswith("{")
    if method == "get" and len(nouns) == 1 and nouns[0] in ("search", "taxonomy"):
        return "search" if nouns[0] == "search" else "getTaxonomy"
    verb = ("get" if item else "list") if method == "get" else VERBS[method]
    singular = [noun.removesuffix("s") for noun in nouns]
    if method == "get" and not item:
        singular[-1] = nouns[-1]  # a list keeps its plural: listStates, listLocationRevisions
    return _camel([verb, *singular])


class DocumentPlugin(BasePlugin):
    """Completes every operation as the module docstring says."""

    def __init__(self) -> None:
        self.codes = taxonomy_codes()

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operation.setdefault("operationId", operation_id(method, path))
            operation.setdefault("security", [])
            for status, response in operation.get("responses", {}).items():
                is_client_error = str(status).startswith("4")
                if is_client_error and isinstance(response, dict) and "content" not in response:
                    response["content"] = ERROR_BODY
            for parameter in operation.get("parameters", []):
                self.enumerate_codes(parameter)

    def enumerate_codes(self, parameter: dict[str, Any] | str) -> None:
        if not isinstance(parameter, dict) or parameter.get("in") != "query":
            return
        name, schema = parameter.get("name"), parameter.get("schema", {})
        if name in TERM_PARAMETERS and "items" in schema:
            schema["items"]["enum"] = self.codes.get(TERM_PARAMETERS[name], [])
        elif name == "state":
            schema["enum"] = sorted(STATES)


def typed_values(self, field: fields.Field, ret: dict[str, Any], **kwargs) -> dict[str, Any]:
    """A marshmallow attribute function: no bare ``nullable`` without a type, no "any object"
    alternative beside a nested schema."""
    if isinstance(field, fields.Raw) and type(field) is fields.Raw and "type" not in ret:
        ret.pop("nullable", None)
        return ANY_VALUE
    alternatives = ret.get("anyOf")
    if isinstance(field, fields.Nested) and alternatives and len(alternatives) == 2:
        loose, nested = alternatives
        if loose == {"type": "object", "nullable": True} and "$ref" in nested:
            del ret["anyOf"]
            ret.update({"type": "object", "nullable": True, "allOf": [nested]})
    return {}


def init_app(app: Flask, api: Any) -> None:
    """Hook the plugin's field rules into the spec, and drop what flask-smorest registers for
    pagination headers this API does not use."""
    api.ma_plugin.converter.add_attribute_function(typed_values)
    api.spec.components.schemas.pop("PaginationMetadata", None)


def spec_kwargs() -> dict[str, Any]:
    return {"extra_plugins": [DocumentPlugin()]}

"""The OpenAPI document: complete, committed, and honoured by the API (schemathesis)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from directory.extensions import db
from directory.models import Phone
from directory.operations import Actor, apply_changes
from tests.factories import LegalityNoteFactory, LocationFactory, ServiceFactory
from tests.hsds.fuzz import fuzz

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def test_committed_openapi_json_matches_the_code(client):
    served = client.get("/api/v1/openapi.json").get_json()
    committed = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    assert served == committed, (
        "openapi.json is out of date: run `.venv/bin/python tools/write_openapi.py` and commit it"
    )


def test_spec_has_description_licence_servers_and_described_tags(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["description"]
    assert spec["info"]["license"]["name"]
    assert spec["servers"]
    assert all(tag.get("description") for tag in spec["tags"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/locations/{location_id}",
        "/api/v1/services/{service_id}",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/locations/{location_id}/revisions",
        "/api/v1/services/{service_id}/revisions",
        "/api/v1/taxonomy",
        "/api/v1/states",
        "/api/v1/states/{code}",
    ],
)
def test_every_record_endpoint_documents_parameters_answers_and_errors_with_examples(client, path):
    spec = client.get("/api/v1/openapi.json").get_json()
    item = spec["paths"][path]
    operation = item["get"]
    assert operation["summary"]
    assert operation["tags"]
    for parameter in item.get("parameters", []) + operation.get("parameters", []):
        if "$ref" not in parameter:
            assert parameter.get("description"), parameter
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["example"]
    assert "304" in responses
    for code in ["429", *(["404"] if "{" in path else [])]:
        assert responses[code]["content"]["application/json"]["example"]["code"] == int(code)


def test_docs_page_loads_swagger_ui_from_this_server_without_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/js/api-docs.js"]
    assert "<script>" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'href="/static/vendor/swagger-ui/swagger-ui.css"' in page
    for asset in [*sources, "/static/vendor/swagger-ui/swagger-ui.css"]:
        with client.get(asset) as served:
            assert served.status_code == 200


def test_docs_page_shows_every_operation_in_a_browser_without_csp_violations(app):
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    spec = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    operations = sum(
        1 for item in spec["paths"].values() for method in item if method != "parameters"
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
            )
            page = browser.new_page()

            def local_only(route):
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    problems.append(f"outside request: {route.request.url}")
                    route.abort()

            page.route("**/*", local_only)
            page.on(
                "console",
                lambda message: (
                    problems.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            page.goto(f"http://127.0.0.1:{server.server_port}/api/docs")
            page.wait_for_selector(".opblock", timeout=15_000)
            shown = page.locator(".opblock").count()
            browser.close()
    finally:
        server.shutdown()
    assert shown == operations
    assert not problems


@pytest.fixture
def records(app):
    """Real ids for the {id} paths, so schemathesis exercises found records as well as 404s."""
    location = LocationFactory(name="Harbor drop-in")
    location.phones.append(Phone(number="212-555-0100"))
    service = ServiceFactory(name="Naloxone kits", categories=["naloxone"], locations=[location])
    apply_changes(db.session, service, {"description": "Free kits."}, Actor.system())
    LegalityNoteFactory(state_code="NY")
    db.session.commit()
    return {
        "location_id": str(location.id),
        "service_id": str(service.id),
        "organization_id": str(location.organization_id),
        "code": "NY",
    }


def test_api_honours_its_own_openapi_document(app, records):
    spec = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]
    schema = schemathesis.openapi.from_dict(spec)

    def pinned(path: str) -> dict[str, str]:
        return {name: value for name, value in records.items() if "{" + name + "}" in path}

    failures = fuzz(schema, app, pinned_ids=pinned, checks=checks)
    assert not failures, "\n\n".join(failures)


def test_every_operation_has_an_operation_id_a_security_and_a_typed_error_body(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation_ids = []
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operation_ids.append(operation["operationId"])
            assert "security" in operation, operation["operationId"]
            for status, response in operation["responses"].items():
                if status.startswith("4") and "$ref" not in response:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"].rsplit("/", 1)[-1] in ("Error", "PlaceError"), status
    assert len(operation_ids) == len(set(operation_ids))
    assert {"search", "getLocation", "createLocation", "listStates"} <= set(operation_ids)
    for name in ("Error", "PlaceError"):
        error = spec["components"]["schemas"][name]["properties"]
        assert {"code", "status", "message", "errors"} <= error.keys()


def test_search_parameters_list_the_codes_the_search_accepts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {
        p["name"]: p["schema"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]
    }
    taxonomy = client.get("/api/v1/taxonomy").get_json()
    terms = taxonomy["terms"] if isinstance(taxonomy, dict) else taxonomy
    for name, kind in {"service": "category", "cost": "cost", "access": "access"}.items():
        codes = {term["code"] for term in terms if term["kind"] == kind}
        assert set(parameters[name]["items"]["enum"]) == codes, name
    assert "NY" in parameters["state"]["enum"]


def test_writes_and_revisions_are_typed_without_a_bare_nullable(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    address = schemas["LocationIn"]["properties"]["address"]
    assert address["allOf"] == [{"$ref": "#/components/schemas/AddressIn"}]
    for side in ("old", "new"):
        change = schemas["FieldChange"]["properties"][side]
        assert "nullable" not in change
        assert all("type" in choice for choice in change["oneOf"])
    assert '"format": "url"' not in json.dumps(spec)


NPX = ROOT / "node_modules" / ".bin"


@pytest.mark.parametrize(
    "command",
    [
        ["redocly", "lint", "openapi.json"],
        ["spectral", "lint", "openapi.json", "-r", ".spectral.yaml", "--fail-severity", "warn"],
    ],
    ids=["redocly", "spectral"],
)
def test_linters_accept_the_committed_document(command):
    """Redocly's recommended rules and Spectral's spectral:oas pass without a warning (the few
    rules turned off say why in redocly.yaml and .spectral.yaml)."""
    if not (NPX / command[0]).exists():
        pytest.skip("npm install has not been run (the linters are devDependencies)")
    result = subprocess.run(  # noqa: S603 - fixed commands of the project's own devDependencies
        [str(NPX / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if command[0] == "redocly":
        # Redocly exits 0 on warnings; only a description without any problem is "valid".
        assert "Your API description is valid" in result.stdout + result.stderr

"""HSDS test helpers: validators for the official schemas, and one fully described listing."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.extensions import db
from directory.models import Accessibility, CostOption, Language, Phone, Schedule, ServiceArea
from directory.operations import Actor, apply_changes, record_creation
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "hsds"


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        if path.name.startswith("openapi"):
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


REGISTRY = _registry()


def hsds_validator(name: str) -> Draft202012Validator:
    """A validator for ``name`` (e.g. "compiled/service.json" or "taxonomy.json")."""
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


def assert_valid(body: dict, name: str) -> None:
    errors = sorted(hsds_validator(name).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def listing(app):
    """An organization with a location and a service tagged, priced, scheduled and edited."""
    organization = OrganizationFactory(
        name="Harbor Harm Reduction", website="https://harbor.example"
    )
    location = LocationFactory(organization=organization, name="Harbor drop-in")
    location.phones.append(Phone(number="212-555-0100", extension="12"))
    location.schedules.append(Schedule(byday="MO,TU", opens_at=time(9), closes_at=time(17)))
    location.languages.append(Language(code="es", name="Spanish"))
    location.accessibility.append(Accessibility(description="Step-free entrance"))
    service = ServiceFactory(
        organization=organization,
        name="Naloxone kits",
        status="temporarily_closed",
        categories=["naloxone", "free"],
        locations=[location],
    )
    service.cost_options.append(CostOption(option="Kit", amount=0, amount_description="Free"))
    service.service_areas.append(ServiceArea(extent_type="state", code="NY", reach="mail"))
    service.languages.append(Language(code="es", name="Spanish"))
    db.session.flush()
    actor = Actor("user", "editor@example.org")
    record_creation(db.session, service, actor)
    apply_changes(db.session, service, {"description": "Free kits, no questions."}, actor)
    db.session.commit()
    return organization, location, service

"""Example bodies shown in the OpenAPI document for the record, taxonomy and state endpoints.

They are illustrations for people reading /api/docs; the tests check that the real answers
have the documented shape, not these values.
"""

from __future__ import annotations

from flask_smorest.error_handler import ErrorSchema

__all__ = ["ErrorSchema"]

ORG_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
LOCATION_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
SERVICE_ID = "a1b2c3d4-0000-4000-8000-000000000001"

ERRORS = {
    404: {"code": 404, "status": "Not Found", "message": "No such service."},
    422: {
        "code": 422,
        "status": "Unprocessable Entity",
        "message": "Invalid input: per_page",
        "errors": {
            "per_page": ["Must be greater than or equal to 1 and less than or equal to 100."]
        },
    },
    429: {
        "code": 429,
        "status": "Too Many Requests",
        "message": "120 per 1 minute",
    },
}

SOURCE = {
    "name": "SAMHSA locator",
    "vintage": "2021 extract",
    "url": "https://findtreatment.gov",
    "as_of_date": "2021-06-01",
}
ADDRESS = {
    "address_1": "123 W 29th St",
    "address_2": None,
    "city": "New York",
    "state": "NY",
    "postal_code": "10001",
}
SCHEDULE = {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00:00", "closes_at": "17:00:00"}
PHONE = {"number": "212-555-0100", "extension": None, "type": "voice", "description": None}
SERVICE_SUMMARY = {
    "id": SERVICE_ID,
    "name": "Naloxone distribution",
    "status": "active",
    "categories": ["naloxone"],
    "cost": ["free"],
    "access": ["walk_in", "no_id_required"],
    "populations": [],
    "languages": ["en", "es"],
    "assured_date": "2026-10-01",
}
LOCATION_SUMMARY = {
    "id": LOCATION_ID,
    "name": "Chelsea drop-in center",
    "latitude": 40.7484,
    "longitude": -73.9967,
    "precision": "exact",
    "position_description": None,
    "address": ADDRESS,
    "timezone": "America/New_York",
    "confidential": False,
}
LOCATION = LOCATION_SUMMARY | {
    "alternate_name": None,
    "description": "Drop-in space with syringe services and naloxone.",
    "transportation": "1 train to 28 St",
    "location_type": "physical",
    "phones": [PHONE],
    "schedules": [SCHEDULE],
    "languages": [{"code": "es", "name": "Spanish", "note": None}],
    "accessibility": [{"description": "Step-free entrance", "details": None, "url": None}],
    "organization": {"id": ORG_ID, "name": "Example Harm Reduction Org"},
    "services": [SERVICE_SUMMARY | {"cost_options": [], "schedules": [SCHEDULE]}],
    "source": SOURCE,
    "last_verified": "2026-10-01",
    "last_modified": "2026-10-01T14:03:00+00:00",
}
SERVICE = SERVICE_SUMMARY | {
    "alternate_name": None,
    "description": "Free naloxone kits and training, no questions asked.",
    "url": "https://example.org/naloxone",
    "email": None,
    "eligibility_description": None,
    "application_process": "Walk in during opening hours.",
    "fees_description": None,
    "cost_options": [
        {"option": "Kit", "amount": 0.0, "currency": "USD", "amount_description": "Free"}
    ],
    "phones": [PHONE],
    "schedules": [SCHEDULE],
    "service_areas": [
        {"extent_type": "state", "code": "NY", "reach": "mail", "description": "Kits by mail"}
    ],
    "organization": {"id": ORG_ID, "name": "Example Harm Reduction Org"},
    "locations": [LOCATION_SUMMARY],
    "source": SOURCE,
    "last_modified": "2026-10-01T14:03:00+00:00",
}
ORGANIZATION = {
    "id": ORG_ID,
    "name": "Example Harm Reduction Org",
    "alternate_name": None,
    "description": "Community harm-reduction programme.",
    "email": "info@example.org",
    "website": "https://example.org",
    "is_partner": True,
    "locations": [LOCATION_SUMMARY],
    "services": [SERVICE_SUMMARY],
    "source": {"name": "Partner", "vintage": None, "url": None, "as_of_date": None},
    "last_modified": "2026-10-01T14:03:00+00:00",
}
REVISIONS = {
    "revisions": [
        {
            "id": "9b2f7c1e-1111-4c3a-9a55-0123456789ab",
            "action": "update",
            "actor_type": "user",
            "actor_label": "editor@example.org",
            "reason": None,
            "created_at": "2026-10-01T14:03:00+00:00",
            "changes": [{"field": "name", "old": "Chelsea site", "new": "Chelsea drop-in center"}],
        }
    ],
    "pagination": {"total": 1, "total_pages": 1, "page": 1, "per_page": 20},
}
TAXONOMY = {
    "terms": [
        {
            "code": "buprenorphine",
            "kind": "category",
            "name": "Buprenorphine",
            "name_es": "Buprenorfina",
            "description": "Buprenorphine for opioid use disorder.",
            "parent": "moud",
        }
    ]
}
LEGALITY_NOTE = {
    "topic": "fentanyl_test_strips",
    "status": "allowed",
    "summary": "Fentanyl test strips are legal to have and to hand out.",
    "citation": "N.Y. Pub. Health Law § 3381",
    "source_name": "Example source",
    "source_url": "https://example.org/law",
    "law_as_of": "2023-12-01",
    "reviewed_at": "2026-11-01",
}
STATE = {"code": "NY", "name": "New York", "fips": "36", "legality_notes": [LEGALITY_NOTE]}
STATES = {"states": [STATE]}

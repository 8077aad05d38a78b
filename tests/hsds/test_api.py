"""The /hsds API answers bodies that validate against the official HSDS 3.0.1 schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import TaxonomyTerm
from tests.factories import LocationFactory, ServiceFactory
from tests.hsds.conftest import assert_valid


def test_root_says_which_hsds_version_and_profile_it_speaks(client):
    body = client.get("/hsds/").get_json()
    assert body["version"] == "3.0.1"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("openapi.json")


def test_service_list_is_a_valid_hsds_page(client, listing):
    body = client.get("/hsds/services").get_json()
    assert body["total_items"] == 1
    assert body["first_page"]
    assert body["last_page"]
    assert not body["empty"]
    for item in body["contents"]:
        assert_valid(item, "compiled/service_list.json")
    assert body["contents"][0]["status"] == "temporarily closed"


def test_full_service_validates_and_carries_its_history_as_metadata(client, listing):
    _, _, service = listing
    body = client.get(f"/hsds/services/{service.id}").get_json()
    assert_valid(body, "compiled/service.json")
    assert [a["taxonomy_term"]["code"] for a in body["attributes"]] == ["naloxone", "free"]
    changed = {(m["field_name"], m["replacement_value"]) for m in body["metadata"]}
    assert ("description", "Free kits, no questions.") in changed
    # Public metadata names no person: an editor without an organization is the directory.
    assert {m["updated_by"] for m in body["metadata"]} == {"the directory"}
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "10001"


def test_organization_list_and_record_validate(client, listing):
    organization, _, _ = listing
    page = client.get("/hsds/organizations").get_json()
    for item in page["contents"]:
        assert_valid(item, "compiled/organization_list.json")
    body = client.get(f"/hsds/organizations/{organization.id}").get_json()
    assert_valid(body, "compiled/organization.json")
    assert [s["name"] for s in body["services"]] == ["Naloxone kits"]


def test_service_at_location_list_and_record_validate(client, listing):
    page = client.get("/hsds/service_at_locations").get_json()
    assert page["total_items"] == 1
    for item in page["contents"]:
        assert_valid(item, "compiled/service_at_location_list.json")
    body = client.get(f"/hsds/service_at_locations/{page['contents'][0]['id']}").get_json()
    # The spec documents compiled/service.json here by mistake (see tests/fixtures/hsds/README.md).
    assert_valid(body, "compiled/service_at_location.json")


def test_taxonomy_and_terms_validate(client):
    taxonomies = client.get("/hsds/taxonomies").get_json()
    assert taxonomies["total_items"] == 1
    taxonomy = taxonomies["contents"][0]
    assert_valid(taxonomy, "taxonomy.json")
    assert_valid(client.get(f"/hsds/taxonomies/{taxonomy['id']}").get_json(), "taxonomy.json")
    terms = client.get("/hsds/taxonomy_terms?per_page=100").get_json()
    assert terms["total_items"] == db.session.scalar(select(func.count(TaxonomyTerm.id)))
    for term in terms["contents"]:
        assert_valid(term, "taxonomy_term.json")
    term = client.get(f"/hsds/taxonomy_terms/{terms['contents'][0]['id']}").get_json()
    assert_valid(term, "taxonomy_term.json")
    assert term["taxonomy_detail"]["id"] == taxonomy["id"]


def test_taxonomy_terms_filter_by_parent_and_top_level(client):
    terms = client.get("/hsds/taxonomy_terms?per_page=100").get_json()["contents"]
    moud = next(term for term in terms if term["code"] == "moud")
    children = client.get(f"/hsds/taxonomy_terms?parent_id={moud['id']}").get_json()
    assert {t["code"] for t in children["contents"]} == {"buprenorphine", "methadone", "naltrexone"}
    top = client.get("/hsds/taxonomy_terms?top_only=true&per_page=100").get_json()
    assert "moud" not in {t["code"] for t in top["contents"]}


def test_services_filter_by_taxonomy_term_and_search(client, listing):
    terms = client.get("/hsds/taxonomy_terms?search=naloxone").get_json()["contents"]
    naloxone = next(term for term in terms if term["code"] == "naloxone")
    ServiceFactory(name="Syringe exchange", categories=["syringe_services"])
    tagged = client.get(f"/hsds/services?taxonomy_term_id={naloxone['id']}").get_json()
    assert [s["name"] for s in tagged["contents"]] == ["Naloxone kits"]
    found = client.get("/hsds/services?search=syringe").get_json()
    assert [s["name"] for s in found["contents"]] == ["Syringe exchange"]
    nothing = client.get("/hsds/services?taxonomy_term_id=not-a-uuid").get_json()
    assert nothing["empty"]
    assert nothing["total_items"] == 0


def test_services_pages_follow_the_envelope(client):
    for number in range(5):
        ServiceFactory(name=f"Service {number}")
    second = client.get("/hsds/services?page=2&per_page=2").get_json()
    assert (second["total_items"], second["total_pages"], second["page_number"]) == (5, 3, 2)
    assert (second["size"], second["first_page"], second["last_page"]) == (2, False, False)
    beyond = client.get("/hsds/services?page=9&per_page=2").get_json()
    assert beyond["empty"]
    assert beyond["last_page"]


def test_ndjson_streams_every_service_without_paging(client):
    for number in range(7):
        ServiceFactory(name=f"Service {number}")
    response = client.get("/hsds/services?format=ndjson&per_page=2")
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 7
    for line in lines:
        assert_valid(json.loads(line), "compiled/service_list.json")


def test_modified_after_leaves_out_older_services(client, listing):
    assert client.get("/hsds/services?modified_after=2000-01-01").get_json()["total_items"] == 1
    later = client.get("/hsds/services?modified_after=2999-01-01T00:00:00Z").get_json()
    assert later["total_items"] == 0


def test_minimal_lists_only_ids_and_modification_dates(client, listing):
    item = client.get("/hsds/services?minimal=true").get_json()["contents"][0]
    assert set(item) == {"id", "name", "status", "last_modified"}


def test_service_at_locations_near_a_postcode_within_proximity(client, listing):
    far = LocationFactory(name="Albany site", latitude=42.6526, longitude=-73.7562)
    ServiceFactory(name="Upstate kits", locations=[far])
    near = client.get("/hsds/service_at_locations?postcode=10001&proximity=5000").get_json()
    assert [item["location"]["name"] for item in near["contents"]] == ["Harbor drop-in"]
    wide = client.get("/hsds/service_at_locations?postcode=10001&proximity=300000").get_json()
    assert wide["total_items"] == 2


def test_unknown_postcode_is_a_json_422_naming_the_field(client):
    response = client.get("/hsds/service_at_locations?postcode=00000&proximity=1000")
    assert response.status_code == 422
    assert "postcode" in response.get_json()["errors"]


def test_bad_input_is_a_json_422_and_a_bad_id_a_json_404(client):
    response = client.get("/hsds/services?per_page=0&format=xml")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"per_page", "format"}
    for path in ("/hsds/services/123", "/hsds/services/99999999999999999999999"):
        missing = client.get(path)
        assert missing.status_code == 404
        assert missing.get_json()["code"] == 404


def test_archived_and_confidential_records_do_not_leak(client, listing):
    _organization, location, service = listing
    location.confidential = True
    location.front_door = "Call 212-555-0100 for the address."
    db.session.commit()
    body = client.get(f"/hsds/services/{service.id}").get_json()
    place = body["service_at_locations"][0]["location"]
    assert place["addresses"] == []
    assert "latitude" not in place
    assert place["description"] == "Call 212-555-0100 for the address."
    service.archived_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(f"/hsds/services/{service.id}").status_code == 404
    assert client.get("/hsds/services").get_json()["total_items"] == 0


def test_pages_carry_an_etag_and_answer_304_when_unchanged(client, listing):
    first = client.get("/hsds/services")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/hsds/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_full_services_list_nests_every_part(client, listing):
    item = client.get("/hsds/services?full=true").get_json()["contents"][0]
    assert_valid(item, "compiled/service.json")
    assert item["service_at_locations"][0]["location"]["name"] == "Harbor drop-in"


def test_a_postcode_filter_never_reveals_a_confidential_location(client, listing):
    # Its postcode is part of the address it keeps to itself. Near a postcode (proximity), it
    # is listed as the search lists it, without address or position: see test_proximity.py.
    _, location, _ = listing
    by_postcode = client.get("/hsds/service_at_locations?postcode=10001").get_json()
    assert by_postcode["total_items"] == 1
    location.confidential = True
    db.session.commit()
    assert client.get("/hsds/service_at_locations?postcode=10001").get_json()["total_items"] == 0

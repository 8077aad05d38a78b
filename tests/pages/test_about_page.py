"""The About page describes the data actually served; organizations find their way in."""

from __future__ import annotations

from datetime import date

from directory.extensions import db
from directory.models import Source
from tests.factories import LocationFactory, ServiceFactory


def a_source(**values) -> Source:
    source = Source(code=values.pop("code", "state_list"), **values)
    db.session.add(source)
    db.session.commit()
    return source


def test_about_lists_each_source_with_its_age_and_how_many_services_it_lists(client):
    listed = a_source(name="State naloxone list", vintage="c. 2020", as_of_date=date(2020, 1, 1))
    a_source(code="empty", name="A list with nothing left")
    place = LocationFactory()
    for _ in range(2):
        ServiceFactory(source=listed, locations=[place], assured_date=None)
    html = client.get("/about").get_data(as_text=True)
    assert "State naloxone list" in html
    assert "c. 2020" in html
    assert "data as of Jan 1, 2020" in html
    assert "2 services" in html
    assert "A list with nothing left" not in html


def test_about_says_how_many_services_a_person_has_confirmed(client):
    place = LocationFactory()
    ServiceFactory(locations=[place], assured_date=None)
    ServiceFactory(locations=[place], assured_date=date(2026, 10, 1))
    html = client.get("/about").get_data(as_text=True)
    assert "A person has confirmed 1 of the 2 services listed" in html
    assert "kept current by partners" not in html


def test_about_links_the_apis_the_report_form_and_the_organizations_page(client):
    html = client.get("/about").get_data(as_text=True)
    for link in ('href="/api/docs"', 'href="/hsds/"', "format=ndjson", 'href="/organizations"'):
        assert link in html
    assert "Report a problem" in html


def test_every_page_footer_links_to_the_page_for_organizations(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/organizations">For organizations</a>' in html


def test_the_organizations_page_explains_claiming_joining_and_signing_in(client):
    page = client.get("/organizations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Claim this listing" in html
    assert 'href="/partners/join"' in html
    assert 'href="/auth/login"' in html
    assert "Set-Cookie" not in page.headers


def test_the_organizations_page_reads_in_spanish(client):
    html = client.get("/organizations?lang=es").get_data(as_text=True)
    assert "Para organizaciones" in html

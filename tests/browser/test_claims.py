"""Claim this listing in a real browser: an organization asks, an admin approves, the new
partner sets a password from the invitation and edits the listing — and location pages never
scroll sideways on a phone, whatever their names and web addresses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from directory.auth import accounts
from directory.extensions import db
from directory.models import Address, Location, Organization, Service, ServiceAtLocation

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "a long browser admin password"
CLAIMANT_PASSWORD = "a long browser claimant password"
LONG_NAME = (
    "ACACIA NETWORK, Inc. as sponsor, The Puerto Rican Organization to Motivate, Enlighten, "
    "and Serve Addicts, Inc. as operator — Supercalifragilisticexpialidociousdepartmentofhealth"
)
LONG_URL = (
    "http://healthcare.example.org/Specialty-Care/Behavioral-Mental-Health/"
    "Families-And-Children?_ga=2.174284128.373363006.1593456789-1234567890.1593456789"
)


def _imported_place(name: str, *, url: str | None = None) -> Location:
    importer = Organization(name=f"{name} (imported)", is_partner=False)
    location = Location(
        organization=importer,
        name=name,
        latitude=40.7484,
        longitude=-73.9857,
        precision="approximate",
        timezone="America/New_York",
        address=Address(
            address_1="350 5th Ave", city="New York", state_province="NY", postal_code="10118"
        ),
    )
    service = Service(organization=importer, name="Naloxone kits", status="active", url=url)
    service.location_links.append(ServiceAtLocation(location=location))
    db.session.add_all([importer, location, service])
    return location


@pytest.fixture(scope="module")
def places(live_app) -> dict[str, str]:
    with live_app.app_context():
        claimable = _imported_place("Claimable Drop-in")
        long_one = _imported_place(LONG_NAME, url=LONG_URL)
        accounts.create_user(
            db.session,
            "browser-admin@example.org",
            role="admin",
            organization_id=None,
            password=ADMIN_PASSWORD,
        )
        db.session.commit()
        ids = {"claimable": str(claimable.id), "long": str(long_one.id)}
        db.session.remove()
    return ids


def test_an_organization_claims_a_listing_an_admin_approves_and_the_partner_edits_it(
    browser, live_server, page, places, check_accessibility
):
    place = places["claimable"]
    page.goto(f"/locations/{place}")
    assert page.context.cookies() == []
    page.get_by_role("link", name="Claim this listing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Manage the listing of Claimable Drop-in"
    )
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#email-error")).to_have_text("Give an email address.")
    check_accessibility(page)
    page.get_by_label("Your name").fill("Robin Claimant")
    page.get_by_label("Your work email").fill("robin@claimable.example.org")
    page.get_by_label("Organization").fill("Claimable Harm Reduction")
    page.get_by_label("Your role there").fill("Site manager")
    page.get_by_label("How can we check that you work there?").fill("Call 212-555-0199.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("Directory staff will check your request")
    assert page.outside_requests == []

    admin = browser.new_context(base_url=live_server)
    try:
        desk = admin.new_page()
        desk.goto("/auth/login")
        desk.get_by_label("Email").fill("browser-admin@example.org")
        desk.get_by_label("Password").fill(ADMIN_PASSWORD)
        desk.get_by_role("button", name="Log in").click()
        desk.goto("/admin/")
        desk.get_by_role("link", name="claim").first.click()
        expect(desk.locator("main")).to_contain_text("Call 212-555-0199.")
        desk.get_by_role("button", name="Approve and apply").click()
        link = desk.locator("#invite-link").inner_text()
    finally:
        admin.close()

    partner = browser.new_context(base_url=live_server)
    try:
        portal = partner.new_page()
        portal.goto(link)
        portal.get_by_label("New password", exact=True).fill(CLAIMANT_PASSWORD)
        portal.get_by_label("Repeat the new password").fill(CLAIMANT_PASSWORD)
        portal.get_by_role("button", name="Set password").click()
        portal.wait_for_url("**/partners/**")
        portal.get_by_role("link", name="Claimable Drop-in").first.click()
        portal.get_by_label("Name", exact=True).fill("Claimable Drop-in (Eastside)")
        portal.get_by_role("button", name="Save changes").click()
        assert "Saved." in portal.locator("[role=status]").first.inner_text()
    finally:
        partner.close()

    page.goto(f"/locations/{place}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claimable Drop-in (Eastside)")
    expect(page.locator("main")).to_contain_text("Run by Claimable Harm Reduction")


def test_location_pages_never_scroll_sideways_on_a_phone(page, demo, places):
    paths = [f"/locations/{places['long']}", f"/locations/{places['long']}?lang=es"] + [
        f"/locations/{getattr(demo, name)}" for name in ("drop_in", "clinic", "shelter", "mobile")
    ]
    for path in paths:
        page.goto(path)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (path, widths)
    page.goto(f"/locations/{places['long']}")
    expect(page.get_by_role("link", name="healthcare.example.org")).to_have_attribute(
        "href", LONG_URL
    )


def test_a_place_pinned_at_its_zip_centre_gets_directions_to_its_street_address(page, places):
    page.goto(f"/locations/{places['claimable']}")
    directions = page.get_by_role("link", name="Directions (OpenStreetMap)")
    expect(directions).to_have_attribute("href", re.compile(r"directions\?to=350\+5th\+Ave"))

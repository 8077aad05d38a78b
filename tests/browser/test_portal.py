"""A partner keeps a listing current in a real browser, with no JavaScript needed.

Logs in, edits the weekly hours (a normal day, an overnight span and a 24-hour day), confirms
the listing is still accurate, and sees both on the public location page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from directory.auth import accounts
from directory.extensions import db
from directory.models import Address, Location, Organization, Service, ServiceAtLocation

PASSWORD = "a long browser test password"


@pytest.fixture(scope="module")
def partner(live_app) -> dict[str, str]:
    """An editor of an organization with one location that offers naloxone, never confirmed."""
    with live_app.app_context():
        organization = Organization(name="Portal Browser Test Org", is_partner=True)
        location = Location(
            organization=organization,
            name="Portal Test Drop-in",
            latitude=40.7484,
            longitude=-73.9857,
            timezone="America/New_York",
            assured_date=date(2025, 1, 2),
            address=Address(
                address_1="350 5th Ave", city="New York", state_province="NY", postal_code="10118"
            ),
        )
        service = Service(organization=organization, name="Naloxone kits", status="active")
        service.location_links.append(ServiceAtLocation(location=location))
        db.session.add_all([organization, location, service])
        db.session.flush()
        accounts.create_user(
            db.session,
            "browser-editor@example.org",
            role="editor",
            organization_id=organization.id,
            password=PASSWORD,
        )
        db.session.commit()
        ids = {"location": str(location.id)}
        db.session.remove()
    return ids


def test_a_partner_edits_hours_confirms_and_sees_it_on_the_public_page(page, partner):
    page.goto("/auth/login")
    page.get_by_label("Email").fill("browser-editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/partners/")
    assert "not confirmed for" in page.content()

    page.get_by_role("link", name="Portal Test Drop-in").click()
    page.get_by_label("Monday open?").select_option("open")
    page.get_by_label("Monday opens", exact=True).fill("10:00")
    page.get_by_label("Monday closes", exact=True).fill("18:00")
    page.get_by_label("Friday open?").select_option("open")
    page.get_by_label("Friday opens", exact=True).fill("22:00")
    page.get_by_label("Friday closes", exact=True).fill("06:00")
    page.get_by_label("Saturday open?").select_option("24h")
    page.get_by_role("button", name="Save changes").click()
    assert "Saved." in page.locator("[role=status]").first.inner_text()

    page.get_by_role("button", name="Still accurate").first.click()
    assert "confirmed as accurate today" in page.content()

    page.goto(f"/locations/{partner['location']}")
    hours = page.locator("table.hours").inner_text()
    assert re.search(r"Monday\s+10:00\s*AM\s*–\s*6:00\s*PM", hours), hours
    assert re.search(r"Friday\s+10:00\s*PM\s*–\s*6:00\s*AM", hours), hours
    assert re.search(r"Saturday\s+Open 24 hours", hours), hours
    assert "Verified today" in page.content()

    page.goto(f"/partners/locations/{partner['location']}/history")
    history = page.locator("main").inner_text()
    assert "confirm" in history
    assert "browser-editor@example.org" in history

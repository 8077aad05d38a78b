"""A person looking for help, in a real browser: search, filter, open a place, read it in
Spanish, report a problem — with every public page checked by axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from directory.extensions import db
from directory.models import Suggestion
from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser


def test_search_by_zip_then_filter_then_open_a_location(page):
    page.goto("/")
    page.get_by_label("ZIP, city or address").fill("10001")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Places near New York, NY 10001")
    cards = page.locator("ol.cards > li.card")
    expect(cards.first).to_contain_text("Example Drop-in Center")
    assert cards.count() >= 3

    page.get_by_text("Change search").click()
    page.get_by_text("Filters: kind of help").click()
    page.get_by_label("Medications for opioid use disorder (MOUD)").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"service=moud"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Example Treatment Clinic")
    expect(cards.first).to_contain_text("Approximate location — ZIP area")
    expect(cards.first).to_contain_text("Not verified since 2021 (SAMHSA locator, 2021 extract)")

    cards.first.get_by_role("link", name="Example Treatment Clinic", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Example Treatment Clinic")
    expect(page.locator("tr.today")).to_have_count(1)
    expect(page.get_by_role("link", name="212-555-0102")).to_have_attribute(
        "href", "tel:2125550102"
    )
    assert page.outside_requests == []


def test_quick_link_and_a_bad_place_lead_to_a_suggestion_the_person_can_click(page):
    page.goto("/")
    page.get_by_role("button", name="Naloxone (Narcan)").click()
    expect(page.get_by_text("Looking for: Naloxone (Narcan).")).to_be_visible()
    page.get_by_label("ZIP, city or address").fill("Sprngfield, IL")
    page.get_by_role("button", name="Search", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We couldn't find “Sprngfield, IL”")
    expect(page.get_by_label("ZIP, city or address")).to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link", name="Springfield, IL").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Springfield")
    expect(page).to_have_url(re.compile(r"service=naloxone"))


def test_switching_to_spanish_keeps_the_search_and_every_link_in_spanish(page):
    page.goto("/search?near=10001&service=fentanyl_test_strips")
    expect(page.locator(".legality")).to_contain_text("legal to have and to hand out")
    page.get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".legality")).to_contain_text("es legal tener y repartir")
    expect(page.get_by_label("Tiras reactivas de fentanilo")).to_be_checked()
    page.locator("ol.cards a").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="English")).to_be_visible()
    assert page.context.cookies() == []


def test_a_person_reports_a_wrong_phone_number(page, live_app, demo):
    page.goto(f"/locations/{demo.clinic}")
    assert page.context.cookies() == []
    page.get_by_role("link", name="Report a problem").click()
    page.get_by_label("The phone number is wrong").check()
    page.get_by_label(re.compile("^Details")).fill("Nobody answers this number.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("A moderator will check your report")
    with live_app.app_context():
        filed = db.session.scalars(
            select(Suggestion).where(Suggestion.message == "Nobody answers this number.")
        ).all()
        assert [(s.kind, s.status) for s in filed] == [("wrong_phone", "pending")]
        db.session.remove()


def test_the_report_form_announces_a_missing_choice(page, demo):
    page.goto(f"/locations/{demo.drop_in}/report")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#kind-error")).to_have_text("Choose what is wrong.")
    expect(page.get_by_role("group", name="What is wrong?")).to_have_attribute(
        "aria-describedby", "kind-error"
    )


def test_a_need_tapped_on_the_home_page_keeps_the_place_typed_before_it(page):
    page.goto("/")
    page.get_by_label("ZIP, city or address").fill("10001")
    page.get_by_role("button", name="Treatment and medications (MOUD)").click()
    expect(page).to_have_url(re.compile(r"near=10001"))
    expect(page).to_have_url(re.compile(r"service=moud"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("near New York, NY 10001")
    expect(page.locator("ol.cards > li.card").first).to_contain_text("Example Treatment Clinic")


def test_a_text_only_line_is_a_message_link_with_its_keyword(page):
    page.goto("/search?near=10001&service=naloxone")
    link = page.get_by_role("link", name="Text KIT to 55155")
    expect(link).to_have_attribute("href", "sms:55155?body=KIT")


def test_the_search_works_from_the_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("ZIP, city or address")).to_be_focused()
    page.keyboard.type("10001")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Places near New York, NY 10001")


def public_paths(demo) -> list[str]:
    return [
        "/",
        "/?lang=es",
        "/search?near=10001",
        "/search?near=10001&service=fentanyl_test_strips&lang=es",
        "/search?near=Springfield",
        "/search?near=10001&radius=1&service=housing",
        f"/locations/{demo.drop_in}",
        f"/locations/{demo.shelter}?lang=es",
        f"/locations/{demo.clinic}/report",
        f"/locations/{demo.clinic}/claim",
        f"/locations/{demo.clinic}/claim?lang=es",
        "/states/NY",
        "/states/NY?lang=es",
        "/about",
        "/about?lang=es",
        "/organizations",
        "/locations/not-a-listing",
    ]


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_every_public_page_passes_axe_and_loads_nothing_from_elsewhere(
    page, demo, check_accessibility
):
    for path in public_paths(demo):
        page.goto(path)
        check_accessibility(page)
        assert page.outside_requests == [], path
        assert page.csp_violations == [], path


def test_every_public_page_passes_axe_on_a_phone(page, demo, check_accessibility):
    for path in public_paths(demo):
        page.goto(path)
        check_accessibility(page)


def test_the_map_shows_the_results_when_a_tile_source_is_configured(page, live_app, live_server):
    live_app.config["MAP_TILE_URL"] = f"{live_server}/static/no-tiles/{{z}}/{{x}}/{{y}}.png"
    try:
        page.goto("/search?near=10001")
        expect(page.locator("#map")).to_be_visible()
        mapped = page.locator("li.card[data-lat]").count()
        assert mapped >= 3
        expect(page.locator("#map .leaflet-marker-icon")).to_have_count(mapped)
    finally:
        live_app.config["MAP_TILE_URL"] = ""
    assert page.outside_requests == []
    assert page.csp_violations == []


def test_without_a_tile_source_there_is_no_map_and_no_leaflet(page):
    page.goto("/search?near=10001")
    assert page.locator("#map").count() == 0
    assert page.locator("script[src*=leaflet]").count() == 0


def test_use_my_location_sends_only_a_rounded_position(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        geolocation={"latitude": 40.751234, "longitude": -73.996789},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_url(re.compile(r"/search\?"))
        assert "lat=40.75&" in page.url
        assert page.url.endswith("lng=-74.00")
        assert "near=" not in page.url
        expect(page.get_by_role("heading", level=1)).to_contain_text("Places near")
        assert context.cookies() == []
    finally:
        context.close()


def test_on_a_phone_the_first_result_is_in_the_first_screen(page):
    page.goto("/search?near=10001&service=naloxone")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Naloxone (Narcan) near New York, NY 10001")
    first = page.locator("ol.cards > li.card").first
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + 40 < page.viewport_size["height"], box


def test_a_located_search_keeps_its_location_across_a_filter_change(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        geolocation={"latitude": 40.751234, "longitude": -73.996789},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto("/search?near=Albany%2C+NY")
        page.get_by_text("Change search").click()
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_url(re.compile(r"lat=40.75"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Places near")
        page.get_by_text("Change search").click()
        page.get_by_text("Filters: kind of help").click()
        page.get_by_label("Medications for opioid use disorder (MOUD)").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"service=moud"))
        assert "lat=40.75" in page.url
        assert "lng=-74.00" in page.url
        assert not re.search(r"near=[^&]", page.url)  # no place typed: the position is kept
        assert context.cookies() == []
    finally:
        context.close()


def test_without_javascript_the_location_button_stays_hidden_and_search_still_works(
    browser, live_server
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("button", name="Use my location")).to_be_hidden()
        page.get_by_label("ZIP, city or address").fill("10001")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("ol.cards > li.card").first).to_contain_text("Example Drop-in Center")
    finally:
        context.close()

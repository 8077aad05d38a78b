"""The location page, and "report a problem" that files a moderated suggestion."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from directory import create_app
from directory.extensions import db
from directory.models import Phone, Suggestion
from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory


def a_listed_place(**values):
    location = LocationFactory(name="Example Drop-in", **values)
    location.phones.append(Phone(number="212-555-0101"))
    db.session.add(ScheduleFactory.build(location=location, byday="MO,TU,WE,TH,FR,SA,SU"))
    db.session.commit()
    ServiceFactory(
        name="Naloxone kits",
        categories=["naloxone", "free", "walk_in"],
        locations=[location],
        application_process="Ask at the front desk.",
    )
    return location


def test_location_page_shows_services_hours_phone_and_cost(client):
    place = a_listed_place()
    page = client.get(f"/locations/{place.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Naloxone kits" in html
    assert "Naloxone (Narcan)" in html
    assert 'href="tel:2125550101"' in html
    assert "Free" in html
    assert "Walk-in, no appointment" in html
    assert "Ask at the front desk." in html
    assert 'class="today"' in html
    assert "1 Example St" in html
    assert "openstreetmap.org/directions" in html
    assert 'rel="noreferrer"' in html


def test_confidential_location_shows_its_front_door_but_never_its_address(client):
    place = a_listed_place(confidential=True, front_door="Call the intake line first.")
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "Call the intake line first." in html
    assert "1 Example St" not in html
    assert "10001" not in html
    assert "openstreetmap" not in html


def test_location_without_hours_says_so_once_instead_of_closed(client):
    place = LocationFactory()
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert html.count("Hours unknown") == 1
    assert "call before you go" in html
    assert "Closed" not in html


def test_a_long_website_address_shows_as_its_site_name_and_links_to_the_whole_address(client):
    place = a_listed_place()
    long_url = "http://www.example.org/services/health-care-and-behavioral-health/" + "x" * 60
    ServiceFactory(name="Counselling", url=long_url, locations=[place])
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert f'<a href="{long_url}" rel="noreferrer">example.org</a>' in html


def test_a_place_named_like_its_organization_does_not_repeat_the_name(client):
    place = a_listed_place()
    place.organization.name = place.name
    db.session.commit()
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "Run by" not in html


def test_old_listing_says_when_it_was_last_verified_and_by_whom(client):
    place = LocationFactory(assured_date=date(2021, 6, 1))
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "Not verified since 2021" in html


def test_malformed_or_unknown_location_id_shows_the_not_found_page(client):
    for path in ("/locations/123", "/locations/" + "9" * 60, f"/locations/{'0' * 32}"):
        page = client.get(path)
        assert page.status_code == 404
        assert "We couldn't find that page" in page.get_data(as_text=True)


def test_archived_location_is_not_found(client):
    from datetime import UTC, datetime

    place = LocationFactory(archived_at=datetime.now(UTC))
    assert client.get(f"/locations/{place.id}").status_code == 404


def test_reading_a_location_sets_no_cookie(client):
    place = a_listed_place()
    assert "Set-Cookie" not in client.get(f"/locations/{place.id}").headers


def test_report_a_problem_files_a_pending_suggestion(client, csrf_token_from):
    place = a_listed_place()
    form = client.get(f"/locations/{place.id}/report")
    token = csrf_token_from(form.get_data(as_text=True))
    sent = client.post(
        f"/locations/{place.id}/report",
        data={"csrf_token": token, "kind": "wrong_phone", "message": "Number rings out."},
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/locations/{place.id}?reported=1")
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.location_id, suggestion.kind, suggestion.status) == (
        place.id,
        "wrong_phone",
        "pending",
    )
    assert suggestion.message == "Number rings out."
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "A moderator will check your report" in thanks


def test_report_without_a_csrf_token_is_refused_and_files_nothing(client):
    place = a_listed_place()
    refused = client.post(f"/locations/{place.id}/report", data={"kind": "closed"})
    assert refused.status_code == 400
    assert db.session.scalar(select(Suggestion)) is None


def test_report_without_a_choice_re_renders_the_form_with_the_error(client, csrf_token_from):
    place = a_listed_place()
    token = csrf_token_from(client.get(f"/locations/{place.id}/report").get_data(as_text=True))
    again = client.post(f"/locations/{place.id}/report", data={"csrf_token": token})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Choose what is wrong." in html
    assert 'aria-describedby="kind-error"' in html
    assert db.session.scalar(select(Suggestion)) is None


def test_report_a_problem_is_rate_limited(app, database_url):
    limited = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with limited.app_context():
        place = a_listed_place()
        client = limited.test_client()
        answers = [
            client.post(f"/locations/{place.id}/report", data={"kind": "other"}).status_code
            for _ in range(6)
        ]
        assert answers == [302] * 5 + [429]
        assert len(db.session.scalars(select(Suggestion)).all()) == 5
        db.session.remove()


def test_location_page_is_in_spanish_when_asked(client):
    place = a_listed_place()
    html = client.get(f"/locations/{place.id}?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Naloxona (Narcan)" in html
    assert f'/locations/{place.id}/report?lang=es"' in html


def test_schedule_spanning_midnight_lists_its_hours_on_the_day_it_starts(client):
    place = LocationFactory()
    db.session.add(
        ScheduleFactory.build(location=place, byday="FR", opens_at=time(22), closes_at=time(2))
    )
    db.session.commit()
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "10:00\u202fPM–2:00\u202fAM" in html or "10:00 PM–2:00 AM" in html


def test_hours_kept_on_a_service_show_on_the_page_and_decide_open_now(client):
    place = LocationFactory()
    service = ServiceFactory(name="Evening clinic", categories=["naloxone"], locations=[place])
    db.session.add(
        ScheduleFactory.build(
            service=service, byday="MO,TU,WE,TH,FR,SA,SU", opens_at=time(0), closes_at=time(0)
        )
    )
    db.session.commit()
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "Open now, 24 hours" in html
    assert "Each service below has its own hours." in html
    assert "Hours for this service" in html
    assert "know this place" not in html


def test_only_web_addresses_become_links(client):
    place = LocationFactory()
    ServiceFactory(name="Good", url="https://example.org/kits", locations=[place])
    ServiceFactory(name="Bad", url="javascript:alert(1)", locations=[place])
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert 'href="https://example.org/kits" rel="noreferrer"' in html
    assert "javascript:" not in html


def test_a_place_pinned_at_its_zip_centre_gets_directions_to_its_street_address(client):
    place = a_listed_place(precision="approximate")
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert (
        "https://www.openstreetmap.org/directions?to=1+Example+St%2C+New+York%2C+NY+10001" in html
    )
    assert "route=" not in html


def test_a_place_with_an_exact_pin_gets_directions_to_the_pin(client):
    place = a_listed_place(precision="exact")
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert "https://www.openstreetmap.org/directions?route=%3B40.75060%2C-73.99720" in html


def test_a_service_as_old_as_its_place_and_from_the_same_list_says_its_age_once(client):
    place = LocationFactory(assured_date=date(2021, 6, 1))
    ServiceFactory(name="Same age", locations=[place], assured_date=date(2021, 6, 1))
    ServiceFactory(name="Checked later", locations=[place], assured_date=date(2024, 3, 1))
    html = client.get(f"/locations/{place.id}").get_data(as_text=True)
    assert html.count("Not verified since 2021") == 1
    assert html.count("Not verified since 2024") == 1

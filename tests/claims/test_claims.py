"""An organization claims a listing it runs; an admin approves or rejects; the owner edits it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory import create_app
from directory.extensions import db
from directory.models import Location, Organization, Revision, Service, Suggestion, User
from directory.operations import listings
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.partners.helpers import PASSWORD, csrf_token, forget_request_globals, log_in

CLAIMANT = {
    "name": "Dana Rivera",
    "email": "Dana@Eastside.example.org",
    "organization": "Eastside Harm Reduction",
    "role": "Program director",
    "verification": "Call the front desk at 212-555-0101 and ask for Dana.",
    "message": "We moved our hours.",
}
INVITE_LINK = re.compile(r'<code id="invite-link">[^<]*(/auth/invite/[^<]+)</code>')


@pytest.fixture
def imported_place():
    """A listing copied from a public list: its organization is no partner."""
    importer = OrganizationFactory(name="Eastside Clinic (imported)", is_partner=False)
    place = LocationFactory(organization=importer, name="Eastside Drop-in")
    only_here = ServiceFactory(organization=importer, name="Naloxone kits", locations=[place])
    elsewhere = LocationFactory(organization=importer, name="Westside Drop-in")
    shared = ServiceFactory(organization=importer, name="Hotline", locations=[place, elsewhere])
    return place, only_here, shared


def send_claim(client, place, **changes):
    forget_request_globals()
    form = client.get(f"/locations/{place.id}/claim")
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(True))
    return client.post(
        f"/locations/{place.id}/claim",
        data={**CLAIMANT, **changes, "csrf_token": token.group(1)},
    )


def the_claim() -> Suggestion:
    return db.session.scalar(select(Suggestion).where(Suggestion.kind == "claim"))


def as_admin(app, world):
    admin = app.test_client()
    log_in(admin, world.admin.email)
    return admin


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)})


def test_every_location_page_offers_to_claim_the_listing_and_sets_no_cookie(client, imported_place):
    place, _, _ = imported_place
    page = client.get(f"/locations/{place.id}")
    assert f'href="/locations/{place.id}/claim">Claim this listing</a>' in page.get_data(True)
    assert "Set-Cookie" not in page.headers


def test_a_claim_waits_in_the_queue_with_the_claimant_and_changes_nothing(
    app, client, world, imported_place
):
    place, _, _ = imported_place
    sent = send_claim(client, place)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/locations/{place.id}?claimed=1")
    assert "Directory staff will check your request" in client.get(sent.headers["Location"]).text
    claim = the_claim()
    assert claim.status == "pending"
    assert claim.proposed_changes["claimant"]["email"] == "dana@eastside.example.org"
    assert db.session.get(Location, place.id).organization.name == "Eastside Clinic (imported)"
    admin = as_admin(app, world)
    assert "claim" in admin.get("/admin/").text
    review = admin.get(f"/admin/suggestions/{claim.id}").text
    for shown in ("Dana Rivera", "Program director", "212-555-0101", "Eastside Harm Reduction"):
        assert shown in review


def test_the_request_is_a_revision_that_keeps_the_claimants_details_out(client, imported_place):
    place, _, _ = imported_place
    send_claim(client, place)
    claim = the_claim()
    revision = db.session.scalar(select(Revision).where(Revision.entity_id == claim.id))
    assert (revision.action, revision.actor_label) == ("create", "claim form")
    assert "dana" not in str(revision.changes).lower()


def test_approving_a_claim_hands_the_listing_to_a_new_partner_and_invites_the_claimant(
    app, client, world, imported_place
):
    place, only_here, shared = imported_place
    send_claim(client, place)
    claim = the_claim()
    admin = as_admin(app, world)
    approved = post(admin, f"/admin/suggestions/{claim.id}/approve")
    assert approved.status_code == 200
    link = INVITE_LINK.search(approved.text).group(1)

    db.session.expire_all()
    owner = db.session.scalar(
        select(Organization).where(Organization.name == CLAIMANT["organization"])
    )
    assert owner.is_partner
    assert db.session.get(Location, place.id).organization_id == owner.id
    assert db.session.get(Service, only_here.id).organization_id == owner.id
    assert db.session.get(Service, shared.id).organization_id != owner.id
    user = db.session.scalar(select(User).where(User.email == "dana@eastside.example.org"))
    assert (user.organization_id, user.role, user.password_hash) == (owner.id, "editor", None)
    assert db.session.get(Suggestion, claim.id).status == "approved"
    change = listings.history(db.session, db.session.get(Location, place.id))[0]
    assert change.actor_label == world.admin.email
    assert change.reason == f"approved claim {claim.id}"
    assert list(change.changes) == ["organization_id"]

    # The claimant sets a password through the invitation and edits the listing in the portal.
    claimant = app.test_client()
    forget_request_globals()
    claimant.get(link)
    accepted = claimant.post(
        link,
        data={
            "new_password": PASSWORD,
            "confirm_password": PASSWORD,
            "csrf_token": csrf_token(claimant, link),
        },
    )
    assert accepted.status_code == 302
    assert "Eastside Drop-in" in claimant.get("/partners/").text
    assert post(claimant, f"/partners/locations/{place.id}/confirm").status_code == 302
    assert post(claimant, f"/partners/services/{only_here.id}/confirm").status_code == 302
    db.session.expire_all()
    confirmed = listings.history(db.session, db.session.get(Location, place.id))[0]
    assert (confirmed.action, confirmed.actor_label) == ("confirm", "dana@eastside.example.org")


def test_a_claimant_with_an_account_gets_the_listing_for_their_own_organization(
    app, client, world, imported_place
):
    place, _, _ = imported_place
    send_claim(client, place, email=world.editor_a.email, organization="Anything")
    admin = as_admin(app, world)
    approved = post(admin, f"/admin/suggestions/{the_claim().id}/approve")
    assert approved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, place.id).organization_id == world.org_a.id
    assert db.session.scalar(select(Organization).where(Organization.name == "Anything")) is None


def test_rejecting_a_claim_keeps_the_listing_as_it_was(app, client, world, imported_place):
    place, only_here, _ = imported_place
    before = listings.document(place)
    send_claim(client, place)
    claim = the_claim()
    admin = as_admin(app, world)
    rejected = post(admin, f"/admin/suggestions/{claim.id}/reject", {"reason": "Nobody named Dana"})
    assert rejected.status_code == 302
    db.session.expire_all()
    assert listings.document(db.session.get(Location, place.id)) == before
    assert listings.history(db.session, db.session.get(Location, place.id)) == []
    assert db.session.get(Service, only_here.id).organization.name == "Eastside Clinic (imported)"
    decided = db.session.get(Suggestion, claim.id)
    assert (decided.status, decided.decision_reason) == ("rejected", "Nobody named Dana")
    steps = db.session.scalars(
        select(Revision).where(Revision.entity_id == claim.id).order_by(Revision.created_at)
    ).all()
    assert [(step.action, step.changes.get("status")) for step in steps] == [
        ("create", None),
        ("update", ["pending", "rejected"]),
    ]
    assert steps[1].actor_label == world.admin.email


def test_a_claim_cannot_be_decided_twice(app, client, world, imported_place):
    place, _, _ = imported_place
    send_claim(client, place)
    claim = the_claim()
    admin = as_admin(app, world)
    post(admin, f"/admin/suggestions/{claim.id}/reject", {"reason": "No"})
    again = post(admin, f"/admin/suggestions/{claim.id}/approve")
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, place.id).organization.name == "Eastside Clinic (imported)"


def test_a_claim_without_the_required_details_names_each_missing_field(client, imported_place):
    place, _, _ = imported_place
    sent = send_claim(client, place, name="", email="not-an-email", verification="")
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert "Give your name." in html
    assert "Enter an email address like name@example.org." in html
    assert 'aria-describedby="verification-hint verification-error"' in html
    assert the_claim() is None


def test_a_claim_without_a_csrf_token_is_refused(client, imported_place):
    place, _, _ = imported_place
    refused = client.post(f"/locations/{place.id}/claim", data=CLAIMANT)
    assert refused.status_code == 400
    assert the_claim() is None


def test_claims_for_unknown_or_archived_listings_are_not_found(client):
    from datetime import UTC, datetime

    archived = LocationFactory(archived_at=datetime.now(UTC))
    for path in ("/locations/123/claim", f"/locations/{archived.id}/claim"):
        assert client.get(path).status_code == 404


def test_the_claim_form_reads_in_spanish(client, imported_place):
    place, _, _ = imported_place
    html = client.get(f"/locations/{place.id}/claim?lang=es").get_data(as_text=True)
    assert "Enviar solicitud" in html
    assert f'action="/locations/{place.id}/claim?lang=es"' in html


@pytest.mark.parametrize("who", ["anonymous", "other organization"])
def test_only_admins_decide_claims(app, client, world, imported_place, who):
    place, _, _ = imported_place
    send_claim(client, place)
    claim = the_claim()
    visitor = app.test_client()
    if who == "other organization":
        log_in(visitor, world.editor_b.email)
    refused = 302 if who == "anonymous" else 403  # anonymous: to the login page
    assert visitor.get(f"/admin/suggestions/{claim.id}").status_code == refused
    approve = f"/admin/suggestions/{claim.id}/approve"
    assert visitor.post(approve, data={"csrf_token": csrf_token(visitor)}).status_code == refused
    db.session.expire_all()
    assert db.session.get(Suggestion, claim.id).status == "pending"
    assert db.session.get(Location, place.id).organization.name == "Eastside Clinic (imported)"


def test_before_approval_the_claimant_cannot_edit_the_listing(app, world, imported_place):
    place, _, _ = imported_place
    client = app.test_client()
    send_claim(client, place, email=world.editor_b.email)
    log_in(client, world.editor_b.email)
    assert client.get(f"/partners/locations/{place.id}").status_code == 404


def test_claims_are_rate_limited(app, database_url):
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
        place = LocationFactory()
        client = limited.test_client()
        answers = [
            client.post(f"/locations/{place.id}/claim", data=CLAIMANT).status_code for _ in range(6)
        ]
    assert answers == [302] * 5 + [429]


def test_only_opening_the_claim_form_sets_a_cookie_and_only_for_its_csrf_token(
    client, imported_place
):
    place, _, _ = imported_place
    assert "Set-Cookie" not in client.get(f"/locations/{place.id}").headers
    form = client.get(f"/locations/{place.id}/claim")
    cookies = form.headers.getlist("Set-Cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["session"]
    assert "HttpOnly" in cookies[0]

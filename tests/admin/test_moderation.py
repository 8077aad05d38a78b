"""Directory staff review public reports and sign-ups, and keep the state-law notes current."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from directory.auth import accounts
from directory.extensions import db
from directory.models import LegalityNote, Location, Organization, Revision, Suggestion, User
from directory.operations import listings
from tests.factories import LegalityNoteFactory, LocationFactory
from tests.partners.helpers import csrf_token, log_in


@pytest.fixture
def admin(client, world):
    log_in(client, world.admin.email)
    return client


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)})


def report(location, **fields) -> Suggestion:
    suggestion = Suggestion(location_id=location.id, **fields)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def test_the_queue_lists_pending_reports_and_sign_ups(admin, world):
    location = LocationFactory(organization=world.org_a)
    report(location, kind="wrong_phone", message="The number is disconnected")
    page = admin.get("/admin/").get_data(as_text=True)
    assert "wrong phone" in page
    assert "The number is disconnected" in page


def test_a_report_shows_the_proposed_change_field_by_field(admin, world):
    location = LocationFactory(organization=world.org_a, name="Old Name")
    suggestion = report(location, kind="other", proposed_changes={"name": "New Name"})
    page = admin.get(f"/admin/suggestions/{suggestion.id}").get_data(as_text=True)
    assert '<th scope="row">name</th><td>Old Name</td><td>New Name</td>' in page


def test_approving_applies_the_change_as_a_revision_by_the_admin(admin, world):
    location = LocationFactory(organization=world.org_a, name="Old Name")
    suggestion = report(location, kind="other", proposed_changes={"name": "New Name"})
    assert post(admin, f"/admin/suggestions/{suggestion.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, location.id).name == "New Name"
    revision = listings.history(db.session, location)[0]
    assert revision.actor_label == world.admin.email
    assert revision.changes == {"name": ["Old Name", "New Name"]}
    assert db.session.get(Suggestion, suggestion.id).status == "approved"


def test_approving_a_closed_report_archives_the_location(admin, world):
    location = LocationFactory(organization=world.org_a)
    suggestion = report(location, kind="closed", message="Boarded up")
    post(admin, f"/admin/suggestions/{suggestion.id}/approve")
    db.session.expire_all()
    assert db.session.get(Location, location.id).archived_at is not None


def test_rejecting_needs_a_reason_and_changes_nothing(admin, world):
    location = LocationFactory(organization=world.org_a, name="Right Name")
    suggestion = report(location, kind="other", proposed_changes={"name": "Wrong"})
    assert post(admin, f"/admin/suggestions/{suggestion.id}/reject").status_code == 422
    assert (
        post(
            admin, f"/admin/suggestions/{suggestion.id}/reject", {"reason": "Checked by phone"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    decided = db.session.get(Suggestion, suggestion.id)
    assert (decided.status, decided.decision_reason) == ("rejected", "Checked by phone")
    assert db.session.get(Location, location.id).name == "Right Name"
    assert db.session.scalar(select(Revision.id)) is None


def test_a_decided_suggestion_cannot_be_decided_again(admin, world):
    location = LocationFactory(organization=world.org_a, name="A")
    suggestion = report(location, kind="other", proposed_changes={"name": "B"})
    post(admin, f"/admin/suggestions/{suggestion.id}/reject", {"reason": "no"})
    post(admin, f"/admin/suggestions/{suggestion.id}/approve")
    db.session.expire_all()
    assert db.session.get(Location, location.id).name == "A"


def test_a_new_organization_signs_up_publicly_and_an_admin_approves_it(client, world):
    response = post(
        client,
        "/partners/join",
        {
            "name": "Harm Reduction Coalition of Erie",
            "website": "https://example.org",
            "contact_name": "Sam",
            "contact_email": "sam@example.org",
        },
    )
    assert response.status_code == 200
    suggestion = db.session.scalar(select(Suggestion).where(Suggestion.kind == "new_organization"))
    assert suggestion.proposed_changes["organization"]["name"] == "Harm Reduction Coalition of Erie"

    log_in(client, world.admin.email)
    page = client.get(f"/admin/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "Harm Reduction Coalition of Erie" in page
    page = post(client, f"/admin/suggestions/{suggestion.id}/approve").get_data(as_text=True)
    organization = db.session.scalar(
        select(Organization).where(Organization.name == "Harm Reduction Coalition of Erie")
    )
    assert organization.is_partner
    editor = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert editor.organization_id == organization.id
    assert editor.password_hash is None
    assert "/auth/invite/" in page
    assert (
        db.session.scalar(select(Revision).where(Revision.entity_id == organization.id)).action
        == "create"
    )


def test_the_join_form_names_missing_fields(client):
    page = post(client, "/partners/join", {"name": ""}).get_data(as_text=True)
    assert 'id="name-error"' in page
    assert 'id="contact_email-error"' in page


def test_an_admin_edits_a_legality_note_with_history_and_can_restore_it(admin, world):
    note = LegalityNoteFactory(summary="Old summary")
    form = {
        "status": "allowed_with_conditions",
        "summary": "New summary",
        "citation": "N.Y. Law § 1",
        "source_name": "Example",
        "source_url": "https://example.org/law",
        "law_as_of": "2025-06-01",
        "reviewed_at": "2026-11-20",
    }
    assert post(admin, f"/admin/legality/{note.id}", form).status_code == 302
    db.session.expire_all()
    edited = db.session.get(LegalityNote, note.id)
    assert (edited.summary, edited.law_as_of) == ("New summary", date(2025, 6, 1))
    history = listings.history(db.session, edited)
    assert history[0].changes["summary"] == ["Old summary", "New summary"]
    page = admin.get(f"/admin/legality/{note.id}/history").get_data(as_text=True)
    assert "New summary" in page


def test_restoring_a_legality_note_brings_back_the_earlier_text(admin, world):
    note = LegalityNoteFactory(summary="First text", status="allowed")
    actor = listings.Actor.system()
    listings.update_legality_note(db.session, note, {"summary": "Second text"}, actor)
    db.session.commit()
    first = listings.history(db.session, note)[0]
    listings.update_legality_note(
        db.session, note, {"summary": "Third text", "status": "unclear"}, actor
    )
    db.session.commit()
    response = post(admin, f"/admin/legality/{note.id}/revisions/{first.id}/restore")
    assert response.status_code == 302
    db.session.expire_all()
    restored = db.session.get(LegalityNote, note.id)
    assert (restored.summary, restored.status) == ("Second text", "allowed")


def test_an_admin_invites_an_admin_without_an_organization(admin, world):
    page = post(admin, "/admin/invite", {"email": "staff2@example.org", "role": "admin"}).get_data(
        as_text=True
    )
    assert "/auth/invite/" in page
    user = db.session.scalar(select(User).where(User.email == "staff2@example.org"))
    assert user.role == "admin"
    assert (
        accounts.user_for_invite(db.session, page.split("/auth/invite/")[1].split("<")[0]) == user
    )

"""Moderation pages: the queue, a suggestion's diff with approve/reject, legality notes, invites."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from directory.admin.forms import ApproveForm, LegalityNoteForm, RejectForm
from directory.auth import accounts
from directory.auth.forms import InviteForm
from directory.extensions import db, login_manager
from directory.models import LegalityNote, Location, Organization, Revision, Suggestion, User
from directory.operations import listings, moderation
from directory.partners.access import current_actor, parse_id, require_moderator

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require_moderator()
    return None


@bp.route("/")
@login_required
def queue():
    return render_template("admin/queue.html", suggestions=moderation.pending(db.session))


def _suggestion(suggestion_id: str) -> Suggestion:
    suggestion = db.session.get(Suggestion, parse_id(suggestion_id))
    if suggestion is None:
        abort(404)
    return suggestion


def _render_suggestion(suggestion: Suggestion, reject_form=None, status: int = 200):
    location = db.session.get(Location, suggestion.location_id) if suggestion.location_id else None
    return render_template(
        "admin/suggestion.html",
        suggestion=suggestion,
        location=location,
        diff=moderation.proposed_diff(db.session, suggestion),
        approve_form=ApproveForm(),
        reject_form=reject_form or RejectForm(),
    ), status


@bp.route("/suggestions/<suggestion_id>")
def suggestion(suggestion_id: str):
    return _render_suggestion(_suggestion(suggestion_id))


@bp.route("/suggestions/<suggestion_id>/approve", methods=["POST"])
def approve(suggestion_id: str):
    suggestion = _suggestion(suggestion_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        new_user = moderation.approve(db.session, suggestion, current_user, current_actor())
    except listings.ListingError as error:
        db.session.rollback()
        flash("Not approved: " + str(error))
        return redirect(url_for(".suggestion", suggestion_id=suggestion.id))
    db.session.commit()
    if new_user is not None:
        return render_template("admin/invited.html", user=new_user, link=_invite_link(new_user))
    flash("Approved and applied; the change is in the listing's history.")
    return redirect(url_for(".queue"))


@bp.route("/suggestions/<suggestion_id>/reject", methods=["POST"])
def reject(suggestion_id: str):
    suggestion = _suggestion(suggestion_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_suggestion(suggestion, form, 422)
    try:
        moderation.reject(db.session, suggestion, current_user, form.reason.data)
    except listings.ListingError as error:
        flash("Not rejected: " + str(error))
        return redirect(url_for(".suggestion", suggestion_id=suggestion.id))
    db.session.commit()
    flash("Rejected.")
    return redirect(url_for(".queue"))


def _invite_link(user: User) -> str:
    return url_for("auth.accept_invite", token=accounts.invite_token(user), _external=True)


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        organization_id = None
        if form.role.data == "editor":
            try:
                organization = db.session.get(Organization, uuid.UUID(form.organization_id.data))
            except ValueError:
                organization = None
            if organization is None:
                form.organization_id.errors.append("No organization has this id.")
                return render_template("admin/invite.html", form=form), 422
            organization_id = organization.id
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(
                db.session, email, role=form.role.data, organization_id=organization_id
            )
        elif user.password_hash is not None:
            form.email.errors.append("This person already has an account.")
            return render_template("admin/invite.html", form=form), 422
        db.session.commit()
        return render_template("admin/invited.html", user=user, link=_invite_link(user))
    return render_template("admin/invite.html", form=form)


@bp.route("/legality")
def legality_notes():
    notes = db.session.scalars(
        select(LegalityNote).order_by(
            LegalityNote.state_code, LegalityNote.topic, LegalityNote.locale
        )
    ).all()
    return render_template("admin/legality.html", notes=notes)


def _note(note_id: str) -> LegalityNote:
    note = db.session.get(LegalityNote, parse_id(note_id))
    if note is None:
        abort(404)
    return note


@bp.route("/legality/<note_id>", methods=["GET", "POST"])
def edit_legality_note(note_id: str):
    note = _note(note_id)
    form = LegalityNoteForm(obj=note)
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        values["citation"] = values["citation"] or None
        listings.update_legality_note(db.session, note, values, current_actor())
        db.session.commit()
        flash("Saved; the change is in the note's history.")
        return redirect(url_for(".edit_legality_note", note_id=note.id))
    return render_template("admin/legality_form.html", form=form, note=note)


@bp.route("/<any(legality):kind>/<listing_id>/history")
def legality_history(kind: str, listing_id: str):
    note = _note(listing_id)
    return render_template(
        "partners/history.html",
        listing=note,
        kind=kind,
        revisions=listings.history(db.session, note),
        edit_url=url_for(".edit_legality_note", note_id=note.id),
        restore_endpoint=".restore_legality_note",
    )


@bp.route("/<any(legality):kind>/<listing_id>/revisions/<revision_id>/restore", methods=["POST"])
def restore_legality_note(kind: str, listing_id: str, revision_id: str):
    note = _note(listing_id)
    revision = db.session.get(Revision, parse_id(revision_id))
    if revision is None or revision.entity_id != note.id:
        abort(404)
    listings.restore_revision(db.session, note, revision, current_actor())
    db.session.commit()
    flash("The earlier version is restored.")
    return redirect(url_for(".legality_history", kind=kind, listing_id=note.id))

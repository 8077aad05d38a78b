"""Portal pages: the dashboard, location and service forms, and one-click actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from directory import geo
from directory.api.record_schemas import record_etag
from directory.extensions import db, login_manager
from directory.models import Location, Organization, Revision, Service, TaxonomyTerm
from directory.operations import listings
from directory.partners.access import (
    current_actor,
    load_listing,
    load_organization,
    parse_id,
)
from directory.partners.forms import (
    LocationForm,
    ServiceForm,
    location_form_data,
    location_values,
    service_form_data,
    service_values,
)

bp = Blueprint("partners", __name__, url_prefix="/partners")
KIND = "<any(locations, services):kind>"


@bp.before_request
def _require_login():
    # Every portal page needs a login except the public sign-up form.
    if request.endpoint != "partners.join" and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
def _portal_helpers() -> dict[str, Any]:
    return {"days_since": listings.days_since_confirmed}


@bp.app_template_filter("show_value")
def show_value(value: Any) -> str:
    """A revision value as a person reads it."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list):
        return "; ".join(show_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {show_value(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@bp.route("/")
@login_required
def dashboard():
    if current_user.organization_id is not None:
        return organization_dashboard(str(current_user.organization_id))
    organizations = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    return render_template("partners/organizations.html", organizations=organizations)


@bp.route("/organizations/<org_id>")
def organization_dashboard(org_id: str):
    organization = load_organization(org_id)
    locations = db.session.scalars(
        select(Location).where(Location.organization_id == organization.id).order_by(Location.name)
    ).all()
    services = db.session.scalars(
        select(Service).where(Service.organization_id == organization.id).order_by(Service.name)
    ).all()
    return render_template(
        "partners/dashboard.html",
        organization=organization,
        locations=locations,
        services=services,
    )


def _geocode_preview(form: LocationForm) -> dict[str, Any] | None:
    """Where the address would be placed, before saving (offline ZIP centroid or entered)."""
    if form.latitude.data is not None and form.longitude.data is not None:
        lat, lng, how = float(form.latitude.data), float(form.longitude.data), "as entered"
    elif form.postal_code.data:
        centroid = geo.zip_centroid(form.postal_code.data.strip()[:5])
        if centroid is None:
            form.postal_code.errors = [
                *form.postal_code.errors,
                "This ZIP code is not in the offline list; enter latitude and longitude.",
            ]
            return None
        lat, lng, how = centroid.lat, centroid.lng, f"centre of ZIP {centroid.postal_code}"
    else:
        return None
    zone = geo.timezone_for(lat, lng, state=form.state.data, postal_code=form.postal_code.data)
    return {"latitude": round(lat, 5), "longitude": round(lng, 5), "how": how, "timezone": zone}


def _save_location(form: LocationForm, organization: Organization, location: Location | None):
    """Create or update from a valid form; None when the operations refused it (errors set)."""
    try:
        if location is None:
            location = listings.create_location(
                db.session, organization, location_values(form), current_actor()
            )
        else:
            listings.update_location(db.session, location, location_values(form), current_actor())
    except listings.ListingError as error:
        db.session.rollback()
        _show_errors(form, error)
        return None
    db.session.commit()
    return location


def _show_errors(form, error: listings.ListingError) -> None:
    """Put the operations' field errors next to the matching form fields."""
    for field, messages in error.errors.items():
        name = {"schedules": "hours_errors"}.get(field, field.removeprefix("address."))
        target = getattr(form, name, None)
        if target is not None and isinstance(getattr(target, "errors", None), list):
            target.errors = [*target.errors, *messages]
        else:
            form.form_errors.extend(messages)


@bp.route("/organizations/<org_id>/locations/new", methods=["GET", "POST"])
def new_location(org_id: str):
    organization = load_organization(org_id)
    form = LocationForm()
    preview = _geocode_preview(form) if form.is_submitted() else None
    if "preview" not in request.form and form.validate_on_submit():
        location = _save_location(form, organization, None)
        if location is not None:
            flash(f"Added {location.name}.")
            return redirect(url_for(".organization_dashboard", org_id=organization.id))
    page = render_template(
        "partners/location_form.html", form=form, organization=organization, preview=preview
    )
    return page, _status(form, None)


def _version(listing: Any) -> dict[str, str]:
    """The hidden fields of an edit form: the record's version and the last change it shows."""
    newest = listings.history(db.session, listing)[:1]
    return {"version": record_etag(listing), "seen_revision": str(newest[0].id) if newest else ""}


def _changed_since(form, listing: Any) -> list[Revision] | None:
    """None when the form was filled from the saved version (the record then stays locked
    until this request commits); otherwise the changes saved since, newest first, and the
    form now carries the saved version, so saving again replaces it knowingly.

    The same rule as the API's If-Match: a stale version is refused, never merged silently.
    """
    listings.lock_for_update(db.session, type(listing), listing.id)
    if form.version.data and form.version.data == record_etag(listing):
        return None
    history = listings.history(db.session, listing)
    seen = None
    for position, revision in enumerate(history):
        if str(revision.id) == form.seen_revision.data:
            seen = position
            break
    current = _version(listing)
    form.version.data, form.seen_revision.data = current["version"], current["seen_revision"]
    db.session.rollback()  # release the lock: nothing is saved
    return history if seen is None else history[:seen]


def _status(form, conflict: list[Revision] | None) -> int:
    if conflict is not None:
        return 409
    return 422 if form.is_submitted() and "preview" not in request.form else 200


@bp.route("/locations/<listing_id>", methods=["GET", "POST"])
def edit_location(listing_id: str):
    location = load_listing("locations", listing_id)
    doc = listings.document(location)
    filled = None if request.method == "POST" else location_form_data(doc) | _version(location)
    form = LocationForm(data=filled)
    preview = _geocode_preview(form) if form.is_submitted() else None
    conflict = None
    if "preview" not in request.form and form.validate_on_submit():
        conflict = _changed_since(form, location)
        if conflict is None and _save_location(form, location.organization, location):
            flash("Saved. The change is live and recorded in the history.")
            return redirect(url_for(".edit_location", listing_id=location.id))
    page = render_template(
        "partners/location_form.html",
        form=form,
        organization=location.organization,
        location=location,
        preview=preview,
        doc=doc,
        conflict=conflict,
    )
    return page, _status(form, conflict)


def _service_form(organization: Organization, data: dict[str, Any] | None) -> ServiceForm:
    form = ServiceForm(data=data)
    terms = db.session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.sort_order)).all()
    for kind, field in (
        ("category", form.categories),
        ("cost", form.cost),
        ("access", form.access),
        ("population", form.populations),
    ):
        field.choices = {term.code: term.name for term in terms if term.kind == kind}
    form.location_ids.choices = {
        str(loc.id): loc.name
        for loc in db.session.scalars(
            select(Location)
            .where(Location.organization_id == organization.id, Location.archived_at.is_(None))
            .order_by(Location.name)
        )
    }
    return form


def _save_service(form: ServiceForm, organization: Organization, service: Service | None):
    try:
        if service is None:
            service = listings.create_service(
                db.session, organization, service_values(form), current_actor()
            )
        else:
            listings.update_service(db.session, service, service_values(form), current_actor())
    except listings.ListingError as error:
        db.session.rollback()
        _show_errors(form, error)
        return None
    db.session.commit()
    return service


@bp.route("/organizations/<org_id>/services/new", methods=["GET", "POST"])
def new_service(org_id: str):
    organization = load_organization(org_id)
    form = _service_form(organization, None)
    if form.validate_on_submit():
        service = _save_service(form, organization, None)
        if service is not None:
            flash(f"Added {service.name}.")
            return redirect(url_for(".organization_dashboard", org_id=organization.id))
    page = render_template("partners/service_form.html", form=form, organization=organization)
    return page, _status(form, None)


@bp.route("/services/<listing_id>", methods=["GET", "POST"])
def edit_service(listing_id: str):
    service = load_listing("services", listing_id)
    kinds = dict(db.session.execute(select(TaxonomyTerm.code, TaxonomyTerm.kind)).all())
    doc = listings.document(service)
    data = None if request.method == "POST" else service_form_data(doc, kinds) | _version(service)
    form = _service_form(service.organization, data)
    conflict = None
    if form.validate_on_submit():
        conflict = _changed_since(form, service)
        if conflict is None and _save_service(form, service.organization, service):
            flash("Saved. The change is live and recorded in the history.")
            return redirect(url_for(".edit_service", listing_id=service.id))
    page = render_template(
        "partners/service_form.html",
        form=form,
        organization=service.organization,
        service=service,
        conflict=conflict,
    )
    return page, _status(form, conflict)


def _edit_url(kind: str, listing: Any) -> str:
    endpoint = ".edit_location" if kind == "locations" else ".edit_service"
    return url_for(endpoint, listing_id=listing.id)


def _back(kind: str, listing: Any):
    target = request.form.get("next")
    if target == "dashboard":
        return redirect(url_for(".organization_dashboard", org_id=listing.organization_id))
    return redirect(_edit_url(kind, listing))


@bp.route(f"/{KIND}/<listing_id>/confirm", methods=["POST"])
def confirm(kind: str, listing_id: str):
    listing = load_listing(kind, listing_id)
    listings.confirm(db.session, listing, current_actor())
    db.session.commit()
    flash(f"Thank you: {listing.name} is confirmed as accurate today.")
    return _back(kind, listing)


@bp.route(f"/{KIND}/<listing_id>/archive", methods=["POST"])
def archive(kind: str, listing_id: str):
    listing = load_listing(kind, listing_id)
    listings.archive(db.session, listing, current_actor())
    db.session.commit()
    flash(f"{listing.name} is archived: no longer listed, and can be restored.")
    return _back(kind, listing)


@bp.route(f"/{KIND}/<listing_id>/unarchive", methods=["POST"])
def unarchive(kind: str, listing_id: str):
    listing = load_listing(kind, listing_id)
    listings.unarchive(db.session, listing, current_actor())
    db.session.commit()
    flash(f"{listing.name} is listed again.")
    return _back(kind, listing)


@bp.route("/services/<listing_id>/<any(close, reopen):what>", methods=["POST"])
def close_or_reopen(listing_id: str, what: str):
    service = load_listing("services", listing_id)
    listings.set_temporarily_closed(db.session, service, what == "close", current_actor())
    db.session.commit()
    flash(f"{service.name} is {'temporarily closed' if what == 'close' else 'open again'}.")
    return _back("services", service)


@bp.route(f"/{KIND}/<listing_id>/history")
def listing_history(kind: str, listing_id: str):
    listing = load_listing(kind, listing_id)
    return render_template(
        "partners/history.html",
        listing=listing,
        kind=kind,
        revisions=listings.history(db.session, listing),
        edit_url=_edit_url(kind, listing),
        restore_endpoint=".restore",
    )


@bp.route(f"/{KIND}/<listing_id>/revisions/<revision_id>/restore", methods=["POST"])
def restore(kind: str, listing_id: str, revision_id: str):
    listing = load_listing(kind, listing_id)
    revision = db.session.get(Revision, parse_id(revision_id))
    if revision is None or revision.entity_id != listing.id:
        abort(404)
    try:
        listings.restore_revision(db.session, listing, revision, current_actor())
    except listings.ListingError as error:
        db.session.rollback()
        flash("That version cannot be restored: " + str(error))
        return redirect(url_for(".listing_history", kind=kind, listing_id=listing.id))
    db.session.commit()
    flash("The earlier version is restored (and the restore is in the history).")
    return redirect(url_for(".listing_history", kind=kind, listing_id=listing.id))

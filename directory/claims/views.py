"""The public claim form: parse → load (404) → file the claim → back to the listing.

Registered on the public pages' blueprint (``search.claim_listing``).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from directory.claims.forms import ClaimForm
from directory.extensions import db, limiter
from directory.operations import claims
from directory.search import bp, lookups

CLAIM_LIMIT = "5 per hour"


@bp.route("/locations/<location_id>/claim", methods=["GET", "POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"])
def claim_listing(location_id: str):
    parsed = lookups.parse_id(location_id)
    place = lookups.location_for_page(parsed) if parsed else None
    if place is None:
        abort(404)
    form = ClaimForm()
    if form.validate_on_submit():
        claimant = {name: form[name].data.strip() for name in claims.CLAIMANT_FIELDS}
        claimant["email"] = claimant["email"].lower()
        claims.file_claim(db.session, place, claimant, (form.message.data or "").strip() or None)
        db.session.commit()
        # A query flag, not a flashed message, like the report form's.
        return redirect(url_for("search.location", location_id=place.id, claimed=1))
    status = 422 if form.is_submitted() else 200
    return render_template("claims/claim.html", location=place, form=form), status

"""Bulk update from a CSV file: upload, read the dry-run report, then apply all or nothing."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for

from directory.extensions import db
from directory.operations import bulk
from directory.partners.access import current_actor, load_organization
from directory.partners.forms import BulkApplyForm, BulkUploadForm
from directory.partners.views import bp

MAX_CSV_BYTES = 2 * 1024 * 1024


@bp.route("/organizations/<org_id>/bulk", methods=["GET", "POST"])
def bulk_upload(org_id: str):
    organization = load_organization(org_id)
    form = BulkUploadForm()
    if not form.validate_on_submit():
        return render_template("partners/bulk.html", form=form, organization=organization)
    raw = form.file.data.read(MAX_CSV_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or len(raw) > MAX_CSV_BYTES:
        form.file.errors = ["Upload a UTF-8 CSV file of at most 2 MB."]
        return render_template("partners/bulk.html", form=form, organization=organization), 422
    report = bulk.run(db.session, organization, text, current_actor(), apply=False)
    apply_form = BulkApplyForm(data={"csv_text": text})
    return render_template(
        "partners/bulk_report.html", report=report, organization=organization, form=apply_form
    )


@bp.route("/organizations/<org_id>/bulk/apply", methods=["POST"])
def bulk_apply(org_id: str):
    organization = load_organization(org_id)
    form = BulkApplyForm()
    if not form.validate_on_submit():
        flash("Upload the file again.")
        return redirect(url_for(".bulk_upload", org_id=organization.id))
    report = bulk.run(db.session, organization, form.csv_text.data, current_actor(), apply=True)
    if not report.ok:
        return render_template(
            "partners/bulk_report.html", report=report, organization=organization, form=form
        ), 422
    db.session.commit()
    flash(
        f"Applied: {report.count('new')} new, {report.count('changed')} changed, "
        f"{report.count('unchanged')} unchanged."
    )
    return redirect(url_for(".organization_dashboard", org_id=organization.id))


@bp.route("/organizations/<org_id>/bulk/download")
def bulk_download(org_id: str):
    """The organization's locations in the upload's columns, safe to open in a spreadsheet."""
    organization = load_organization(org_id)
    return Response(
        bulk.export_csv(db.session, organization),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="locations.csv"'},
    )

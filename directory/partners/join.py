"""The public sign-up form: a new organization asks to be listed, and an admin decides."""

from __future__ import annotations

from flask import render_template

from directory.auth.views import attempt_limit
from directory.extensions import db
from directory.models import Suggestion
from directory.partners.forms import JoinForm
from directory.partners.views import bp


@bp.route("/join", methods=["GET", "POST"])
@attempt_limit("5 per hour")
def join():
    form = JoinForm()
    if form.validate_on_submit():
        db.session.add(
            Suggestion(
                kind="new_organization",
                message=form.description.data or None,
                proposed_changes={
                    "organization": {
                        "name": form.name.data.strip(),
                        "website": form.website.data or None,
                        "description": form.description.data or None,
                    },
                    "contact": {
                        "name": form.contact_name.data.strip(),
                        "email": form.contact_email.data.strip().lower(),
                    },
                },
            )
        )
        db.session.commit()
        return render_template("partners/join_thanks.html")
    return render_template("partners/join.html", form=form)

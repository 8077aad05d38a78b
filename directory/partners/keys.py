"""API keys in the portal: a partner lists its keys, makes a new one (shown once), revokes one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from directory.auth import accounts
from directory.extensions import db
from directory.models import ApiKey
from directory.partners.access import load_organization, parse_id
from directory.partners.views import bp


class NewKeyForm(FlaskForm):
    name = StringField("What the key is for", validators=[DataRequired(), Length(max=255)])


def _keys_page(organization, form: NewKeyForm, new_key: str | None = None, status: int = 200):
    keys = db.session.scalars(
        select(ApiKey)
        .where(ApiKey.organization_id == organization.id)
        .order_by(ApiKey.created_at.desc())
    ).all()
    page = render_template(
        "partners/keys.html", organization=organization, keys=keys, form=form, new_key=new_key
    )
    return page, status


@bp.route("/organizations/<org_id>/keys", methods=["GET", "POST"])
def api_keys(org_id: str):
    organization = load_organization(org_id)
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _keys_page(organization, form, status=422 if form.is_submitted() else 200)
    _api_key, key = accounts.create_api_key(db.session, organization.id, form.name.data.strip())
    db.session.commit()
    return _keys_page(organization, NewKeyForm(formdata=None), new_key=key)


@bp.route("/organizations/<org_id>/keys/<key_id>/revoke", methods=["POST"])
def revoke_api_key(org_id: str, key_id: str):
    organization = load_organization(org_id)
    api_key = db.session.get(ApiKey, parse_id(key_id))
    if api_key is None or api_key.organization_id != organization.id:
        abort(404)
    accounts.revoke_api_key(api_key)
    db.session.commit()
    flash(f"Key {api_key.prefix}… is revoked; systems using it are refused from now on.")
    return redirect(url_for(".api_keys", org_id=organization.id))

"""Moderation forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from directory.auth.forms import WEB_URL
from directory.models.states import LEGALITY_STATUSES


class ApproveForm(FlaskForm):
    pass


class RejectForm(FlaskForm):
    reason = TextAreaField("Why it is rejected", validators=[DataRequired(), Length(max=2000)])


class LegalityNoteForm(FlaskForm):
    status = SelectField("Status", choices={s: s.replace("_", " ") for s in LEGALITY_STATUSES})
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=5000)])
    citation = StringField("Citation", validators=[Optional(), Length(max=2000)])
    source_name = StringField("Source", validators=[DataRequired(), Length(max=255)])
    source_url = URLField(
        "Source URL", validators=[DataRequired(), URL(), WEB_URL, Length(max=500)]
    )
    law_as_of = DateField("Law as of", validators=[DataRequired()])
    reviewed_at = DateField("Reviewed on", validators=[DataRequired()])

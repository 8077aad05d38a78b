"""The one form a visitor posts: "report a problem" with a listing (CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

PROBLEM_KINDS = (
    SelectChoice("closed", _l("It has closed")),
    SelectChoice("wrong_phone", _l("The phone number is wrong")),
    SelectChoice("wrong_hours", _l("The hours are wrong")),
    SelectChoice("other", _l("Something else")),
)


class ReportProblemForm(FlaskForm):
    kind = RadioField(
        _l("What is wrong?"),
        choices=PROBLEM_KINDS,
        validators=[DataRequired(message=_l("Choose what is wrong."))],
    )
    message = TextAreaField(
        _l("Details (optional). Please don't include your name or contact details."),
        validators=[Optional(), Length(max=2000, message=_l("Keep it under 2000 characters."))],
    )

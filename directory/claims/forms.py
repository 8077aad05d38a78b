"""The claim form: who is asking, for which organization, and how staff can check it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

# Shape only (one @, a dot in the domain): the invitation email is what proves the address.
EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.org.")
)


def _required(message):
    return DataRequired(message=message)


def _at_most(count: int):
    return Length(max=count, message=_l("Keep it under %(count)s characters.", count=count))


class ClaimForm(FlaskForm):
    name = StringField(
        _l("Your name"), validators=[_required(_l("Give your name.")), _at_most(255)]
    )
    email = EmailField(
        _l("Your work email"),
        validators=[_required(_l("Give an email address.")), EMAIL, _at_most(255)],
    )
    organization = StringField(
        _l("Organization"),
        validators=[_required(_l("Name the organization that runs this place.")), _at_most(255)],
    )
    role = StringField(
        _l("Your role there"), validators=[_required(_l("Say what you do there.")), _at_most(255)]
    )
    verification = TextAreaField(
        _l("How can we check that you work there?"),
        validators=[
            _required(_l("Tell us how we can check, for example a phone number we can call.")),
            _at_most(1000),
        ],
    )
    message = TextAreaField(_l("Anything else (optional)"), validators=[Optional(), _at_most(2000)])

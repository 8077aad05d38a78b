"""Login, password and invitation forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from directory.auth.accounts import MIN_PASSWORD_LENGTH

# Shape only (one @, a dot in the domain): the invitation link is what proves the address works.
EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.org."
)

# Only web links: URL() alone lets "javascript://…" through, which a page would then render.
WEB_URL = Regexp(r"^https?://", flags=re.IGNORECASE, message="Give a web address (https://…).")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class NewPasswordMixin:
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)],
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", "The two passwords differ.")],
    )


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL, Length(max=255)])
    role = SelectField("Role", choices={"editor": "Editor", "admin": "Admin"})
    organization_id = StringField("Organization id (for an editor)", validators=[Optional()])

    def validate_organization_id(self, field) -> None:
        if self.role.data == "editor" and not field.data:
            raise ValidationError("An editor belongs to an organization.")

"""Login, logout, password change and accepting an invitation."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from directory.auth import accounts, throttle
from directory.auth.forms import LoginForm, PasswordChangeForm, SetPasswordForm
from directory.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

REFUSED = (
    "That email and password do not match an account. After several failed attempts, "
    "each new try must wait a little longer."
)


def limits_disabled() -> bool:
    """The limiter is one object shared by every app in a process; ask this app's own setting."""
    return not current_app.config.get("RATELIMIT_ENABLED", True)


def attempt_limit(limit: str):
    """A rate limit on form posts (logins, invitation links), per client address."""
    return limiter.limit(limit, methods=["POST"], exempt_when=limits_disabled)


def _safe_next(target: str | None) -> str:
    """A same-site path to go to after login, or the dashboard.

    Browsers read a backslash as a slash and drop tabs and newlines, so a backslash or a tab
    after the first slash would leave the site: anything but a plain absolute path is refused.
    """
    target = target or ""
    parts = urlsplit(target)
    plain = target.isprintable() and "\\" not in target and not target.startswith("//")
    if not (plain and target.startswith("/") and not parts.scheme and not parts.netloc):
        return url_for("partners.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
@attempt_limit("10 per minute")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            accounts.start_session(user)
            response = redirect(_safe_next(request.args.get("next")))
            throttle.remember_browser(response, user.email)
            return response
        # One answer for every refusal (docs/security.md): it names neither the email, nor the
        # password, nor a lock, so it tells nobody whether an account exists.
        form.form_errors.append(REFUSED)
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # A copy of this session's cookie (and any other browser's) stops working too.
        accounts.end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not accounts.check_password(current_user, form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            user = current_user._get_current_object()
            user.password_hash = accounts.hash_password(form.new_password.data)
            accounts.end_sessions(user)
            db.session.commit()
            # Other browsers logged in with the old password are logged out; this one stays.
            accounts.start_session(user)
            flash("Your password is changed.")
            return redirect(url_for("partners.dashboard"))
    return render_template("auth/password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@attempt_limit("10 per minute")
def accept_invite(token: str):
    user = accounts.user_for_invite(db.session, token)
    if user is None:
        return render_template("auth/invite_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.password_hash = accounts.hash_password(form.new_password.data)
        db.session.commit()
        accounts.start_session(user)
        flash("Welcome: your password is set.")
        return redirect(url_for("partners.dashboard"))
    return render_template("auth/invite.html", form=form, user=user)

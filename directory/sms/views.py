"""The webhook: check the gateway's signature, read the message, answer with TwiML."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, make_response, render_template, request
from flask_babel import force_locale
from twilio.request_validator import RequestValidator

from directory import i18n
from directory.extensions import limiter
from directory.sms import bp, replies
from directory.sms.grammar import Message, read_message

T = TypeVar("T")

# A person texting for help sends a few messages; more than this from one number in an hour is
# a loop or an attack, and each reply costs the operator a message.
SENDER_LIMIT = "20 per hour"


def sender_key() -> str:
    """The rate limit's key: the sender's number, keyed-hashed with the app's secret, so the
    limiter's storage never holds a phone number, and holds the hash for the window only."""
    sender = request.form.get("From", "").encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return "sms:" + hmac.new(secret, sender, "sha256").hexdigest()[:32]


def signed_by_gateway() -> bool:
    """True when no SMS_AUTH_TOKEN is set, else when X-Twilio-Signature signs this request.

    The URL checked is the one the gateway called: behind a proxy, TRUSTED_PROXIES must be set
    so that the scheme (https) is the public one (docs/sms.md).
    """
    token = current_app.config.get("SMS_AUTH_TOKEN")
    if not token:
        return True
    signature = request.headers.get("X-Twilio-Signature", "")
    return bool(signature) and RequestValidator(token).validate(
        request.url, request.form, signature
    )


def twiml(text: str | None):
    response = make_response(render_template("sms/reply.xml", message=text))
    response.mimetype = "text/xml"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/inbound")
@limiter.limit(SENDER_LIMIT, key_func=sender_key)
def inbound():
    if not signed_by_gateway():
        abort(403)
    return twiml(reply_to(read_message(request.form.get("Body", ""))))


def reply_to(message: Message) -> str | None:
    """The reply's text in the message's language; None for STOP, START and the like (the
    gateway and the carrier keep the opt-out: the directory says nothing)."""
    if message.kind == "opt":
        return None
    if message.kind == "help":
        return in_language(message.locale, replies.help_reply)
    found = in_language(message.locale, replies.resolve, message)
    if isinstance(found, str):
        return found
    locale = found.reading.locale
    return in_language(locale, replies.search_reply, found, locale)


def in_language(locale: str, answer: Callable[..., T], *args) -> T:
    with force_locale(locale):
        i18n.refresh()
        try:
            return answer(*args)
        finally:
            i18n.refresh()


@bp.errorhandler(429)
def too_many(error):
    # Over the limit: an empty answer, so the gateway sends (and charges for) nothing.
    return twiml(None)

"""Answers by text message: an SMS gateway's webhook (Twilio and compatible), ``POST /sms/inbound``.

A person texts a place and what they need ("10001 naloxone", "metadona Chicago, IL"); the reply
lists the nearest places from the one search. Nothing about the sender or the text is stored or
logged; the per-sender rate limit counts under a keyed hash, for its window only. See docs/sms.md.
"""

from __future__ import annotations

from flask import Blueprint

from directory.extensions import csrf

bp = Blueprint("sms", __name__, url_prefix="/sms")
# The gateway cannot hold a CSRF token; with SMS_AUTH_TOKEN set, its signature proves the sender.
csrf.exempt(bp)

from directory.sms import views  # noqa: E402,F401  (routes attach to bp)

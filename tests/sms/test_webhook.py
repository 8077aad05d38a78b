"""The webhook as a gateway meets it: keywords, unknown places, signatures, CSRF, rate limits,
and any text at all answered with valid TwiML."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from directory.sms.segments import measure
from tests.sms.conftest import TEST_SENDER, twiml

TOKEN = "12345678901234567890123456789012"  # a made-up gateway auth token
FORM = {"From": TEST_SENDER, "To": "+15005550001", "Body": "HELP", "MessageSid": "SM0"}


@pytest.mark.parametrize("body", ["HELP", "help", "INFO", "?"])
def test_help_says_how_to_text_a_place_and_a_need(texter, body):
    reply = texter.reply(body)
    assert reply.startswith("Text a ZIP code or a city and state")
    assert "10001 naloxone" in reply
    assert "911" in reply
    assert measure(reply).segments <= 3


def test_ayuda_answers_in_spanish(texter):
    reply = texter.reply("AYUDA")
    assert reply.startswith("Envie un codigo postal")  # accents GSM-7 lacks are written plain
    assert measure(reply).encoding == "GSM-7"
    assert measure(reply).segments <= 3


@pytest.mark.parametrize("body", ["STOP", "stop", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START"])
def test_carrier_keywords_get_an_empty_response(texter, body):
    response = texter.send(body)
    assert response.status_code == 200
    assert twiml(response.data).find("Message") is None
    assert texter.reply(body) is None


def test_an_unknown_place_says_so_with_the_parsers_suggestions(texter):
    reply = texter.reply("naloxone Springfeld, IL")
    assert 'We couldn\'t find "Springfeld, IL"' in reply
    assert "Springfield, IL" in reply
    assert "For example: 10001 naloxone" in reply


def test_an_unknown_zip_says_so(texter):
    assert "00000" in texter.reply("00000 narcan")


def test_need_words_without_a_place_ask_for_one(texter):
    assert texter.reply("narcan").startswith("Add a ZIP code, or a city and state")
    assert texter.reply("naloxona").startswith("Agregue a su mensaje un codigo postal")


def test_the_webhook_needs_no_csrf_token_but_forms_still_do(client):
    assert client.post("/sms/inbound", data=FORM).status_code == 200
    assert (
        client.post("/auth/login", data={"email": "a@example.org", "password": "x"}).status_code
        == 400
    )


def signed_headers(url: str, form: dict, token: str = TOKEN) -> dict:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


def test_with_an_auth_token_only_signed_requests_are_answered(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_AUTH_TOKEN", TOKEN)
    url = "http://localhost/sms/inbound"
    assert client.post("/sms/inbound", data=FORM).status_code == 403
    bad = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert client.post("/sms/inbound", data=FORM, headers=bad).status_code == 403
    forged = signed_headers(url, FORM, token="another-accounts-token")
    assert client.post("/sms/inbound", data=FORM, headers=forged).status_code == 403
    tampered = signed_headers(url, {**FORM, "Body": "STOP"})
    assert client.post("/sms/inbound", data=FORM, headers=tampered).status_code == 403
    good = client.post("/sms/inbound", data=FORM, headers=signed_headers(url, FORM))
    assert good.status_code == 200
    assert b"<Message>" in good.data


def test_behind_a_trusted_proxy_the_public_https_address_is_the_one_checked(
    app, client, monkeypatch
):
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.setitem(app.config, "SMS_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1))
    headers = signed_headers("https://localhost/sms/inbound", FORM)
    headers["X-Forwarded-Proto"] = "https"
    assert client.post("/sms/inbound", data=FORM, headers=headers).status_code == 200


def test_without_an_auth_token_signatures_are_not_checked(texter):
    assert texter.reply("HELP") is not None


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.text(max_size=400))
def test_any_text_at_all_gets_200_and_valid_twiml(texter, body):
    response = texter.send(body)
    assert response.status_code == 200
    root = twiml(response.data)
    assert root.tag == "Response"
    message = root.find("Message")
    if message is not None:
        assert measure(message.text or "").segments <= 3


@pytest.mark.parametrize(
    "body", ["10001\x00naloxone", "\x1b\x07 10001", "\ufffe 10001", "🙂" * 300]
)
def test_control_characters_and_odd_unicode_never_break_the_xml(texter, body):
    twiml(texter.send(body).data)

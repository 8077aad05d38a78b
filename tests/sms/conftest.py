"""Sending a text message to the webhook as a gateway would, and reading the TwiML reply."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

TEST_SENDER = "+15005550006"  # a Twilio test number: never a person's


def twiml(data: bytes) -> ET.Element:
    """The answer's XML root (the app's own output, parsed to check that it is valid)."""
    return ET.fromstring(data)  # noqa: S314 - our own response, not untrusted input


class Texter:
    def __init__(self, client) -> None:
        self.client = client

    def send(self, body: str, sender: str = TEST_SENDER, headers: dict | None = None):
        return self.client.post(
            "/sms/inbound",
            data={"From": sender, "To": "+15005550001", "Body": body, "MessageSid": "SM0"},
            headers=headers or {},
        )

    def reply(self, body: str, sender: str = TEST_SENDER) -> str | None:
        """The reply's text; None when the answer is an empty <Response/>."""
        response = self.send(body, sender)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        root = twiml(response.data)
        assert root.tag == "Response"
        message = root.find("Message")
        return None if message is None else message.text


@pytest.fixture
def texter(client) -> Texter:
    return Texter(client)

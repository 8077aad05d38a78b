"""Public API answers are the same for everyone: no session cookie, no Vary: Cookie."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", ["/api/v1/taxonomy", "/api/v1/states/NY", "/hsds/services"])
def test_public_api_answers_neither_set_nor_vary_on_cookies(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_the_report_form_still_gets_its_session_cookie(client, session):
    from tests.factories import LocationFactory

    location = LocationFactory()
    response = client.get(f"/locations/{location.id}/report")
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["session"]

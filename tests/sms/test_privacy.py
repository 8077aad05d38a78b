"""A text leaves no trace: the sender's number and words are in no table and no log line, and
the rate limit counts them under a keyed hash only."""

from __future__ import annotations

import logging
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.load_server import gunicorn
from directory.extensions import db
from directory.sms.views import sender_key
from tests.hardening.conftest import build_app, scratch_sqlite_url
from tests.search.helpers import place, save
from tests.sms.conftest import TEST_SENDER, Texter
from tests.stored import stored_text

# Words no listing, place or message holds, so finding them anywhere means a text was kept.
SECRET_PLACE = "Springfeld"
SECRET_NEED = "narcan"
BODIES = [
    "10001 naloxone",
    f"{SECRET_NEED} 10001",
    "metadona 10001",
    f"{SECRET_PLACE} naloxone",
    "HELP",
    "STOP",
]
NEEDLES = [TEST_SENDER, TEST_SENDER.removeprefix("+1"), SECRET_PLACE, "SM0"]


def test_a_texters_number_and_words_are_kept_in_no_table_and_no_log(texter, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.DEBUG)
    save(place("Chelsea Drop-in", 40.7510, -73.9970))
    for body in BODIES:
        response = texter.send(body)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    db.session.expire_all()
    stored = stored_text()
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    for needle in [*NEEDLES, f"{SECRET_NEED} 10001"]:
        assert needle not in stored, f"{needle} is stored in the database"
        assert needle not in logged, f"{needle} is in the log"


def test_the_rate_limit_counts_a_keyed_hash_of_the_sender_never_the_number(app):
    with app.test_request_context("/sms/inbound", method="POST", data={"From": TEST_SENDER}):
        key = sender_key()
    assert TEST_SENDER.removeprefix("+") not in key
    assert TEST_SENDER.removeprefix("+1") not in key
    with app.test_request_context("/sms/inbound", method="POST", data={"From": "+15005550007"}):
        assert sender_key() != key


def test_a_sender_over_the_limit_gets_an_empty_answer_and_others_are_still_answered(tmp_path):
    limited = build_app(scratch_sqlite_url(tmp_path), RATELIMIT_ENABLED=True)
    texter = Texter(limited.test_client())
    replies = [texter.reply("HELP") for _ in range(20)]
    assert all(replies)
    assert texter.reply("HELP") is None  # the 21st within the hour: nothing is sent
    assert texter.reply("HELP", sender="+15005550007") is not None
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
def test_the_server_access_log_records_no_sender_and_no_text(tmp_path: Path):
    url = scratch_sqlite_url(tmp_path)
    app = build_app(url)
    with app.app_context():
        save(place("Chelsea Drop-in", 40.7510, -73.9970))
        db.session.remove()
        db.engine.dispose()
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(
        url,
        log_path,
        app_spec='directory:create_app({"RATELIMIT_ENABLED": False})',
        env={"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"},
    ) as server:
        for body in BODIES:
            form = {"From": TEST_SENDER, "To": "+15005550001", "Body": body, "MessageSid": "SM0"}
            request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
                server.base_url + "/sms/inbound", data=urllib.parse.urlencode(form).encode()
            )
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                assert response.status == 200
    log = log_path.read_text()
    assert '"POST /sms/inbound"' in log  # requests are logged, without their form
    for needle in NEEDLES:
        assert needle not in log, f"{needle} is in the access log"

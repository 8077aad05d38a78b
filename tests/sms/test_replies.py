"""What a texter gets back: the nearest places, in their language, within three segments."""

from __future__ import annotations

from datetime import UTC, datetime, time

from directory.hours import OpenStatus
from directory.models import Phone
from directory.search.presenters import open_status_text
from directory.sms.segments import gsm_friendly, is_gsm7, measure
from tests.factories import ServiceAreaFactory, ServiceFactory
from tests.search.helpers import place, save, service

# Around ZIP 10001 (Manhattan, 40.7506, -73.9972), nearest first.
NEARBY = [
    ("Chelsea Drop-in", 40.7510, -73.9970, "212-555-0101"),
    ("Midtown Outreach", 40.7560, -73.9900, "212-555-0102"),
    ("Hell's Kitchen Harm Reduction", 40.7640, -73.9920, "212-555-0103"),
    ("Upper West Side Pharmacy", 40.7900, -73.9750, "212-555-0104"),
]
ALL_WEEK = [("MO,TU,WE,TH,FR,SA,SU", time(0, 0), time(0, 0))]


def add_places(names=NEARBY, codes=("naloxone",), hours=()):
    for name, lat, lng, number in names:
        location = place(name, lat, lng, service(f"{name} kits", codes=codes), hours=hours)
        location.phones = [Phone(number=number, type="voice")]
        save(location)


def test_a_need_and_a_zip_get_the_three_nearest_places_with_distance_phone_and_hours(texter):
    add_places(hours=ALL_WEEK)
    reply = texter.reply("10001 naloxone")
    lines = reply.splitlines()
    assert lines[0].startswith("Naloxone near ")
    assert lines[1] == "1) Chelsea Drop-in, 0.2 mi, 212-555-0101. Open now, 24 hours"
    assert "Midtown Outreach" in lines[2]
    assert "212-555-0102" in lines[2]
    assert "Hell's Kitchen Harm Reduction" in lines[3]
    assert "Upper West Side Pharmacy" not in reply
    assert lines[-1] == "More: http://localhost/search?near=10001&service=naloxone"


def test_closing_times_read_plainly_and_keep_the_reply_gsm7(app):
    # Babel writes "5:00 PM" with a narrow no-break space, which GSM-7 lacks.
    closes = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    with app.test_request_context("/sms/inbound", method="POST"):
        text = gsm_friendly(open_status_text(OpenStatus("open", closes_at=closes)))
    assert text == "Open now, closes at 5:00 PM"
    assert is_gsm7(text)


def test_places_without_hours_say_so(texter):
    add_places()
    assert "Hours unknown" in texter.reply("narcan 10001").splitlines()[1]


def test_a_spanish_text_gets_a_spanish_reply_and_spanish_results_address(texter):
    add_places()
    reply = texter.reply("naloxona 10001")
    assert reply.startswith("Naloxona cerca de ")
    assert "Horario desconocido" in reply
    assert reply.splitlines()[-1].endswith("/search?near=10001&service=naloxone&lang=es")


def test_nothing_within_the_radius_gives_the_nearest_beyond_it(texter):
    # Philadelphia is about 80 miles from ZIP 10001.
    add_places([("Kensington Exchange", 39.9990, -75.1280, "215-555-0100")], ("syringe_services",))
    reply = texter.reply("needles 10001")
    assert "none within 25 mi" in reply
    assert "Nearest:" in reply
    assert "1) Kensington Exchange, 79 mi, 215-555-0100" in reply


def test_the_states_mail_program_comes_with_a_matching_need(texter):
    add_places()
    mail = ServiceFactory(name="New York naloxone by mail", categories=["naloxone"])
    mail.phones = [Phone(number="1-800-555-0199", type="voice")]
    ServiceAreaFactory(service=mail, extent_type="state", code="NY", reach="mail")
    assert "By mail: New York naloxone by mail, 1-800-555-0199" in texter.reply("10001 naloxone")
    assert "By mail" not in texter.reply("10001")


def test_no_need_word_gives_places_of_any_kind_and_says_how_to_ask_for_one(texter):
    add_places(codes=("syringe_services",))
    reply = texter.reply("help near 10001")
    assert reply.startswith("Places near ")
    assert "1) Chelsea Drop-in" in reply
    assert "add a word: 10001 naloxone" in reply


def test_nothing_anywhere_near_points_to_211(texter):
    reply = texter.reply("bupe 59301")
    assert "none within 250 mi" in reply
    assert "211" in reply


def test_long_names_are_shortened_before_any_place_is_left_out(texter):
    long_names = [
        (f"{name} Community Health and Harm Reduction Services Center of Greater Manhattan", *rest)
        for name, *rest in NEARBY
    ]
    add_places(long_names, hours=ALL_WEEK)
    reply = texter.reply("10001 naloxone")
    measured = measure(reply)
    assert measured.encoding == "GSM-7"
    assert measured.units <= 459
    assert measured.segments <= 3
    assert [line[:2] for line in reply.splitlines()[1:4]] == ["1)", "2)", "3)"]
    assert "..." in reply
    assert reply.splitlines()[-1].startswith("More: http://localhost/search?")


def test_a_name_outside_gsm7_keeps_the_reply_within_three_ucs2_segments(texter):
    add_places([(f"华埠减害中心 {name}", *rest) for name, *rest in NEARBY], hours=ALL_WEEK)
    reply = texter.reply("10001 naloxone")
    measured = measure(reply)
    assert measured.encoding == "UCS-2"
    assert measured.units <= 201
    assert measured.segments <= 3
    assert "华埠" in reply


def test_spanish_accents_outside_gsm7_are_written_plain_to_keep_the_longer_limit(texter):
    add_places(
        [("Clínica Río Azul de Salud Pública", 40.7510, -73.9970, "212-555-0101")], ("methadone",)
    )
    reply = texter.reply("metadona 10001")
    assert measure(reply).encoding == "GSM-7"
    assert "Clinica Rio Azul de Salud Publica" in reply

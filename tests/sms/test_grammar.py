"""Reading a text message: need words in English and Spanish, either order, typos, keywords."""

from __future__ import annotations

import pytest

from directory.extensions import db
from directory.queries import taxonomy_index
from directory.sms.grammar import read_message, vocabulary


@pytest.mark.parametrize(
    ("body", "place", "codes", "locale"),
    [
        ("10001 naloxone", "10001", ("naloxone",), "en"),
        ("narcan 98101", "98101", ("naloxone",), "en"),
        ("Narcan 98101", "98101", ("naloxone",), "en"),
        ("nalaxone 10001", "10001", ("naloxone",), "en"),
        ("needles 19134", "19134", ("syringe_services",), "en"),
        ("bupe 87301", "87301", ("buprenorphine",), "en"),
        ("Gallup bupe", "Gallup", ("buprenorphine",), "en"),
        ("Seattle naloxone", "Seattle", ("naloxone",), "en"),
        ("suboxone near Gallup, NM", "Gallup, NM", ("buprenorphine",), "en"),
        ("test strips San Diego, CA", "San Diego, CA", ("fentanyl_test_strips",), "en"),
        (
            "Kings County, NY fentanyl test strips",
            "Kings County, NY",
            ("fentanyl_test_strips",),
            "en",
        ),
        ("where can I get narcan near 10001 please", "10001", ("naloxone",), "en"),
        ("naloxone and needles 19134", "19134", ("naloxone", "syringe_services"), "en"),
        ("Columbus IN naloxone", "Columbus IN", ("naloxone",), "en"),
        ("naloxone in Columbus, IN", "Columbus, IN", ("naloxone",), "en"),
        ("help near 59301", "59301", (), "en"),
        ("59301", "59301", (), "en"),
        ("metadona Chicago, IL", "Chicago, IL", ("methadone",), "es"),
        ("metadona 60601", "60601", ("methadone",), "es"),
        ("Metadóna 60601", "60601", ("methadone",), "es"),
        ("60601 metadona", "60601", ("methadone",), "es"),
        ("naloxona cerca de 10001", "10001", ("naloxone",), "es"),
        ("necesito naloxona en Chicago IL", "Chicago IL", ("naloxone",), "es"),
        ("tiras de fentanilo 10001", "10001", ("fentanyl_test_strips",), "es"),
        ("jeringas 19134", "19134", ("syringe_services",), "es"),
        ("buprenorfina Gallup, NM", "Gallup, NM", ("buprenorphine",), "es"),
        ("ayuda cerca de 59301", "59301", (), "es"),
    ],
)
def test_a_message_reads_as_a_place_and_the_needs_in_its_language(body, place, codes, locale):
    message = read_message(body)
    assert message.kind == "search"
    assert (message.place, message.codes, message.locale) == (place, codes, locale)


@pytest.mark.parametrize(
    ("body", "kind", "locale"),
    [
        ("HELP", "help", "en"),
        ("help", "help", "en"),
        ("Info", "help", "en"),
        ("AYUDA", "help", "es"),
        ("ayuda!", "help", "es"),
        ("", "help", "en"),
        ("   ", "help", "en"),
        ("STOP", "opt", "en"),
        ("stop.", "opt", "en"),
        ("Unsubscribe", "opt", "en"),
        ("START", "opt", "en"),
        ("UNSTOP", "opt", "en"),
        ("cancel", "opt", "en"),
        ("PARAR", "opt", "en"),
    ],
)
def test_keywords_are_answered_as_keywords(body, kind, locale):
    message = read_message(body)
    assert (message.kind, message.locale) == (kind, locale)


def test_a_town_named_like_a_need_is_still_a_town_when_written_with_its_comma():
    assert read_message("Needles, CA").place == "Needles, CA"
    assert read_message("Needles, CA").codes == ()


def test_a_place_that_starts_with_a_small_word_is_offered_whole_as_well():
    readings = [reading.place for reading in read_message("naloxone La Crosse, WI").readings]
    assert "La Crosse, WI" in readings


def test_only_need_words_leave_no_place():
    message = read_message("naloxone")
    assert (message.place, message.codes) == ("", ("naloxone",))


def test_every_need_word_names_a_category_of_the_taxonomy(app):
    categories = taxonomy_index(db.session).codes_of_kind("category")
    named = {code for code, _ in vocabulary().phrases.values()}
    assert named <= set(categories)
    assert {"naloxone", "buprenorphine", "methadone", "syringe_services"} <= named

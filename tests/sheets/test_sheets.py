"""Printable sheets: one page of the nearest places with the law and the helplines, as HTML or
PDF, in English or Spanish; bad input gets the search page's own message."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import time
from pathlib import Path

import pytest

from directory.extensions import db
from directory.models import Phone
from directory.sheets.pdf import StaticFilesOnly, static_folders
from tests.factories import LegalityNoteFactory
from tests.hardening.conftest import build_app, scratch_sqlite_url
from tests.search.helpers import place, save, service

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def add_places(count: int = 14) -> list[tuple[str, str]]:
    """``count`` places north of ZIP 10001, nearest first, with long names and addresses."""
    added = []
    for n in range(count):
        name = f"Site {n:02d} Community Harm Reduction and Health Services Center"
        number = f"212-555-{n:04d}"
        location = place(name, 40.7510 + n * 0.004, -73.9970, service(f"{name} kits"))
        location.address.address_1 = f"{100 + n} West {20 + n}th Street, Suite {n}00"
        location.phones = [Phone(number=number, type="voice")]
        save(location)
        added.append((name, number))
    return added


def add_law() -> None:
    LegalityNoteFactory(state_code="NY", topic="naloxone", status="allowed")
    LegalityNoteFactory(state_code="NY", topic="naloxone", status="allowed", locale="es")
    LegalityNoteFactory(state_code="NY", topic="good_samaritan", status="allowed_with_conditions")
    LegalityNoteFactory(
        state_code="NY", topic="good_samaritan", status="allowed_with_conditions", locale="es"
    )


def poppler(tool: str, *args: str) -> str:
    """What a poppler-utils tool prints about our own PDF file."""
    command = [shutil.which(tool) or tool, *args]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def pdf_text(data: bytes, tmp_path: Path) -> tuple[str, int]:
    """The PDF's text (words joined by single spaces) and its number of pages."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    text = poppler("pdftotext", "-raw", str(path), "-")
    pages = re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(path)))[1]
    return " ".join(text.split()), int(pages)


@needs_poppler
def test_the_pdf_holds_the_twelve_nearest_with_phones_and_the_laws_status_on_one_page(
    client, tmp_path
):
    places = add_places()
    add_law()
    response = client.get("/sheets?near=10001&service=naloxone&format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Set-Cookie" not in response.headers
    text, pages = pdf_text(response.data, tmp_path)
    assert pages == 1
    for name, number in places[:12]:
        assert name in text
        assert number in text
    for name, number in places[12:]:
        assert name not in text
        assert number not in text
    assert "Naloxone: Allowed" in text
    assert (
        "Calling for help during an overdose (Good Samaritan law): Allowed with conditions" in text
    )
    assert "988" in text
    assert "1-800-662-4357" in text
    assert "Printed " in text
    assert "http://localhost/search?near=10001&service=naloxone" in text
    assert "Never verified" in text or "Verified" in text


@needs_poppler
def test_a4_paper_is_a_page_of_a4(client, tmp_path):
    add_places()
    response = client.get("/sheets?near=10001&format=pdf&paper=a4")
    path = tmp_path / "a4.pdf"
    path.write_bytes(response.data)
    info = poppler("pdfinfo", str(path))
    assert "(A4)" in info
    assert re.search(r"Pages:\s+1\b", info)


@needs_poppler
def test_the_sheet_in_spanish(client, tmp_path):
    add_places(3)
    add_law()
    response = client.get("/sheets?near=10001&service=naloxone&format=pdf&lang=es")
    text, pages = pdf_text(response.data, tmp_path)
    assert pages == 1
    assert "Naloxona (Narcan) cerca de" in text
    assert "Naloxona: Permitido" in text
    assert "Impreso el" in text
    assert "lang=es" in text


def test_the_html_sheet_is_print_ready_with_no_script_and_no_cookie(client):
    add_places(3)
    response = client.get("/sheets?near=10001&service=naloxone")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "private" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert "/sheets/static/sheet.css" in page
    assert "format=pdf" in page
    assert "Site 00 Community Harm Reduction" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("near=10001&radius=999", "Choose a distance between 1 and 250 miles."),
        (
            "near=Springfeld%2C+IL",
            "We couldn&#39;t find “Springfeld, IL”. Did you mean one of these?",
        ),
        ("near=10001&service=no_such_need", "Some of the chosen options are not known"),
    ],
)
def test_bad_input_gets_the_same_form_message_as_the_search(client, query, message):
    searched = client.get(f"/search?{query}")
    sheet = client.get(f"/sheets?{query}")
    pdf = client.get(f"/sheets?{query}&format=pdf")
    assert (searched.status_code, sheet.status_code, pdf.status_code) == (422, 422, 422)
    assert message in searched.get_data(as_text=True)
    assert message in sheet.get_data(as_text=True)
    assert pdf.mimetype == "text/html"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("near=10001&format=docx", "Choose a sheet as a web page (html) or a PDF (pdf)."),
        ("near=10001&paper=legal", "Choose Letter or A4 paper."),
        ("service=naloxone", "Enter a ZIP code, city or address to see places near you."),
    ],
)
def test_the_sheets_own_choices_are_checked_too(client, query, message):
    response = client.get(f"/sheets?{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_rendering_loads_the_apps_static_files_and_nothing_else(app):
    fetcher = StaticFilesOnly(static_folders(app))
    sheet_css = fetcher.fetch("http://localhost/sheets/static/sheet.css")
    assert b"@page" in sheet_css.read()
    for url in (
        "https://example.org/font.woff",
        "http://localhost/sheets/static/../../config.py",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
    ):
        with pytest.raises(ValueError, match="only the app's static files"):
            fetcher.fetch(url)


def test_every_results_page_links_to_its_sheet(client):
    add_places(1)
    page = client.get("/search?near=10001&service=naloxone").get_data(as_text=True)
    assert 'href="/sheets?near=10001&amp;service=naloxone"' in page


def test_pdfs_are_limited_more_tightly_than_pages(tmp_path):
    limited = build_app(scratch_sqlite_url(tmp_path), RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.get("/sheets?near=59301&format=pdf").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert client.get("/sheets?near=59301").status_code == 200
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_each_place_shows_its_week_in_one_line(client):
    hours = [("MO,TU,WE,TH,FR", time(9), time(17)), ("SA", time(10), time(14))]
    save(place("Weekday Clinic", 40.7510, -73.9970, hours=hours))
    save(
        place(
            "Round The Clock", 40.7520, -73.9970, hours=[("MO,TU,WE,TH,FR,SA,SU", time(0), time(0))]
        )
    )
    page = client.get("/sheets?near=10001").get_data(as_text=True).replace("\u202f", " ")
    assert "Mon–Fri 9:00 AM–5:00 PM; Sat 10:00 AM–2:00 PM" in page
    assert "Mon–Sun Open 24 hours" in page


@needs_poppler
def test_places_too_long_for_one_page_are_cut_and_the_page_says_so(client, tmp_path):
    for n in range(12):
        name = f"Place {n:02d} " + "with an extraordinarily long official name " * 4
        location = place(name, 40.7510 + n * 0.004, -73.9970, service(f"Kits {n}"))
        location.address.address_1 = "Building " + "and wing " * 20 + str(n)
        save(location)
    text, pages = pdf_text(client.get("/sheets?near=10001&format=pdf").data, tmp_path)
    assert pages == 1
    assert "Place 00" in text
    assert "fit on this page; the whole list is on the web" in text

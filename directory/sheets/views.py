"""``GET /sheets``: parse the search (the page's reader) → search → the sheet, as HTML or PDF."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import abort, current_app, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from directory.extensions import limiter
from directory.i18n import gettext
from directory.search.presenters import today_utc
from directory.search.query_args import SearchForm, read_search_args
from directory.sheets import bp, content

FORMATS = ("html", "pdf")
# A PDF sheet is one page: long names and addresses may leave room for fewer places, not less.
MIN_PLACES = 6
# Paper sizes the sheet is laid out for (CSS named pages in sheet.css).
PAPERS = ("letter", "a4")
FORMAT_MESSAGE = _l("Choose a sheet as a web page (html) or a PDF (pdf).")
PAPER_MESSAGE = _l("Choose Letter or A4 paper.")


# A PDF costs about a second of CPU (bench/sheets.py): fewer of them per client than pages.
PDF_LIMIT = "10 per minute"


def sheet_limit() -> str:
    return current_app.config["SEARCH_PAGE_RATE_LIMIT"]


def not_a_pdf() -> bool:
    return request.args.get("format", "").lower() != "pdf"


def read_sheet_args() -> tuple[SearchForm, str, str]:
    """The search as ``/search`` reads it, plus the sheet's own format and paper size."""
    form = read_search_args(request.args)
    output = request.args.get("format", "html").lower()
    paper = request.args.get("paper", "letter").lower()
    if output not in FORMATS:
        form.errors["format"] = [str(FORMAT_MESSAGE)]
    if paper not in PAPERS:
        form.errors["paper"] = [str(PAPER_MESSAGE)]
    if not form.has_place and not form.errors:
        form.errors["near"] = [gettext("Enter a ZIP code, city or address to see places near you.")]
    return form, output, paper


@bp.get("/sheets")
@limiter.limit(sheet_limit)
@limiter.limit(PDF_LIMIT, exempt_when=not_a_pdf)
def sheet():
    form, output, paper = read_sheet_args()
    if form.errors:
        # The form's message, as /search gives it; a sheet of a search that did not read
        # would only mislead on paper, so even a PDF request gets the page.
        return _private(
            render_template("sheets/sheet.html", form=form, sheet=None, sheet_url=sheet_url), 422
        )
    sheet = content.build_sheet(form, today_utc())

    def page(shown: int = content.PLACES_PER_SHEET, compact: bool = False) -> str:
        return render_template(
            "sheets/sheet.html",
            form=form,
            sheet=sheet,
            shown=shown,
            compact=compact,
            paper=paper,
            hours_summary=content.hours_summary,
            needs_offered=content.needs_offered,
            pdf_url=sheet_url(form, format="pdf", paper=paper),
            paper_urls={size: sheet_url(form, paper=size) for size in PAPERS},
        )

    if output == "pdf":
        response = _private(pdf_of(page, len(sheet.hits)), 200)
        response.mimetype = "application/pdf"
        response.headers["Content-Disposition"] = 'inline; filename="resource-sheet.pdf"'
        return response
    return _private(page(), 200)


def pdf_of(page: Callable[..., str], places: int) -> bytes:
    """The sheet as a one-page PDF: in smaller type if it must, then with fewer places (the
    page then says so). 503 where WeasyPrint's system libraries (pango) are missing, so the
    rest of the directory runs without them (README: what ``make run`` needs)."""
    try:
        from directory.sheets.pdf import render_document
    except OSError:
        abort(503, gettext("PDF sheets are not available on this server; print the page instead."))
    attempts = [(places, False), *((shown, True) for shown in range(places, MIN_PLACES - 1, -1))]
    for shown, compact in attempts:
        document = render_document(current_app, page(shown, compact), request.url_root)
        if len(document.pages) == 1:
            break
    return document.write_pdf()


def sheet_url(form: SearchForm, format: str | None = None, paper: str | None = None, **changes):
    """This sheet's URL with search fields changed, or as a PDF, or on other paper."""
    query = form.as_query(page=None, **changes)
    query += [(name, value) for name, value in (("format", format), ("paper", paper)) if value]
    return url_for("sheets.sheet") + "?" + urlencode(query)


def _private(body, status: int):
    response = make_response(body, status)
    # A sheet says where someone is and what they need: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Accept-Language")
    return response

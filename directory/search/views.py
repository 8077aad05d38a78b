"""Routes of the public pages. Each view: parse input → load (404) → render."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, redirect, render_template, request, url_for

from directory.extensions import db, limiter
from directory.hours import week_table, zone_for
from directory.i18n import current_locale
from directory.models import Suggestion
from directory.search import bp, lookups
from directory.search.about import data_summary
from directory.search.forms import ReportProblemForm
from directory.search.results import QUICK_LINKS, RADIUS_CHOICES, results_page

REPORT_LIMIT = "5 per hour"


@bp.after_request
def vary_by_language(response):
    # Without ?lang= the page's language follows Accept-Language: shared caches must know.
    response.vary.add("Accept-Language")
    return response


@bp.get("/")
def home():
    return render_template(
        "search/home.html", quick_links=QUICK_LINKS, radius_choices=RADIUS_CHOICES
    )


def search_page_limit() -> str:
    return current_app.config["SEARCH_PAGE_RATE_LIMIT"]


@bp.get("/search")
@limiter.limit(search_page_limit)
def results():
    return results_page()


@bp.get("/about")
def about():
    return render_template("search/about.html", data=data_summary())


@bp.get("/organizations")
def organizations():
    return render_template("search/organizations.html")


def _location_or_404(location_id: str):
    parsed = lookups.parse_id(location_id)
    location = lookups.location_for_page(parsed) if parsed else None
    if location is None:
        abort(404)
    return location


@bp.get("/locations/<location_id>")
def location(location_id: str):
    place = _location_or_404(location_id)
    services = lookups.services_at(place)
    now = datetime.now(UTC)
    return render_template(
        "search/location.html",
        location=place,
        services=services,
        week=week_table(place.schedules),
        week_table=week_table,
        status=lookups.location_status(place, services, now),
        today=now.astimezone(_zone(place.timezone)).weekday(),
        now=now,
        reported=request.args.get("reported") == "1",
        claimed=request.args.get("claimed") == "1",
    )


@bp.route("/locations/<location_id>/report", methods=["GET", "POST"])
@limiter.limit(REPORT_LIMIT, methods=["POST"])
def report_problem(location_id: str):
    place = _location_or_404(location_id)
    form = ReportProblemForm()
    if form.validate_on_submit():
        db.session.add(
            Suggestion(location_id=place.id, kind=form.kind.data, message=form.message.data or None)
        )
        db.session.commit()
        # A query flag, not a flashed message: flashing would need the session cookie.
        return redirect(url_for("search.location", location_id=place.id, reported=1))
    status = 422 if form.is_submitted() else 200
    return render_template("search/report.html", location=place, form=form), status


@bp.get("/states/<code>")
def state(code: str):
    overview = lookups.state_overview(code, current_locale())
    if overview is None:
        abort(404)
    return render_template("search/state.html", overview=overview)


def _zone(name: str):
    try:
        return zone_for(name)
    except ValueError:
        return UTC

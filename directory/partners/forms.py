"""Portal forms, and their translation to and from listing documents.

The forms speak the partner's language (a row per weekday, one phone per line); the operations
speak documents (``directory.operations.listings``). The two ``*_values`` functions turn a
submitted form into a document, and ``*_form_data`` fills a form from a listing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from directory.auth.forms import EMAIL, WEB_URL
from directory.geo import STATES
from directory.hours import DAY_CODES
from directory.models.details import PHONE_TYPES
from directory.models.services import SERVICE_STATUSES

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIDNIGHT = time(0, 0)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayHoursForm(Form):
    """One weekday: closed, open all day, or one or two spans (closing earlier = overnight)."""

    mode = SelectField(
        "Open?",
        choices={"closed": "Closed", "open": "Open", "24h": "Open 24 hours"},
        default="closed",
    )
    opens_at = TimeField("Opens", validators=[Optional()])
    closes_at = TimeField("Closes", validators=[Optional()])
    opens_at_2 = TimeField("Opens again", validators=[Optional()])
    closes_at_2 = TimeField("Closes again", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.mode.data == "open" and not (self.opens_at.data and self.closes_at.data):
            self.opens_at.errors = [*self.opens_at.errors, "Give the opening and closing times."]
            ok = False
        if bool(self.opens_at_2.data) != bool(self.closes_at_2.data):
            self.opens_at_2.errors = [*self.opens_at_2.errors, "Give both times or neither."]
            ok = False
        return ok


def _state_choices() -> dict[str, str]:
    return {"": "—"} | {code: name for code, (name, _fips) in sorted(STATES.items())}


class VersionedForm(FlaskForm):
    """An edit form that carries the version of the record it was filled from (its API ETag)
    and the last change the editor saw, so a save over someone else's change is caught."""

    version = HiddenField()
    seen_revision = HiddenField()


class LocationForm(VersionedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=255)])
    alternate_name = StringField("Other name", validators=[Optional(), Length(max=255)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    address_1 = StringField("Street address", validators=[Optional(), Length(max=255)])
    address_2 = StringField("Suite, floor", validators=[Optional(), Length(max=255)])
    city = StringField("City", validators=[Optional(), Length(max=128)])
    state = SelectField("State", choices=_state_choices(), validators=[Optional()])
    postal_code = StringField("ZIP code", validators=[Optional(), Length(min=5, max=10)])
    latitude = DecimalField(
        "Latitude", places=6, validators=[Optional(), NumberRange(min=-90, max=90)]
    )
    longitude = DecimalField(
        "Longitude", places=6, validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    position_description = StringField(
        "Where exactly (for a street corner or a van)", validators=[Optional(), Length(max=500)]
    )
    transportation = TextAreaField("Getting there", validators=[Optional(), Length(max=2000)])
    confidential = BooleanField("Confidential location: hide the address, show the front door")
    front_door = TextAreaField(
        "Front door (phone or intake instructions)", validators=[Optional(), Length(max=2000)]
    )
    phones = TextAreaField(
        "Phones, one per line: number, then optionally a type (voice, text, hotline, tty, fax)",
        validators=[Optional(), Length(max=2000)],
    )
    languages = StringField(
        "Languages spoken (codes, comma-separated: en, es)", validators=[Optional()]
    )
    hours = FieldList(FormField(DayHoursForm), min_entries=7, max_entries=7)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        parts = [self.address_1, self.city, self.state, self.postal_code]
        if any(part.data for part in parts) and not all(part.data for part in parts):
            for part in parts:
                if not part.data:
                    part.errors = [*part.errors, "Needed for a complete address."]
            ok = False
        if (self.latitude.data is None) != (self.longitude.data is None):
            self.latitude.errors = [*self.latitude.errors, "Give both coordinates or none."]
            ok = False
        if self.confidential.data and not (self.front_door.data or "").strip():
            self.front_door.errors = [*self.front_door.errors, "Say how people reach you."]
            ok = False
        return ok


class ServiceForm(VersionedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=255)])
    alternate_name = StringField("Other name", validators=[Optional(), Length(max=255)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    status = SelectField("Status", choices={s: s.replace("_", " ") for s in SERVICE_STATUSES})
    categories = CheckboxesField("Categories", validators=[DataRequired()])
    cost = CheckboxesField("Cost")
    access = CheckboxesField("Access")
    populations = CheckboxesField("Who it is for")
    eligibility_description = TextAreaField("Eligibility", validators=[Optional()])
    application_process = TextAreaField("What to expect", validators=[Optional()])
    fees_description = TextAreaField("Fees", validators=[Optional()])
    url = URLField("Web page", validators=[Optional(), URL(), WEB_URL, Length(max=500)])
    email = EmailField("Email", validators=[Optional(), EMAIL, Length(max=255)])
    languages = StringField("Languages (codes, comma-separated)", validators=[Optional()])
    phones = TextAreaField("Phones, one per line: number, then optionally a type")
    location_ids = CheckboxesField("Offered at")
    service_areas = TextAreaField(
        "Areas served by mail, phone or online, one per line: reach, then nationwide, a state "
        "(NY), a county (NY:Kings) or a ZIP (10001) — e.g. “mail NY”",
        validators=[Optional(), Length(max=5000)],
    )


class BulkUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired(), FileAllowed(["csv"], "A .csv file")])


class BulkApplyForm(FlaskForm):
    csv_text = TextAreaField(validators=[DataRequired()])


class JoinForm(FlaskForm):
    """A new organization asks to be listed; an admin reviews it."""

    name = StringField("Organization name", validators=[DataRequired(), Length(max=255)])
    website = URLField("Web site", validators=[Optional(), URL(), WEB_URL, Length(max=500)])
    description = TextAreaField("What you offer", validators=[Optional(), Length(max=5000)])
    contact_name = StringField("Your name", validators=[DataRequired(), Length(max=255)])
    contact_email = EmailField("Your email", validators=[DataRequired(), EMAIL, Length(max=255)])


# --- translation -----------------------------------------------------------------------------


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_phones(text: str | None) -> list[dict[str, Any]]:
    phones = []
    for line in _lines(text):
        number, _, kind = line.rpartition(" ")
        if kind.lower() not in PHONE_TYPES:
            number, kind = line, "voice"
        phones.append({"number": number.strip(), "type": kind.lower()})
    return phones


def format_phones(phones: list[dict[str, Any]]) -> str:
    return "\n".join(
        p["number"] + ("" if p["type"] == "voice" else f" {p['type']}") for p in phones
    )


def parse_languages(text: str | None) -> list[str]:
    return [code.strip().lower() for code in (text or "").split(",") if code.strip()]


def parse_service_areas(text: str | None) -> list[dict[str, Any]]:
    areas = []
    for line in _lines(text):
        reach, _, where = line.partition(" ")
        where = where.strip()
        if where.lower() in {"", "nationwide", "us", "usa"}:
            extent, code = "nationwide", None
        elif ":" in where:
            extent, code = "county", where
        elif where.isdigit():
            extent, code = "postal_code", where
        else:
            extent, code = "state", where.upper()
        areas.append({"reach": reach.lower(), "extent_type": extent, "code": code})
    return areas


def format_service_areas(areas: list[dict[str, Any]]) -> str:
    return "\n".join(f"{a['reach']} {a['code'] or 'nationwide'}" for a in areas)


def hours_to_schedules(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seven weekday rows → schedule documents, one per distinct span, days grouped."""
    spans: dict[tuple[time, time], list[str]] = defaultdict(list)
    for code, day in zip(DAY_CODES, days, strict=True):
        if day["mode"] == "24h":
            spans[(MIDNIGHT, MIDNIGHT)].append(code)
        elif day["mode"] == "open":
            spans[(day["opens_at"], day["closes_at"])].append(code)
            if day.get("opens_at_2") and day.get("closes_at_2"):
                spans[(day["opens_at_2"], day["closes_at_2"])].append(code)
    return [
        {
            "byday": ",".join(codes),
            "opens_at": opens.strftime("%H:%M"),
            "closes_at": closes.strftime("%H:%M"),
        }
        for (opens, closes), codes in sorted(spans.items())
    ]


def schedules_to_hours(schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schedule documents → seven weekday rows for the form (up to two spans a day)."""
    by_day: list[list[tuple[time, time]]] = [[] for _ in DAY_CODES]
    for row in schedules:
        for code in row["byday"].split(","):
            by_day[DAY_CODES.index(code)].append(
                (time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"]))
            )
    days = []
    for spans in by_day:
        spans.sort()
        if not spans:
            days.append({"mode": "closed"})
        elif spans[0] == (MIDNIGHT, MIDNIGHT):
            days.append({"mode": "24h"})
        else:
            day = {"mode": "open", "opens_at": spans[0][0], "closes_at": spans[0][1]}
            if len(spans) > 1:
                day.update(opens_at_2=spans[1][0], closes_at_2=spans[1][1])
            days.append(day)
    return days


def location_values(form: LocationForm) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.name.data.strip(),
        "alternate_name": form.alternate_name.data or None,
        "description": form.description.data or None,
        "transportation": form.transportation.data or None,
        "position_description": form.position_description.data or None,
        "confidential": form.confidential.data,
        "front_door": form.front_door.data or None,
        "phones": parse_phones(form.phones.data),
        "languages": parse_languages(form.languages.data),
        "schedules": hours_to_schedules([day.data for day in form.hours]),
    }
    if form.address_1.data:
        values["address"] = {
            "address_1": form.address_1.data,
            "address_2": form.address_2.data or None,
            "city": form.city.data,
            "region": None,
            "state": form.state.data,
            "postal_code": form.postal_code.data,
        }
    if form.latitude.data is not None:
        values["latitude"] = float(form.latitude.data)
        values["longitude"] = float(form.longitude.data)
    return values


def location_form_data(doc: dict[str, Any]) -> dict[str, Any]:
    address = doc.get("address") or {}
    exact = doc.get("precision") == "exact"
    return {
        **{key: doc.get(key) for key in LocationForm.__dict__ if key in doc},
        **{key: address.get(key) for key in ("address_1", "address_2", "city", "state")},
        "postal_code": address.get("postal_code"),
        # ZIP-centroid coordinates are not shown as if the partner had entered them.
        "latitude": doc.get("latitude") if exact else None,
        "longitude": doc.get("longitude") if exact else None,
        "phones": format_phones(doc.get("phones", [])),
        "languages": ", ".join(doc.get("languages", [])),
        "hours": schedules_to_hours(doc.get("schedules", [])),
    }


def service_values(form: ServiceForm) -> dict[str, Any]:
    return {
        "name": form.name.data.strip(),
        "alternate_name": form.alternate_name.data or None,
        "description": form.description.data or None,
        "status": form.status.data,
        "categories": sorted(
            {*form.categories.data, *form.cost.data, *form.access.data, *form.populations.data}
        ),
        "eligibility_description": form.eligibility_description.data or None,
        "application_process": form.application_process.data or None,
        "fees_description": form.fees_description.data or None,
        "url": form.url.data or None,
        "email": form.email.data or None,
        "languages": parse_languages(form.languages.data),
        "phones": parse_phones(form.phones.data),
        "location_ids": list(form.location_ids.data),
        "service_areas": parse_service_areas(form.service_areas.data),
    }


def service_form_data(doc: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """``kinds`` maps each taxonomy code to its kind (category, cost, access, population)."""
    codes = doc.get("categories", [])
    return {
        **{key: doc.get(key) for key in ServiceForm.__dict__ if key in doc},
        "categories": [c for c in codes if kinds.get(c) == "category"],
        "cost": [c for c in codes if kinds.get(c) == "cost"],
        "access": [c for c in codes if kinds.get(c) == "access"],
        "populations": [c for c in codes if kinds.get(c) == "population"],
        "languages": ", ".join(doc.get("languages", [])),
        "phones": format_phones(doc.get("phones", [])),
        "location_ids": doc.get("location_ids", []),
        "service_areas": format_service_areas(doc.get("service_areas", [])),
    }

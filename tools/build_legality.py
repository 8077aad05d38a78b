"""Build the state legality notes in ``seed/legality/<ST>.json`` from public law datasets.

Run by hand from the repository root (``.venv/bin/python tools/build_legality.py``); it reads
``../shared/data/law`` and needs ``openpyxl`` for the LawAtlas workbook. Its output is committed,
so the product and its tests never touch ``../shared``.

Two steps:

1. Copy the small structured datasets the notes are built from into ``seed/law/`` (the LawAtlas
   syringe table is re-read from the workbook's text sheet, because four rows of the shared CSV
   are shifted by a column).
2. Build one note per jurisdiction and topic from those copies, then replace the notes that newer
   law supersedes with the hand-curated rows in ``seed/legality/_curated/overrides.csv`` (each row
   carries its own source and date). Citations the datasets write in shorthand or garble
   ("NY Statute 220-03") are written out from ``_curated/citation_fixes.csv``. How each note
   reads, and the facts that decide whole topics, are in ``tools/legality_notes.py``.
3. Apply the reviews: every row of every ``seed/legality/_curated/review_2026/*.csv``. An
   ``updated`` row replaces the note's status, citation, source, ``law_as_of`` and summaries; every
   row, ``kept`` or ``updated``, sets the note's ``reviewed_at`` and ``sources_checked`` (what the
   reviewer read, so the next review starts there). A row for an unknown state or topic, a second
   row for the same note, or an ``updated`` row without a source URL, a ``law_as_of`` or a summary
   in both languages stops the build.

Review the diff of ``seed/legality`` after every run; see ``docs/legality-method.md``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import openpyxl
from legality_notes import LAWATLAS_DATE, TOPICS, Note, Place, build_note

ROOT = Path(__file__).resolve().parents[1]
SHARED_LAW = ROOT.parent / "shared" / "data" / "law"
SEED_LAW = ROOT / "seed" / "law"
SEED_LEGALITY = ROOT / "seed" / "legality"
OVERRIDES = SEED_LEGALITY / "_curated" / "overrides.csv"
REVIEWS = SEED_LEGALITY / "_curated" / "review_2026"
STATUSES = ("allowed", "allowed_with_conditions", "prohibited", "unclear")
REVIEW_COLUMNS = (
    "state",
    "topic",
    "outcome",
    "status",
    "citation",
    "source_name",
    "source_url",
    "law_as_of",
    "summary_en",
    "summary_es",
    "sources_checked",
    "reviewed_at",
    "change_note",
)

GOOD_SAMARITAN_CSV = "good_samaritan_latest_by_state_PDAPS_asof_2021-06-01.csv"
NALOXONE_CSV = "naloxone_access_latest_by_state_PDAPS_asof_2017-07-01.csv"
SSP_2019_CSV = "state_harm_reduction_laws_OEPS_OPTIC_Burris2019.csv"
SYRINGE_CSV = "syringe_possession_latest_by_state_LawAtlas_asof_2017-07-01.csv"
SYRINGE_XLSX = "LawAtlas_Syringe_Possession_2017-07-01.xlsx"


def main() -> None:
    """Refresh ``seed/law`` from ``../shared`` and rewrite every ``seed/legality/<ST>.json``."""
    copy_datasets()
    places = read_places()
    data = {
        "gsl": by_state(SEED_LAW / GOOD_SAMARITAN_CSV),
        "naloxone": by_state(SEED_LAW / NALOXONE_CSV),
        "ssp": by_state(SEED_LAW / SSP_2019_CSV),
        "syringe": by_state(SEED_LAW / SYRINGE_CSV),
    }
    overrides = read_overrides()
    known = {(p.code, t) for p in places for t in TOPICS}
    reviews = read_reviews(known)
    for place in places:
        notes = [build_note(topic, place, data) for topic in TOPICS]
        notes = [overrides.get((place.code, note.topic), note) for note in notes]
        notes = [apply_review(note, reviews.get((place.code, note.topic))) for note in notes]
        if gaps := [note.topic for note in notes if not note.source_url]:
            raise SystemExit(f"{place.code}: no dataset or curated row for {gaps}")
        write_state(place, notes)
    unused = set(overrides) - known
    if unused:
        raise SystemExit(f"curated rows for unknown state/topic: {sorted(unused)}")
    updated = sum(row["outcome"] == "updated" for row in reviews.values())
    print(
        f"wrote {len(places)} files to {SEED_LEGALITY.relative_to(ROOT)}; "
        f"applied {len(reviews)} review rows ({updated} updated)"
    )


# --- step 1: the datasets ----------------------------------------------------------------------


def copy_datasets() -> None:
    """Copy the CSVs as published, and rebuild the LawAtlas table from the workbook's text sheet."""
    SEED_LAW.mkdir(parents=True, exist_ok=True)
    for name in (GOOD_SAMARITAN_CSV, NALOXONE_CSV, SSP_2019_CSV):
        shutil.copyfile(SHARED_LAW / name, SEED_LAW / name)
    codes = {place.name: place.code for place in read_places()}
    sheet = openpyxl.load_workbook(SHARED_LAW / SYRINGE_XLSX, read_only=True)["Summary"]
    header, *rows = sheet.iter_rows(values_only=True)
    latest = [
        dict(zip(header, row, strict=True))
        for row in rows
        if str(row[header.index("Valid Through Date")]).startswith(LAWATLAS_DATE)
    ]
    with (SEED_LAW / SYRINGE_CSV).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["state_abbr", *header])
        for record in sorted(latest, key=lambda r: codes[r["Jurisdiction"]]):
            writer.writerow([codes[record["Jurisdiction"]], *(cell(v) for v in record.values())])


def cell(value: object) -> str:
    """A workbook cell as one line of text (dates as ISO dates, blanks as empty strings)."""
    if value is None:
        return ""
    text = value.date().isoformat() if hasattr(value, "date") else str(value)
    return " ".join(text.split())


def read_places() -> list[Place]:
    with (ROOT / "seed" / "states.csv").open(encoding="utf-8") as fh:
        return [Place(r["code"], r["name"], r["name_es"]) for r in csv.DictReader(fh)]


def by_state(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return {row["state_abbr"]: row for row in csv.DictReader(fh)}


def read_overrides() -> dict[tuple[str, str], Note]:
    with OVERRIDES.open(encoding="utf-8") as fh:
        return {
            (row["state"], row["topic"]): Note(
                topic=row["topic"],
                status=row["status"],
                summary={"en": row["summary_en"], "es": row["summary_es"]},
                citation=row["citation"] or None,
                source_name=row["source_name"],
                source_url=row["source_url"],
                law_as_of=row["law_as_of"],
            )
            for row in csv.DictReader(fh)
        }


# --- step 3: the reviews -------------------------------------------------------------------------


def read_reviews(known: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Every row of every review file, by (state, topic); refuses rows the build cannot apply."""
    reviews: dict[tuple[str, str], dict[str, str]] = {}
    for path in sorted(REVIEWS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if missing := [c for c in REVIEW_COLUMNS if c not in (reader.fieldnames or [])]:
                raise SystemExit(f"{path.name}: missing columns {missing}")
            for line, row in enumerate(reader, start=2):
                row = {key: (value or "").strip() for key, value in row.items() if key}
                where = f"{path.name} line {line} ({row['state']} {row['topic']})"
                key = (row["state"], row["topic"])
                if key not in known:
                    raise SystemExit(f"{where}: no such state/topic")
                if key in reviews:
                    raise SystemExit(f"{where}: a second review row for this note")
                check_review_row(row, where)
                reviews[key] = row
    return reviews


def check_review_row(row: dict[str, str], where: str) -> None:
    if row["outcome"] not in ("kept", "updated"):
        raise SystemExit(f"{where}: outcome must be 'kept' or 'updated', not {row['outcome']!r}")
    if not is_iso_date(row["reviewed_at"]):
        raise SystemExit(f"{where}: reviewed_at must be a date (YYYY-MM-DD)")
    if row["outcome"] == "kept":
        return
    if row["status"] not in STATUSES:
        raise SystemExit(f"{where}: status must be one of {STATUSES}, not {row['status']!r}")
    for column in ("source_name", "source_url", "summary_en", "summary_es"):
        if not row[column]:
            raise SystemExit(f"{where}: an updated row needs {column}")
    if not row["source_url"].startswith("https://"):
        raise SystemExit(f"{where}: source_url must be an https:// address")
    # The database columns' sizes (directory/models/states.py).
    if len(row["source_name"]) > 255 or len(row["source_url"]) > 500:
        raise SystemExit(f"{where}: source_name over 255 or source_url over 500 characters")
    if not is_iso_date(row["law_as_of"]):
        raise SystemExit(f"{where}: an updated row needs law_as_of as a date (YYYY-MM-DD)")


def is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def apply_review(note: Note, row: dict[str, str] | None) -> Note:
    """The note as the review left it: replaced by an ``updated`` row, dated by every row."""
    if row is None:
        return note
    reviewed = replace(
        note,
        reviewed_at=row["reviewed_at"],
        sources_checked=parse_sources_checked(row["sources_checked"]),
    )
    if row["outcome"] == "kept":
        return reviewed
    return replace(
        reviewed,
        status=row["status"],
        summary={"en": row["summary_en"], "es": row["summary_es"]},
        citation=row["citation"] or None,
        source_name=row["source_name"],
        source_url=row["source_url"],
        law_as_of=row["law_as_of"],
    )


def parse_sources_checked(text: str) -> list[dict[str, str | None]]:
    """``URL (what it says, its date); URL (…)`` as ``[{"url", "note"}]``: split at the semicolons
    outside parentheses (the notes may hold their own); an item without an address is kept as a
    note with a null url."""
    items, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth <= 0:
            items.append("".join(current))
            current, depth = [], 0
        else:
            current.append(char)
    items.append("".join(current))
    sources: list[dict[str, str | None]] = []
    for item in (item.strip() for item in items):
        if not item:
            continue
        url, rest = None, item
        if item.startswith(("https://", "http://")):
            url, _, rest = item.partition(" ")
            url = url.rstrip(",")
        rest = rest.strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1].strip()
        sources.append({"url": url, "note": rest})
    return sources


def write_state(place: Place, notes: list[Note]) -> None:
    document = {
        "state": place.code,
        "name": place.name,
        "notes": [asdict(note) for note in notes],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    (SEED_LEGALITY / f"{place.code}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

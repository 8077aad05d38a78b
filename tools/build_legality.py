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

Review the diff of ``seed/legality`` after every run; see ``docs/legality-method.md``.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import openpyxl
from legality_notes import LAWATLAS_DATE, TOPICS, Note, Place, build_note

ROOT = Path(__file__).resolve().parents[1]
SHARED_LAW = ROOT.parent / "shared" / "data" / "law"
SEED_LAW = ROOT / "seed" / "law"
SEED_LEGALITY = ROOT / "seed" / "legality"
OVERRIDES = SEED_LEGALITY / "_curated" / "overrides.csv"

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
    for place in places:
        notes = [build_note(topic, place, data) for topic in TOPICS]
        notes = [overrides.get((place.code, note.topic), note) for note in notes]
        if gaps := [note.topic for note in notes if not note.source_url]:
            raise SystemExit(f"{place.code}: no dataset or curated row for {gaps}")
        write_state(place, notes)
    unused = set(overrides) - {(p.code, t) for p in places for t in TOPICS}
    if unused:
        raise SystemExit(f"curated rows for unknown state/topic: {sorted(unused)}")
    print(f"wrote {len(places)} files to {SEED_LEGALITY.relative_to(ROOT)}")


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

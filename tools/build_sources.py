"""Convert the reference lists in ../shared/data into seed/sources/data (run by hand).

    .venv/bin/python tools/build_sources.py [SHARED_DATA_DIR]

The product never reads ../shared: this script's output is committed, and seed/sources/README.md
says what each file is and what was cleaned. Each converter prints what it changed or left out.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.geo import haversine_miles
from directory.geo.index import get_index, place_key

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "seed" / "sources" / "data"
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT.parent / "shared" / "data"


def write_csv(
    name: str, header: list[str], rows: Iterable[list[str]], encoding: str = "utf-8"
) -> int:
    """Write a CSV (gzip-compressed when the name ends in .gz, with a fixed mtime)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    data = buffer.getvalue().encode(encoding)
    path = OUT / name
    if name.endswith(".gz"):
        # mtime=0 keeps the file byte-identical from run to run, so git sees no change.
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    print(f"{name}: {count} rows")
    return count


def padded_zip(text: str) -> str:
    """ZIPs that lost their leading zeros in a spreadsheet (6708 → 06708); ZIP+4 kept."""
    text = text.strip()
    head, _, tail = text.partition("-")
    if head.isdigit() and 3 <= len(head) < 5:
        head = head.zfill(5)
    return f"{head}-{tail}" if tail else head


def copy_zip_padded(source: Path, name: str, zip_column: str, encoding: str = "utf-8") -> None:
    with source.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    fixed = 0
    for row in rows:
        padded = padded_zip(row[zip_column])
        fixed += padded != row[zip_column]
        row[zip_column] = padded
    print(f"{name}: {fixed} ZIPs given back their leading zeros")
    write_csv(name, header, ([row[c] for c in header] for row in rows), encoding)


def samhsa() -> None:
    folder = SHARED / "samhsa"
    copy_zip_padded(folder / "SubstanceUseTreatment_Geocoded.csv", "samhsa_treatment.csv.gz", "zip")
    copy_zip_padded(folder / "moud_providers_us_2020-09_CLEAN.csv", "samhsa_moud.csv.gz", "zip")
    copy_zip_padded(
        folder / "OpioidTreatmentProgram_Geocoded.csv",
        "samhsa_otp.csv.gz",
        "POSTAL",
        encoding="latin-1",
    )
    mental_health(folder / "MentalHealthProviders_Geocoded.csv")


def mental_health(source: Path) -> None:
    """SAMHSA locator mental-health facilities: name the unnamed row-number column, pad ZIPs."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = ["row" if name == "" else name for name in reader.fieldnames or []]
        rows = [[row[""] if name == "row" else row[name] for name in header] for row in reader]
    zip_at = header.index("zip")
    for row in rows:
        row[zip_at] = padded_zip(row[zip_at])
    write_csv("samhsa_mental_health.csv.gz", header, rows)


def ny_esap() -> None:
    folder = SHARED / "harm_reduction"
    pharmacies = json.loads((folder / "ny_esap_pharmacies.json").read_text(encoding="utf-8"))
    facilities = json.loads(
        (folder / "ny_esap_healthcareFacilities.json").read_text(encoding="utf-8")
    )
    rows = [
        [
            "pharmacy",
            str(p["ID"]),
            p["County"],
            p["PHARMACY NAME"],
            p["ADDRESS"],
            p["CITY"],
            str(p["ZIP CODE"]).zfill(5),
            p["PHONE NUMBER"],
        ]
        for p in pharmacies["pharmacies"]
    ] + [
        [
            "health care facility",
            str(f["ID"]),
            f["County"],
            f["HEALTH CARE FACILITY NAME"],
            f["ADDRESS"],
            f["CITY"],
            str(f["ZIP CODE"]).zfill(5),
            f["PHONE NUMBER"],
        ]
        for f in facilities["healthcare_facilities"]
    ]
    header = ["kind", "id", "county", "name", "address", "city", "zip", "phone"]
    write_csv("ny_esap.csv.gz", header, ([" ".join(v.split()) for v in r] for r in rows))


def nj_naloxone() -> None:
    """Fix the ZIPs a spreadsheet autofill corrupted, trusting the geocoded coordinates."""
    index = get_index()
    zips_by_city: dict[str, list] = {}
    for record in index.zips.values():
        if record.state == "NJ":
            zips_by_city.setdefault(record.city.casefold(), []).append(record)
    path = SHARED / "harm_reduction" / "nj_naloxone_pharmacies_geocoded.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out, previous, fixes = [], None, []
    for row in rows:
        address = " ".join(row["ADDRESS"].replace(" ,", ",").split())
        listed = row["ZIP"].strip().zfill(5)
        lat, lng = float(row["Latitude"]), float(row["Longitude"])
        if not listed.isdigit() or (lat == 0 and lng == 0):
            print(
                f"  NJ naloxone ID {row['ID']}: left out (no coordinates; ZIP column holds "
                f"{row['ZIP'].strip()!r})"
            )
            previous = None
            continue
        record = index.zips.get(listed)
        city = row["CITY"].strip()
        climbs = previous is not None and int(listed) == int(previous) + 1
        far = record is None or (
            record.city.casefold() != city.casefold()
            and haversine_miles(lat, lng, record.lat, record.lng) > 8
        )
        zip_code, note = listed, ""
        if climbs or far:
            zip_code = nearest_zip(index, zips_by_city.get(city.casefold(), []), lat, lng)
            if zip_code != listed:
                why = "autofill (climbs by one from the row above)" if climbs else "far away"
                note = f"listed ZIP {listed} replaced from coordinates: {why}"
                fixes.append(note)
        previous = listed
        out.append(
            [
                row["ID"].strip(),
                address,
                city,
                row["ST"].strip(),
                zip_code,
                listed,
                row["Latitude"],
                row["Longitude"],
                row["Match Score"],
                note,
            ]
        )
    print(f"  NJ naloxone: {len(fixes)} ZIPs replaced from coordinates")
    header = [
        "id",
        "address",
        "city",
        "state",
        "zip",
        "listed_zip",
        "latitude",
        "longitude",
        "match_score",
        "zip_note",
    ]
    write_csv("nj_naloxone_pharmacies.csv.gz", header, out)


def nearest_zip(index, same_city: list, lat: float, lng: float) -> str:
    """The nearest ZIP centroid of the row's own town within 10 miles, else the nearest ZIP."""
    close = [
        (haversine_miles(lat, lng, record.lat, record.lng), record.code) for record in same_city
    ]
    close = [pair for pair in close if pair[0] <= 10]
    if close:
        return min(close)[1]
    return index.nearest_zip(lat, lng, 60)[0].code


def nj_syringe() -> None:
    copy_zip_padded(
        SHARED / "harm_reduction" / "nj_syringe_exchange_geocoded.csv",
        "nj_syringe_access.csv",
        "ZIP",
    )


PHILLY_HQ = "2913-15 Kensington Ave"


def philly() -> None:
    """Places only: the headquarters (one place, five weekday rows) and mobile stops with
    coordinates; programs, partners and stops without coordinates are left out."""
    path = SHARED / "harm_reduction" / "philly_prevention_point_sep_sites.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hq = [r for r in rows if r["site_name"].startswith("Headquarters")]
    hq_point = next(r for r in hq if r["lat"])
    days = "; ".join(
        f"{r['site_name'].split(' - ')[1]}: {r['description'].strip()}"
        for r in sorted(hq, key=lambda r: int(r["site_id"]))
    )
    out = [
        [
            "headquarters",
            "Prevention Point Philadelphia",
            PHILLY_HQ,
            "",
            "19134",
            hq_point["lat"],
            hq_point["lng"],
            "exact",
            f"Syringe exchange headquarters. Days as listed in 2020 — {days}.",
        ]
    ]
    for row in rows:
        if row["site_name"] == "Mobile":
            corner = row["site_location"].strip()
            if not row["lat"]:
                print(f"  Philly site {row['site_id']} ({corner}): left out, no coordinates")
                continue
            out.append(
                [
                    f"mobile:{corner}",
                    f"Prevention Point Philadelphia mobile exchange — {corner}",
                    "",
                    f"{corner} (street corner; mobile site)",
                    row["zip"].strip(),
                    row["lat"],
                    row["lng"],
                    "intersection",
                    "Mobile syringe exchange stop at a street corner.",
                ]
            )
        elif not row["site_name"].startswith("Headquarters"):
            print(
                f"  Philly site {row['site_id']} ({row['site_name']}: "
                f"{row['site_location']}): left out, a program or partner, not a place"
            )
    header = [
        "site",
        "name",
        "address",
        "position_description",
        "zip",
        "latitude",
        "longitude",
        "precision",
        "description",
    ]
    write_csv("philly_prevention_point.csv", header, out)


def vending() -> None:
    """Only rows whose name, street address and ZIP are complete and agree with each other."""
    index = get_index()
    path = SHARED / "harm_reduction" / "naloxone_vending_machines_from_pages.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for line, row in enumerate(rows, start=2):
        record = index.zips.get(row["zip"].strip())
        reason = None
        if row["name"].startswith("(") or not row["name"].strip():
            reason = "no name"
        elif not row["address"].strip():
            reason = "no street address"
        elif not row["source_url"].startswith("http"):
            reason = "no page of its own"
        elif "verify" in row["notes"]:
            reason = "the transcriber asked for it to be verified"
        elif record is None:
            reason = "no ZIP and no coordinates: cannot be placed without guessing"
        elif record.state != row["state"] or place_key(record.city) != place_key(row["city"]):
            reason = f"ZIP {row['zip']} is {record.city}, {record.state}, not {row['city']}"
        if reason:
            print(f"  vending line {line} ({row['name']}, {row['city']}): left out, {reason}")
            continue
        out.append(
            [
                row["name"],
                row["address"],
                row["city"],
                row["state"],
                row["zip"],
                row["services"],
                row["source_url"],
                row["source_date"],
            ]
        )
    header = ["name", "address", "city", "state", "zip", "services", "source_url", "source_date"]
    write_csv("naloxone_vending_machines.csv", header, out)


# SAMHSA's National Directories, copied byte for byte: the mappings read the published
# workbooks as they are, so a newer edition can be dropped in unchanged.
SAMHSA_DIRECTORIES = (
    "national-directory-su-facilities-2023.xlsx",
    "national-directory-mh-facilities-2024.xlsx",
)


def samhsa_directories() -> None:
    for name in SAMHSA_DIRECTORIES:
        shutil.copyfile(SHARED / "samhsa_directories" / name, OUT / name)
        print(f"{name}: copied unchanged")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    samhsa()
    samhsa_directories()
    ny_esap()
    nj_naloxone()
    nj_syringe()
    philly()
    vending()

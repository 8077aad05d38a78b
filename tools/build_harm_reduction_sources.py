"""Convert ../shared/data/harm_reduction_2026 into seed/sources/data (run by hand).

    .venv/bin/python tools/build_harm_reduction_sources.py [SHARED_DATA_DIR]

Writes one CSV per source, all with the same columns, so each mapping file
(seed/sources/<name>.toml) only names them. The product never reads ../shared: this script's
output is committed, and seed/sources/README.md says what each file is, where it came from, its
licence and what was cleaned or left out. Each converter prints the rows it left out and why.

Lead lists (rows transcribed from pages, a secondary owner list) are published only for the rows
named in ``CONFIRMED`` below: each of those was checked against a stored public page, whose
address and reading date go into the row (``confirm_url``, ``confirm_date``).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.geo import place_at

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "seed" / "sources" / "data"
SHARED = (
    Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT.parent / "shared" / "data"
) / "harm_reduction_2026"

HEADER = [
    "key",
    "name",
    "address",
    "position_description",
    "city",
    "state",
    "zip",
    "latitude",
    "longitude",
    "phone",
    "website",
    "service_url",
    "services",
    "service_description",
    "open_24_7",
    "confirm_url",
    "confirm_date",
]
_ZIP_AT_END = re.compile(r"\b(\d{5})\s*$")
_BREAKS = re.compile(r"\s*(?:<br\s*/?>|\n)+\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# The Rhode Island list's stand-in for "no coordinates": the middle of the state.
RI_PLACEHOLDER = (-71.559148550, 41.674239030)


def clean(text: object) -> str:
    """One line of text: breaks become "; ", a mis-decoded dash becomes a dash."""
    value = "" if text is None else str(text)
    value = value.replace("ï¿½", "–").replace("\ufffd", "–")
    value = _BREAKS.sub("; ", value.strip())
    return _SPACES.sub(" ", value).strip(" ;")


def is_24_7(hours: str) -> bool:
    text = hours.casefold().replace(" ", "")
    return text in {"24hrs", "24hours", "open24hours", "24/7", "24hrs/7days"}


def hours_sentence(hours: str) -> str:
    if not hours:
        return "Hours not listed."
    if is_24_7(hours):
        return "Open 24 hours (as listed)."
    return f"Hours as listed: {hours.rstrip('.')}."


def write(name: str, rows: Iterable[dict[str, str]]) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, HEADER, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in HEADER})
        count += 1
    (OUT / name).write_text(buffer.getvalue(), encoding="utf-8")
    print(f"{name}: {count} rows")
    return count


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def left_out(source: str, line: int, name: str, reason: str) -> None:
    print(f"  {source} line {line} ({name}): left out, {reason}")


# ---------------------------------------------------------------- official lists


def detroit() -> list[dict[str, str]]:
    rows = []
    path = SHARED / "mi_detroit_wayne_oakland" / "detroit_dhd_harm_reduction_stations.csv"
    for raw in read_csv(path):
        hours = clean(raw["hours"])
        device = clean(raw["device_type"]).lower()
        placed = clean(raw["box_location"]).lower()
        where = device if placed in ("", "unknown") else f"{device}, {placed}"
        phone = "" if raw["phone"].strip().upper() in ("N/A", "NA") else clean(raw["phone"])
        kind = "a vending machine" if "vending" in device else f"a {device} box"
        rows.append(
            {
                "key": f"{raw['name']}|{raw['address']}",
                "name": clean(raw["name"]),
                "address": clean(raw["address"]),
                "position_description": f"Naloxone {where}",
                "city": clean(raw["city"]),
                "state": raw["state"],
                "latitude": raw["lat"],
                "longitude": raw["lon"],
                "phone": phone,
                "website": clean(raw["website"]),
                "services": "naloxone",
                "open_24_7": "yes" if is_24_7(hours) else "",
                "service_description": (
                    f"Free naloxone from {kind} ({clean(raw['business_type']).lower()}). "
                    f"{hours_sentence(hours)} From the Detroit Health Department's harm "
                    f"reduction station list, edited {raw['source_last_edited']}; not verified "
                    "since."
                ),
            }
        )
    return rows


def wayne() -> list[dict[str, str]]:
    rows = []
    path = SHARED / "mi_detroit_wayne_oakland" / "wayne_county_well_wayne_stations.csv"
    for raw in read_csv(path):
        flag = raw["access_24_7"].strip()
        if flag == "Yes":
            hours = "Open 24 hours (as listed)."
        elif flag == "No":
            hours = "Not open around the clock: usually weekday business hours (as listed)."
        elif "," in flag:
            flags = [part.strip() for part in flag.split(",")]
            hours = (
                f"{flags.count('Yes')} of its {len(flags)} boxes open 24 hours, the others not "
                "(as listed)."
            )
        else:
            hours = f"Hours as listed: {clean(raw['hours']) or 'not given'}."
        station = clean(raw["station_type"]).lower()
        rows.append(
            {
                "key": f"{raw['name']}|{raw['lat']}|{raw['lon']}",
                "name": clean(raw["name"]),
                # The list gives no street address: the box's place at the named site stands in.
                "address": "",
                "position_description": clean(raw["box_location"]) or "Well Wayne station",
                "city": clean(raw["city"]),
                "state": raw["state"],
                "latitude": raw["lat"],
                "longitude": raw["lon"],
                "website": clean(raw["website"]),
                "services": "naloxone;fentanyl_test_strips;xylazine_test_strips",
                "open_24_7": "yes" if flag == "Yes" else "",
                "service_description": (
                    f"A Well Wayne station ({station}): free naloxone (Narcan), fentanyl test "
                    f"strips and xylazine test strips. {hours} From Wayne County Health, Human "
                    f"and Veterans Services' Well Wayne station map, {raw['source_last_edited']}; "
                    "not verified since. The list gives no street address: the pin is the "
                    "station's."
                ),
            }
        )
    return rows


def oakland() -> list[dict[str, str]]:
    rows = []
    path = SHARED / "mi_detroit_wayne_oakland" / "oakland_county_narcan_save_a_life_boxes.csv"
    for raw in read_csv(path):
        placement = clean(raw["placement"])
        rows.append(
            {
                "key": f"{raw['name']}|{raw['address']}",
                "name": clean(raw["name"]),
                "address": clean(raw["address"]),
                "position_description": (
                    f"Save a Life box, {placement}" if placement else "Save a Life box"
                ),
                "city": clean(raw["city"]),
                "state": raw["state"],
                "zip": raw["zip"].strip(),
                "latitude": raw["lat"],
                "longitude": raw["lon"],
                "phone": clean(raw["phone"]),
                "website": clean(raw["website"]),
                "services": "naloxone",
                "service_description": (
                    "Free naloxone (Narcan) from a Save a Life box"
                    + (f" ({placement})" if placement else "")
                    + f", stocked by {clean(raw['distributor'])}. Hours not listed. From Oakland "
                    f"County's Narcan Locations map, {raw['source_last_edited']}; not verified "
                    "since."
                ),
            }
        )
    return rows


# Orange County's addresses run "street, city[, NY] ZIP" or "street city , NY ZIP".
ORANGE_CITIES = (
    "Highland Mills",
    "New Windsor",
    "Port Jervis",
    "Middletown",
    "Newburgh",
    "Pine Bush",
    "Cornwall",
    "Goshen",
    "Chester",
    "Monroe",
)


def split_orange_address(text: str) -> tuple[str, str, str]:
    """(street, city, ZIP) of an Orange County list's one-line address."""
    text = clean(text)
    match = _ZIP_AT_END.search(text)
    postal = match.group(1) if match else ""
    head = text[: match.start()] if match else text
    head = re.sub(r"[\s,]*\bNY\b[\s,]*$", "", head.strip(" ,")).strip(" ,")
    for city in ORANGE_CITIES:
        if head.endswith(city):
            street = head[: -len(city)].strip(" ,")
            return street, city, postal
    raise ValueError(f"no known city in {text!r}")


def orange_workbook(name: str) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(SHARED / "ny_orange_county" / name, read_only=True).active
    lines = sheet.iter_rows(values_only=True)
    header = [str(cell) for cell in next(lines)]
    return [dict(zip(header, line, strict=False)) for line in lines]


def orange_naloxboxes() -> list[dict[str, str]]:
    raws = orange_workbook("Locations_File_for_Naloxbox.xlsx")
    # A row without an address shares its point with a row that has one: that row's address.
    by_point = {
        (raw["latitude"], raw["longitude"]): raw["address"] for raw in raws if raw["address"]
    }
    rows = []
    for line, raw in enumerate(raws, start=2):
        address = raw["address"] or by_point.get((raw["latitude"], raw["longitude"]))
        if not address:
            left_out("Orange NaloxBox", line, str(raw["name"]), "no address")
            continue
        street, city, postal = split_orange_address(str(address))
        name = clean(raw["name"]) or f"NaloxBox at {street}"
        where = clean(raw["narcanlocation"])
        hours = clean(raw["hours"])
        rows.append(
            {
                "key": f"{name}|{address}|{where}",
                "name": name,
                "address": street,
                "position_description": f"NaloxBox: {where}" if where else "NaloxBox",
                "city": city,
                "state": "NY",
                "zip": postal,
                "latitude": str(raw["latitude"]),
                "longitude": str(raw["longitude"]),
                "services": "naloxone",
                "open_24_7": "yes" if is_24_7(hours) else "",
                "service_description": (
                    "Free naloxone from a NaloxBox"
                    + (f" ({where})" if where else "")
                    + f". {hours_sentence(hours)} From the Orange County (NY) Department of "
                    "Health's NaloxBox map, June 2025; not verified since."
                ),
            }
        )
    return rows


def orange_oopp() -> list[dict[str, str]]:
    rows = []
    for raw in orange_workbook("Locations_File_for_OOPP_Programs.xlsx"):
        street, city, postal = split_orange_address(str(raw["address"]))
        where = clean(raw["program location"])
        rows.append(
            {
                "key": f"{clean(raw['name'])}|{raw['address']}",
                "name": clean(raw["name"]),
                "address": street,
                "position_description": where,
                "city": city,
                "state": "NY",
                "zip": postal,
                "latitude": str(raw["latitude"]),
                "longitude": str(raw["longitude"]),
                "phone": clean(raw["phone numbers"]),
                "services": "naloxone",
                "service_description": (
                    "A New York State-registered opioid overdose prevention program: it trains "
                    "people to respond to an overdose and furnishes naloxone. Call to ask when. "
                    "From the Orange County (NY) Department of Health's list, June 2025; not "
                    "verified since."
                ),
            }
        )
    return rows


# ---------------------------------------------------------------- secondary and derived lists


def rhode_island() -> list[dict[str, str]]:
    folder = SHARED / "ri_naloxone"
    vending = {
        clean(raw["Org/Facility"]).casefold()
        for raw in read_csv(folder / "ri_naloxone_vending_machines.csv")
    }
    raws = read_csv(folder / "ri_naloxone_locations_merged.csv")
    # Rows whose address has no ZIP take it from a row at the same address that is placed.
    placed_zip: dict[str, str] = {}
    for raw in raws:
        x, y = float(raw["x"]), float(raw["y"])
        if (x, y) != (0.0, 0.0) and (round(x, 9), round(y, 9)) != RI_PLACEHOLDER:
            placed_zip.setdefault(raw["Address"].casefold(), place_at(y, x).postal_code or "")
    rows = []
    for line, raw in enumerate(raws, start=2):
        name = clean(raw["Location"])
        if "install pending" in name.casefold():
            left_out("RI merged", line, name, "the box was not yet installed")
            continue
        name = clean(name.replace("(Raymond hall???)", ""))
        x, y = float(raw["x"]), float(raw["y"])
        placeholder = (x, y) == (0.0, 0.0) or (round(x, 9), round(y, 9)) == RI_PLACEHOLDER
        match = _ZIP_AT_END.search(raw["Full_addre"].strip())
        postal = match.group(1) if match else placed_zip.get(raw["Address"].casefold(), "")
        if placeholder and not postal:
            left_out("RI merged", line, name, "no coordinates and no ZIP")
            continue
        kind = "vending machine" if name.casefold() in vending else "naloxone box"
        where = "The map pin is the ZIP code's centre. " if placeholder else ""
        rows.append(
            {
                "key": f"{name}|{raw['Address']}|{raw['City']}",
                "name": name,
                "address": clean(raw["Address"]),
                "city": clean(raw["City"]).title(),
                "state": "RI",
                "zip": postal,
                "latitude": "" if placeholder else f"{y:.7f}",
                "longitude": "" if placeholder else f"{x:.7f}",
                "services": "naloxone",
                "service_description": (
                    f"Free naloxone from a {kind}. Hours not listed. {where}From a SECONDARY "
                    "list: an individual's GIS project built from Rhode Island Department of "
                    "Health and NaloxBox partner lists (GitHub LiubovD/naloxone, c. 2024–25), "
                    "not the state's own list; not verified since."
                ),
            }
        )
    return rows


def chicago() -> list[dict[str, str]]:
    rows = []
    path = SHARED / "il_chicago_library_naloxone" / "chicago_public_library_naloxone_branches.csv"
    for raw in read_csv(path):
        rows.append(
            {
                "key": raw["name"],
                "name": clean(raw["name"]),
                "address": clean(raw["address"]),
                "position_description": "Narcan wall box in the library",
                "city": raw["city"],
                "state": raw["state"],
                "zip": raw["zip"],
                "latitude": raw["lat"],
                "longitude": raw["lon"],
                "service_url": raw["program_source_url"],
                "services": "naloxone",
                "service_description": (
                    "Free Narcan nasal spray from a wall box in the library, during library "
                    "hours, no questions asked. DERIVED listing: the Chicago Department of Public "
                    "Health announced boxes at every Chicago Public Library branch on "
                    f"{raw['program_date']}; this branch's place comes from the City's library "
                    "data. Whether this branch's box is still stocked has not been verified."
                ),
            }
        )
    return rows


# ---------------------------------------------------------------- leads, published once confirmed

# Lead rows checked against a stored public page (the ``search`` tool's pages corpus), by file and
# line: the page that confirms the row, when it was read, and what the page says the place gives.
# Every other lead row is left out (the converter prints each with its reason).
READ_ON = "2026-12-03"
CONFIRMED = {
    ("pages_transcribed/target_city_seeds_from_pages.csv", 10): {
        "confirm_url": "https://www.harmreductionactioncenter.org/what-we-do-1",
        "confirm_date": f"page undated (c. 2020-21); address, phone and hours from "
        f"https://careersunitedco.com/harm-reduction (c. 2022); read {READ_ON}",
        "services": "syringe_services;naloxone;fentanyl_test_strips;hiv_testing;hcv_testing",
        "what": "Sterile syringes and disposal, pipes, naloxone, fentanyl test strips, HIV, "
        "hepatitis C and STI testing, mail and phone for participants; a mobile syringe "
        "program three afternoons a week",
    },
}
LCDHD = {
    "confirm_url": "https://www.lcdhd.org/services/substance-abuse-services/syringeneedle-"
    "exchange-program/",
    "confirm_date": f"page undated (the newer of two versions); read {READ_ON}",
    "services": "syringe_services;hiv_testing;hcv_testing",
    "what": "A Lake Cumberland District Health Department syringe exchange: free syringes and "
    "equipment, anonymous rapid HIV testing, hepatitis C testing",
}
BALTIMORE_COUNTY = {
    "confirm_url": "https://baltimorecountymd.gov./departments/health/health-services/harm-"
    "reduction",
    "confirm_date": f"page undated; read {READ_ON}",
    "services": "syringe_services;naloxone;fentanyl_test_strips;hiv_testing;hcv_testing;"
    "peer_support",
    "phone": "443-750-4914",
    "what": "Baltimore County Department of Health Harm Reduction Program: syringe exchange, "
    "naloxone and overdose education, fentanyl test strips, HIV and hepatitis C testing, peer "
    "support; the program's phone is 443-750-4914",
}
SANTA_CRUZ = {
    "confirm_url": "https://www.santacruzhealth.org/PublicHealth/InfectiousDisease/"
    "CAReTeamIntegratedServices/SafeUseandOverdosePreventionProgram.aspx",
    "confirm_date": f"page undated (newer than the lead's mirror); read {READ_ON}",
    "services": "syringe_services",
    "phone": "831-454-2437",
    "what": "The County of Santa Cruz Safe Use and Overdose Prevention Program (its syringe "
    "services program): sterile syringes and safer use supplies, education and referrals",
}
CONFIRMED[("ssp_from_pages/ssp_from_pages.csv", 3)] = SANTA_CRUZ | {
    "name": "Santa Cruz County Syringe Services Program (Santa Cruz site)",
    "hours": "Mon 10am-1pm; Tue 5-7pm; Thu 4-6pm; Fri 10am-1pm (Wednesday: mobile exchange)",
}
CONFIRMED[("ssp_from_pages/ssp_from_pages.csv", 4)] = SANTA_CRUZ | {
    "name": "Santa Cruz County Syringe Services Program (Watsonville site)",
    "address": "1430 Freedom Blvd, Ste B",
    "hours": "Mon 3:30-4:30pm; Tue 10:30-11:30am; Wed 1:30-3:30pm (Thursday: mobile exchange)",
}
CONFIRMED[("ssp_from_pages/ssp_from_pages.csv", 39)] = {
    "name": "SAAF Syringe Access Program",
    "confirm_url": "https://saaf.org/services/needle-exchange/",
    "confirm_date": f"page undated; read {READ_ON}",
    "services": "syringe_services",
    "what": "Southern Arizona AIDS Foundation's Syringe Access Program: sterile syringes (1 for "
    "1, up to 100 a visit; some even with none to exchange), education and referrals",
}
CONFIRMED[("ssp_from_pages/ssp_from_pages.csv", 38)] = {
    "name": "Aurora Syringe Access Services (It Takes A Village)",
    "address": "1475 Lima St.",
    "confirm_url": "http://www.tchd.org/689/Syringe-Access-Services",
    "confirm_date": f"page undated (Tri-County Health Department's own page); read {READ_ON}",
    "services": "syringe_services;naloxone",
    "what": "Aurora Syringe Access Services, for people who inject drugs: sterile syringes and "
    "supplies, disposal, wound care, naloxone kits and overdose education, referrals. The "
    "page is an older one of Tri-County Health Department: call 303-363-3077 before you go",
}
for _line in range(24, 29):
    CONFIRMED[("pages_transcribed/target_city_seeds_from_pages.csv", _line)] = LCDHD
for _line in range(31, 37):
    CONFIRMED[("ssp_from_pages/ssp_from_pages.csv", _line)] = BALTIMORE_COUNTY
# Lead rows a page confirmed but that cannot be placed: no coordinates and no ZIP on the page.
UNPLACEABLE = {
    ("pages_transcribed/target_city_seeds_from_pages.csv", line): "confirmed on "
    "https://multco.us/hiv-and-std-services/syringe-exchange-and-disposal, but the page gives "
    "no ZIP and the list no coordinates"
    for line in (2, 3, 6, 7, 9)
} | {
    ("ssp_from_pages/ssp_from_pages.csv", line): "confirmed on "
    "https://saaf.org/services/needle-exchange/, but the page gives no ZIP and the list no "
    "coordinates"
    for line in (40, 41, 42)
}
LEAD_FILES = (
    "ssp_from_pages/ssp_from_pages.csv",
    "pages_transcribed/target_city_seeds_from_pages.csv",
    "mi_detroit_wayne_oakland/metro_detroit_seed_lines_macomb_oakland.csv",
)
# Facts added by hand to a place already listed from another source: the row merges into that
# listing (same name and street) and adds the service its own page confirms.
BY_HAND = [
    {
        "key": "prevention-point-philadelphia-naloxone",
        "name": "Prevention Point Philadelphia",
        "address": "2913-15 Kensington Ave",
        "city": "Philadelphia",
        "state": "PA",
        "zip": "19134",
        "latitude": "39.9927202",
        "longitude": "-75.1196516",
        "services": "naloxone",
        "service_description": "Free naloxone (Narcan) for people who use drugs, and a walk-in "
        "free clinic (wound care, HIV care): Prevention Point gave out more than 100,000 free "
        "doses of naloxone in 2024, as its spokesperson's page says. Not verified since.",
        "service_url": "https://www.reliefcomm.com/2025/03/15/prevention-point-featured-on-"
        "national-public-radio/",
        "confirm_url": "https://www.reliefcomm.com/2025/03/15/prevention-point-featured-on-"
        "national-public-radio/",
        "confirm_date": f"2025-03-15; read {READ_ON}",
    },
]


def lead_rows() -> list[dict[str, str]]:
    rows = list(BY_HAND)
    for name in LEAD_FILES:
        for line, raw in enumerate(read_csv(SHARED / name), start=2):
            label = raw.get("name", "")
            if (name, line) in UNPLACEABLE:
                left_out(name, line, label, UNPLACEABLE[(name, line)])
                continue
            confirmation = CONFIRMED.get((name, line))
            if confirmation is None:
                left_out(name, line, label, "no stored page read to confirm it")
                continue
            hours = confirmation.get("hours") or clean(
                raw.get("schedule_or_hours") or raw.get("hours") or ""
            )
            rows.append(
                {
                    "key": f"{name}:{label}|{raw['address']}",
                    "name": confirmation.get("name") or clean(label),
                    # Where the confirming page is newer than the lead, the page's words win.
                    "address": confirmation.get("address") or clean(raw["address"]),
                    "city": clean(raw["city"]),
                    "state": raw["state"],
                    "zip": raw["zip"],
                    "phone": clean(raw.get("phone", "")) or confirmation.get("phone", ""),
                    "services": confirmation["services"],
                    "service_description": f"{confirmation['what']}. {hours_sentence(hours)} "
                    f"Confirmed on {confirmation['confirm_url']}; not verified since.",
                    "service_url": confirmation["confirm_url"],
                    "confirm_url": confirmation["confirm_url"],
                    "confirm_date": confirmation["confirm_date"],
                }
            )
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write("detroit_harm_reduction_stations.csv", detroit())
    write("wayne_well_wayne_stations.csv", wayne())
    write("oakland_narcan_boxes.csv", oakland())
    write("orange_ny_naloxboxes.csv", orange_naloxboxes())
    write("orange_ny_oopp.csv", orange_oopp())
    write("ri_naloxone.csv", rhode_island())
    write("chicago_library_naloxone.csv", chicago())
    write("harm_reduction_pages.csv", lead_rows())


if __name__ == "__main__":
    main()

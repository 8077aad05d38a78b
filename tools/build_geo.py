"""Convert the shared GeoNames and Census gazetteer extracts into the project's own seed/geo files.

Run by hand from the repository root when the sources change; the output is committed, so the
application never reads ../shared:

    .venv/bin/python tools/build_geo.py [SOURCE_DIR]

SOURCE_DIR defaults to ../shared/data/geo. Writes seed/geo/cities.csv and seed/geo/counties.csv
(provenance and licences in seed/geo/README.md).
"""

import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "geo"
OUT = ROOT / "seed" / "geo"

# Counties renamed in 2015: GEOID in the extract -> (current name, former name kept as an alias).
# The extract still calls 02270 "Wade Hampton" (now Kusilvak, GEOID 02158) but already lists
# Oglala Lakota under its new GEOID 46102 (formerly Shannon, 46113).
RENAMED_COUNTIES = {
    "02270": ("Kusilvak", "Wade Hampton"),
    "46113": ("Oglala Lakota", "Shannon"),
    "46102": ("Oglala Lakota", "Shannon"),
}

# Independent cities carry county codes 510 and above; the gazetteer extract dropped the " city"
# suffix, which leaves e.g. two "Baltimore" rows in Maryland. Carson City already says "City".
INDEPENDENT_CITY_STATES = {"24", "29", "51"}

# Hawaiian okina and similar marks are letters in GeoNames names but people type without them.
_DROPPED_MARKS = str.maketrans("", "", "ʻ‘’'`")


def ascii_name(name: str) -> str:
    """The name as typed on a plain keyboard: accents and okina removed."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_DROPPED_MARKS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def build_cities(source: Path) -> list[dict[str, str]]:
    """One row per (name, state): where GeoNames repeats a name in a state, the biggest wins."""
    best: dict[tuple[str, str], dict[str, str]] = {}
    with (source / "geonames_us_cities1000.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["name"], row["admin1code"])
            population = int(row["population"] or 0)
            if key in best and int(best[key]["population"]) >= population:
                continue
            best[key] = {
                "name": row["name"],
                "ascii_name": ascii_name(row["name"]),
                "state": row["admin1code"],
                "lat": f"{float(row['latitude']):.5f}",
                "lng": f"{float(row['longitude']):.5f}",
                "population": str(population),
                "timezone": row["timezone"],
            }
    return sorted(best.values(), key=lambda r: (r["state"], r["ascii_name"]))


def build_counties(source: Path) -> list[dict[str, str]]:
    rows = []
    with (source / "county_centroids_census_gazetteer_2010.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        for row in csv.DictReader(f):
            geoid = row["fips"].zfill(5)
            name, aliases = row["county"], ""
            if geoid in RENAMED_COUNTIES:
                name, aliases = RENAMED_COUNTIES[geoid]
            elif geoid[:2] in INDEPENDENT_CITY_STATES and int(geoid[2:]) >= 510:
                name = f"{name} city"
            rows.append(
                {
                    "geoid": geoid,
                    "state": row["state"],
                    "name": name,
                    "lat": f"{float(row['latitude']):.5f}",
                    "lng": f"{float(row['longitude']):.5f}",
                    "aliases": aliases,
                }
            )
    return sorted(rows, key=lambda r: r["geoid"])


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "cities.csv", build_cities(source))
    write(OUT / "counties.csv", build_counties(source))


if __name__ == "__main__":
    main()

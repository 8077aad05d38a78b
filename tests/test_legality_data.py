"""The state legality notes in ``seed/legality`` are complete, well formed, and still agree with
the structured law datasets in ``seed/law`` wherever those datasets are the newest information.

Pure data tests: they read the committed seed files only (no app, no database, no network).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LEGALITY = ROOT / "seed" / "legality"
LAW = ROOT / "seed" / "law"

TOPICS = (
    "naloxone",
    "fentanyl_test_strips",
    "syringe_services",
    "good_samaritan",
    "overdose_prevention_centers",
    "drug_possession",
    "treatment_access",
)
STATUSES = {"allowed", "allowed_with_conditions", "prohibited", "unclear"}
PERMITTED = {"allowed", "allowed_with_conditions"}
NOTE_KEYS = {
    "topic",
    "status",
    "summary",
    "citation",
    "source_name",
    "source_url",
    "law_as_of",
    "reviewed_at",
    "sources_checked",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def jurisdictions() -> tuple[str, ...]:
    with (ROOT / "seed" / "states.csv").open(encoding="utf-8") as fh:
        return tuple(row["code"] for row in csv.DictReader(fh))


@cache
def document(code: str) -> dict:
    return json.loads((LEGALITY / f"{code}.json").read_text(encoding="utf-8"))


def note(code: str, topic: str) -> dict:
    return next(n for n in document(code)["notes"] if n["topic"] == topic)


def all_notes() -> list[tuple[str, dict]]:
    return [(code, n) for code in jurisdictions() for n in document(code)["notes"]]


@cache
def dataset(name: str) -> dict[str, dict[str, str]]:
    with (LAW / name).open(encoding="utf-8") as fh:
        return {row["state_abbr"]: row for row in csv.DictReader(fh)}


def good_samaritan_2021() -> dict[str, dict[str, str]]:
    return dataset("good_samaritan_latest_by_state_PDAPS_asof_2021-06-01.csv")


def ssp_2019() -> dict[str, dict[str, str]]:
    return dataset("state_harm_reduction_laws_OEPS_OPTIC_Burris2019.csv")


def lawatlas_2017() -> dict[str, dict[str, str]]:
    return dataset("syringe_possession_latest_by_state_LawAtlas_asof_2017-07-01.csv")


def naloxone_2017() -> dict[str, dict[str, str]]:
    return dataset("naloxone_access_latest_by_state_PDAPS_asof_2017-07-01.csv")


def curated_rows() -> list[dict[str, str]]:
    with (LEGALITY / "_curated" / "overrides.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def review_rows() -> tuple[dict[str, str], ...]:
    """Every row of the 2026 review files (``_curated/review_2026/*.csv``)."""
    rows: list[dict[str, str]] = []
    for path in sorted((LEGALITY / "_curated" / "review_2026").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return tuple(rows)


def updated_by_review(code: str, topic: str) -> bool:
    """Whether a 2026 review row replaced this note with a newer source: such a note no longer
    has to agree with the older datasets or curated rows (it is checked against its review row)."""
    return any(
        row["state"] == code and row["topic"] == topic and row["outcome"] == "updated"
        for row in review_rows()
    )


def sentence_count(text: str) -> int:
    """Sentences, not counting the dots inside abbreviations such as "U.S.C." or "H.B."."""
    return len(re.findall(r"(?<![A-Z])[.!?](?:\s|$)", text))


def newer_than(n: dict, dataset_date: str) -> bool:
    return n["law_as_of"] > dataset_date


# --- completeness and shape ----------------------------------------------------------------------


def test_all_fifty_states_dc_and_puerto_rico_have_a_legality_file_and_nothing_else():
    assert len(jurisdictions()) == 52
    files = {path.stem for path in LEGALITY.glob("*.json")}
    assert files == set(jurisdictions())


@pytest.mark.parametrize("code", jurisdictions())
def test_every_jurisdiction_has_exactly_one_note_on_every_topic(code):
    doc = document(code)
    assert set(doc) == {"state", "name", "notes"}
    assert doc["state"] == code
    assert doc["name"]
    assert [n["topic"] for n in doc["notes"]] == list(TOPICS)
    for n in doc["notes"]:
        assert set(n) == NOTE_KEYS
        assert set(n["summary"]) == {"en", "es"}


def test_legality_files_are_pretty_printed_so_diffs_stay_reviewable():
    for code in jurisdictions():
        text = (LEGALITY / f"{code}.json").read_text(encoding="utf-8")
        assert text == json.dumps(document(code), indent=2, ensure_ascii=False) + "\n"


def test_every_note_has_a_known_status_and_an_https_source():
    for code, n in all_notes():
        assert n["status"] in STATUSES, (code, n["topic"])
        assert n["source_url"].startswith("https://"), (code, n["topic"])
        assert n["source_name"].strip(), (code, n["topic"])
        assert len(n["source_name"]) <= 255, (code, n["topic"])
        assert len(n["source_url"]) <= 500, (code, n["topic"])


def test_every_note_says_when_the_law_was_assessed_and_when_we_last_reviewed_it():
    today = date.today()
    for code, n in all_notes():
        for field in ("law_as_of", "reviewed_at"):
            assert ISO_DATE.fullmatch(n[field]), (code, n["topic"], field)
        law_as_of = date.fromisoformat(n["law_as_of"])
        reviewed_at = date.fromisoformat(n["reviewed_at"])
        assert law_as_of <= reviewed_at <= today, (code, n["topic"])
        assert law_as_of.year >= 2017, (code, n["topic"])


def test_every_summary_is_short_and_written_in_both_english_and_spanish():
    for code, n in all_notes():
        en, es = n["summary"]["en"].strip(), n["summary"]["es"].strip()
        assert en, (code, n["topic"])
        assert es, (code, n["topic"])
        assert en != es, (code, n["topic"])
        assert sentence_count(en) <= 4, (code, n["topic"])
        assert sentence_count(es) <= 4, (code, n["topic"])
        assert len(en) <= 750, (code, n["topic"])
        assert len(es) <= 850, (code, n["topic"])
        assert re.search(r"\b(the|you|is|in|and|of|to|as|for)\b", en, re.I), (code, n["topic"])
        assert re.search(r"\b(la|el|de|en|y)\b", es, re.I), (code, n["topic"])
        assert not re.search(r"\b(the|you|and|of|is)\b", es, re.I), (code, n["topic"])


def test_a_note_without_a_citation_says_no_statute_is_recorded():
    for code, n in all_notes():
        if n["citation"] is None:
            assert re.search(r"\b(no|not)\b[^.]*\b(law|statute)", n["summary"]["en"], re.I), (
                code,
                n["topic"],
            )
        else:
            assert n["citation"].strip(), (code, n["topic"])


def test_citations_are_written_out_not_left_in_dataset_shorthand():
    for code, n in all_notes():
        citation = n["citation"] or ""
        assert not re.search(r"\b[A-Z]{2} (Penal )?Statute\b", citation), (code, citation)
        assert "&amp;" not in citation, (code, citation)
        assert "Full Title" not in citation, (code, citation)


def test_every_curated_row_carries_its_own_source_and_date_and_is_what_was_published():
    rows = curated_rows()
    assert rows
    for row in rows:
        assert row["state"] in jurisdictions()
        assert row["topic"] in TOPICS
        assert row["source_url"].startswith("https://")
        assert ISO_DATE.fullmatch(row["law_as_of"])
        if updated_by_review(row["state"], row["topic"]):
            continue
        published = note(row["state"], row["topic"])
        assert published["status"] == row["status"]
        assert published["summary"] == {"en": row["summary_en"], "es": row["summary_es"]}
        assert published["law_as_of"] == row["law_as_of"]


def test_every_review_row_is_published_with_its_date_and_the_sources_it_checked():
    for row in review_rows():
        published = note(row["state"], row["topic"])
        where = (row["state"], row["topic"])
        assert row["outcome"] in {"kept", "updated"}, where
        assert published["reviewed_at"] == row["reviewed_at"], where
        checked = published["sources_checked"]
        assert checked, where
        assert all(set(source) == {"url", "note"} for source in checked), where
        assert all(s["url"] is None or s["url"].startswith("http") for s in checked), where
        if row["outcome"] == "updated":
            assert published["status"] == row["status"], where
            assert published["summary"] == {"en": row["summary_en"], "es": row["summary_es"]}
            assert published["source_url"] == row["source_url"], where
            assert published["law_as_of"] == row["law_as_of"], where
            assert published["citation"] == (row["citation"] or None), where


def test_a_note_no_review_reached_lists_no_sources_checked():
    reviewed = {(row["state"], row["topic"]) for row in review_rows()}
    for code, n in all_notes():
        if (code, n["topic"]) not in reviewed:
            assert n["sources_checked"] == [], (code, n["topic"])


def test_every_law_cited_for_legal_test_strips_carries_its_own_source():
    with (LEGALITY / "_curated" / "fts_enacting_laws.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        if updated_by_review(row["state"], "fentanyl_test_strips"):
            continue
        n = note(row["state"], "fentanyl_test_strips")
        assert n["status"] == "allowed", row["state"]
        assert n["citation"] == row["citation"], row["state"]
        assert row["source_url"].startswith("https://"), row["state"]
        assert row["source_name"] in n["source_name"], row["state"]
        assert f"in {row['year']}" in n["summary"]["en"], row["state"]


def test_each_dataset_copy_is_documented_in_the_law_readme():
    readme = (LAW / "README.md").read_text(encoding="utf-8")
    for path in LAW.glob("*.csv"):
        assert f"`{path.name}`" in readme


# --- agreement with the datasets -----------------------------------------------------------------


def test_naloxone_is_sold_over_the_counter_everywhere_since_march_2023():
    for code in jurisdictions():
        n = note(code, "naloxone")
        assert n["status"] == "allowed"
        assert n["law_as_of"] >= "2023-03-29"
        if updated_by_review(code, "naloxone"):
            continue
        assert "without a prescription" in n["summary"]["en"]
        assert "sin receta" in n["summary"]["es"]


def test_naloxone_notes_keep_the_state_provisions_pdaps_coded_in_2017():
    for code, row in naloxone_2017().items():
        if updated_by_review(code, "naloxone"):
            continue
        n = note(code, "naloxone")
        assert n["citation"], code
        pharmacist = row["pharmacist_dispensing_without_patient_rx"] == "1"
        assert ("pharmacists could also dispense" in n["summary"]["en"]) == pharmacist, code
        immune = "1" in (row["layperson_civil_immunity"], row["layperson_criminal_immunity"])
        assert ("protected people who give naloxone" in n["summary"]["en"]) == immune, code


def test_every_state_pdaps_found_with_a_good_samaritan_law_in_2021_still_protects_callers():
    states_with_law = [c for c, row in good_samaritan_2021().items() if row["goodsam-law"] == "1"]
    assert len(states_with_law) == 48
    for code in states_with_law:
        n = note(code, "good_samaritan")
        assert n["status"] in PERMITTED, code
        assert n["citation"], code


def test_good_samaritan_status_follows_the_protections_pdaps_coded():
    full = ("Arrest", "Charge", "Prosecution")
    for code, row in good_samaritan_2021().items():
        n = note(code, "good_samaritan")
        if row["goodsam-law"] != "1" or newer_than(n, "2021-06-01"):
            continue
        if updated_by_review(code, "good_samaritan"):
            continue
        covered = all(
            row[f"{prefix}_{kind}"] == "1"
            for prefix in ("goodsam-cs", "goodsam-paraphernalia")
            for kind in full
        )
        assert n["status"] == ("allowed" if covered else "allowed_with_conditions"), code
        assert n["law_as_of"] == "2021-06-01", code
        parole_protected = row["goodsam-paroleyn"] == "0"  # 0 means "Yes" in the PDAPS codebook
        assert ("protection from probation" in n["summary"]["en"]) == parole_protected, code


def test_states_without_a_good_samaritan_law_in_2021_show_the_laws_passed_since():
    missing_in_2021 = {c for c, row in good_samaritan_2021().items() if row["goodsam-law"] == "0"}
    assert missing_in_2021 == {"KS", "TX", "WY"}
    for code in missing_in_2021:
        n = note(code, "good_samaritan")
        assert n["status"] == "allowed_with_conditions", code
        assert newer_than(n, "2021-06-01"), code
        assert n["citation"], code


def test_states_that_authorized_syringe_programs_in_2019_still_show_it_unless_the_law_changed():
    authorized = [
        c for c, row in ssp_2019().items() if row["ssp_law_explicitly_authorizes_2019"] == "1"
    ]
    assert len(authorized) == 32
    for code in authorized:
        n = note(code, "syringe_services")
        if newer_than(n, "2019-08-01"):
            continue
        assert n["status"] == "allowed", code
    changed = {c for c in authorized if newer_than(note(c, "syringe_services"), "2019-08-01")}
    reviewed = {c for c in authorized if updated_by_review(c, "syringe_services")}
    assert changed - reviewed == {"ID"} - reviewed
    if "ID" not in reviewed:
        assert note("ID", "syringe_services")["status"] == "prohibited"


def test_states_whose_syringe_program_legality_was_uncertain_in_2019_are_not_shown_as_allowed():
    uncertain = [
        c for c, row in ssp_2019().items() if row["no_law_removing_ssp_uncertainty_2019"] == "1"
    ]
    for code in uncertain:
        n = note(code, "syringe_services")
        if newer_than(n, "2019-08-01"):
            continue
        assert n["status"] == "unclear", code
    assert note("AZ", "syringe_services")["status"] == "allowed"


def test_syringe_notes_say_what_lawatlas_found_about_carrying_syringes():
    for code, row in lawatlas_2017().items():
        n = note(code, "syringe_services")
        if newer_than(n, "2019-08-01") or code == "AK":
            continue
        en = n["summary"]["en"]
        if row["poparayn"] == "0":
            assert "no " + document(code)["name"] + " law against possessing" in en, code
        elif row["poparaneyn"] == "1" or row["poparaexyn"].startswith("Yes"):
            assert re.search(
                r"Syringes were left out of its drug paraphernalia law"
                r"|paraphernalia law (excludes|does not mention) syringes",
                en,
            ), code
        elif row["poparaexcpts"] == "No":
            assert "no exception for syringes" in en, code


def test_possession_of_drugs_is_a_crime_wherever_lawatlas_found_a_ban_and_nowhere_decriminalized():
    for code, row in lawatlas_2017().items():
        n = note(code, "drug_possession")
        assert n["status"] in {"prohibited", "allowed_with_conditions"}, code
        if row["dpyn"] == "1" and not newer_than(n, "2017-07-01"):
            assert n["status"] == "prohibited", code
            assert "is a crime" in n["summary"]["en"], code
    assert all(note(c, "drug_possession")["status"] != "allowed" for c in jurisdictions())


def test_oregon_shows_the_2024_recriminalization_not_measure_110():
    n = note("OR", "drug_possession")
    assert n["status"] == "prohibited"
    if updated_by_review("OR", "drug_possession"):
        assert n["law_as_of"] >= "2024-09-01"
        return
    assert n["law_as_of"] == "2024-09-01"
    assert "4002" in n["citation"]
    assert "Measure 110" in n["summary"]["en"]


def test_fentanyl_test_strips_are_shown_as_illegal_only_where_they_still_were_in_2024_or_later():
    prohibited = {
        c for c in jurisdictions() if note(c, "fentanyl_test_strips")["status"] == "prohibited"
    }
    reviewed = {c for c in jurisdictions() if updated_by_review(c, "fentanyl_test_strips")}
    assert prohibited - reviewed == {"IA", "ND", "TX"} - reviewed
    for code in {"ID", "IN"} - reviewed:
        n = note(code, "fentanyl_test_strips")
        assert n["status"] == "allowed"
        assert n["law_as_of"] >= "2024-07-01"
    for code in jurisdictions():
        n = note(code, "fentanyl_test_strips")
        if n["status"] == "allowed":
            assert n["law_as_of"] >= "2024-07-01", code


def test_only_state_authorized_overdose_prevention_centers_are_shown_as_permitted():
    permitted = {
        c for c in jurisdictions() if note(c, "overdose_prevention_centers")["status"] in PERMITTED
    }
    reviewed = {c for c in jurisdictions() if updated_by_review(c, "overdose_prevention_centers")}
    assert permitted - reviewed == {"RI", "VT"} - reviewed
    for code in permitted:
        assert note(code, "overdose_prevention_centers")["citation"], code
    for code in {"PA", "NJ", "DE"} - reviewed:  # bound by United States v. Safehouse (3d Cir. 2021)
        assert note(code, "overdose_prevention_centers")["status"] == "prohibited", code
    if "NY" not in reviewed:
        assert "OnPoint NYC" in note("NY", "overdose_prevention_centers")["summary"]["en"]


def test_puerto_rico_notes_rest_on_puerto_rico_sources_not_on_state_datasets():
    for n in document("PR")["notes"]:
        assert n["source_url"] != "https://phlr.org/product/good-samaritan-overdose-prevention-laws"
    if not updated_by_review("PR", "good_samaritan"):
        assert "Ley" in note("PR", "good_samaritan")["citation"]
    assert note("PR", "drug_possession")["status"] == "prohibited"


def test_all_52_by_7_notes_have_a_source_a_citation_or_reason_dates_and_both_languages():
    notes = all_notes()
    assert len(notes) == 52 * len(TOPICS) == 364
    for code, n in notes:
        where = (code, n["topic"])
        assert n["source_url"].startswith("https://"), where
        reason = re.search(r"\b(no|not)\b[^.]*\b(law|statute)", n["summary"]["en"])
        assert n["citation"] or reason, where
        assert ISO_DATE.fullmatch(n["law_as_of"]), where
        assert ISO_DATE.fullmatch(n["reviewed_at"]), where
        assert n["summary"]["en"].strip(), where
        assert n["summary"]["es"].strip(), where


def test_every_treatment_note_says_how_to_get_buprenorphine_and_methadone_as_of_2024_or_later():
    for code in jurisdictions():
        n = note(code, "treatment_access")
        assert n["status"] in PERMITTED, code
        assert n["law_as_of"] >= "2024-01-01", code
        assert "buprenorphine" in n["summary"]["en"], code
        assert "methadone" in n["summary"]["en"].lower(), code
        assert "buprenorfina" in n["summary"]["es"], code
        assert "metadona" in n["summary"]["es"].lower(), code
        assert n["sources_checked"], code
    limited = {c for c in jurisdictions() if note(c, "treatment_access")["status"] != "allowed"}
    assert limited == {"TN", "WV"}
    assert "16B-13-12" in note("WV", "treatment_access")["citation"]

"""How FindTreatment.gov describes a facility's services, mapped onto our taxonomy.

A response's services are ``{f1: category name, f2: category code, f3: "item; item; …"}``. Items
are matched by their text; SAMHSA's short service codes (the API's ``sCodes``, e.g. ``BU``,
``OTP``, ``MD``) are understood too, where a response carries them. Source: FindTreatment.gov
API documentation v1.9 (SAMHSA, January 2025) and the items seen in its exportsAsJson/v2 output.
"""

from __future__ import annotations

from typing import Any

# Item texts (lowercase) → taxonomy codes. Items not listed here carry nothing we show.
ITEMS = {
    "substance use treatment": "treatment",
    "substance treatment services": "treatment",
    "outpatient": "outpatient_treatment",
    "intensive outpatient treatment": "outpatient_treatment",
    "regular outpatient treatment": "outpatient_treatment",
    "outpatient day treatment or partial hospitalization": "outpatient_treatment",
    "outpatient methadone/buprenorphine or naltrexone treatment": "moud",
    "residential": "residential_treatment",
    "short-term residential": "residential_treatment",
    "long-term residential": "residential_treatment",
    "residential detoxification": "withdrawal_management",
    "hospital inpatient detoxification": "withdrawal_management",
    "outpatient detoxification": "withdrawal_management",
    "detoxification": "withdrawal_management",
    "telemedicine/telehealth": "telehealth",
    "computerized treatment/telemedicine": "telehealth",
    "buprenorphine used in treatment": "buprenorphine",
    "buprenorphine maintenance": "buprenorphine",
    "buprenorphine maintenance for predetermined time": "buprenorphine",
    "prescribes/administers buprenorphine": "buprenorphine",
    "buprenorphine with naloxone  (suboxone®)": "buprenorphine",
    "buprenorphine with naloxone (suboxone®)": "buprenorphine",
    "buprenorphine without naloxone": "buprenorphine",
    "buprenorphine (extended-release, injectable, for example, sublocade®)": "buprenorphine",
    "methadone": "methadone",
    "methadone used in treatment": "methadone",
    "methadone maintenance": "methadone",
    "methadone maintenance for predetermined time": "methadone",
    "methadone detoxification": "methadone",
    "samhsa-certified opioid treatment program": "methadone",
    "naltrexone used in treatment": "naltrexone",
    "prescribes/administers naltrexone": "naltrexone",
    "relapse prevention from naltrexone": "naltrexone",
    "naltrexone (oral)": "naltrexone",
    "extended-release, injectable naltrexone (vivitrol®)": "naltrexone",
    "hiv testing": "hiv_testing",
    "screening for hepatitis c": "hcv_testing",
    "consumer-run (peer-support) services": "peer_support",
    "peer support": "peer_support",
    "housing services": "housing",
    "supported housing": "housing",
    "employment counseling or training": "employment",
    "medicaid": "medicaid",
    "medicare": "medicare",
    "private health insurance": "private_insurance",
    "sliding fee scale (fee is based on income and other factors)": "sliding_scale",
    "sliding fee scale": "sliding_scale",
    "payment assistance (check with facility for details)": "payment_assistance",
    "psychiatric emergency walk-in services": "walk_in",
    "adult women": "women",
    "pregnant/postpartum women": "pregnant_people",
    "veterans": "veterans",
    "lesbian, gay, bisexual, or transgender (lgbt) clients": "lgbtq",
    "clients referred from the court/judicial system": "justice_involved",
    "adolescents": "youth",
    "children/adolescents": "youth",
    "adults": "adults",
}
# SAMHSA's short service codes (the API's sCodes), where a response carries them.
CODES = {
    "SA": "treatment",
    "OP": "outpatient_treatment",
    "RES": "residential_treatment",
    "DT": "withdrawal_management",
    "BU": "buprenorphine",
    "BUM": "buprenorphine",
    "METH": "methadone",
    "OTP": "methadone",
    "MM": "methadone",
    "DM": "methadone",
    "NU": "naltrexone",
    "NXN": "naltrexone",
    "VTRL": "naltrexone",
    "MD": "medicaid",
    "MC": "medicare",
    "PI": "private_insurance",
    "SS": "sliding_scale",
    "SI": "sliding_scale",
    "PA": "payment_assistance",
    "TELE": "telehealth",
    "HIV": "hiv_testing",
    "VET": "veterans",
    "GL": "lgbtq",
    "PW": "pregnant_people",
    "CJ": "justice_involved",
}
LANGUAGE_CODES = {
    "spanish": "es",
    "sp": "es",
    "german": "de",
    "french": "fr",
    "chinese": "zh",
    "vietnamese": "vi",
    "korean": "ko",
    "russian": "ru",
    "arabic": "ar",
    "tagalog": "tl",
    "portuguese": "pt",
    "italian": "it",
    "polish": "pl",
    "haitian creole": "ht",
    "hmong": "hmn",
    "american sign language": "ase",
}
SERVICE_NAMES = {"SA": "Substance use treatment", "MH": "Mental health treatment"}


def term_codes(services: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The taxonomy codes and language codes a row's services name."""
    codes: set[str] = set()
    languages: set[str] = set()
    for entry in services:
        category = str(entry.get("f2") or "").strip().upper()
        if category in CODES:
            codes.add(CODES[category])
        for item in str(entry.get("f3") or "").split(";"):
            text = " ".join(item.split()).lower()
            if not text:
                continue
            if text in ITEMS:
                codes.add(ITEMS[text])
            elif text.upper() in CODES:
                codes.add(CODES[text.upper()])
            spoken = category in {"OL", "LANG", "SL", "SP"} or text == "sp"
            if spoken and text in LANGUAGE_CODES:
                languages.add(LANGUAGE_CODES[text])
    return codes, languages

"""How each state legality note reads: the status rules and the English and Spanish wording.

Used by ``tools/build_legality.py``. The constants below are the facts that decide whole topics
(which states still ban fentanyl test strips, which states authorize overdose prevention centers),
each with its source and date; ``docs/legality-method.md`` explains the rules.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CURATED = Path(__file__).resolve().parents[1] / "seed" / "legality" / "_curated"
CITATION_FIXES = CURATED / "citation_fixes.csv"
FTS_ENACTING_LAWS = CURATED / "fts_enacting_laws.csv"

REVIEWED_AT = "2026-11-24"
TOPICS = (
    "naloxone",
    "fentanyl_test_strips",
    "syringe_services",
    "good_samaritan",
    "overdose_prevention_centers",
    "drug_possession",
    "treatment_access",
)

FDA_OTC_DATE = "2023-03-29"
FDA_OTC_URL = (
    "https://www.fda.gov/news-events/press-announcements/"
    "fda-approves-first-over-counter-naloxone-nasal-spray"
)
PDAPS_GSL_DATE = "2021-06-01"
PDAPS_GSL_URL = "https://phlr.org/product/good-samaritan-overdose-prevention-laws"
SSP_2019_DATE = "2019-08-01"
SSP_2019_URL = "https://doi.org/10.1177/0033354920921817"
LAWATLAS_DATE = "2017-07-01"
LAWATLAS_URL = "https://lawatlas.org/datasets/paraphernalia-laws"
LAPPA_URL = (
    "https://legislativeanalysis.org/drug-checking-equipment-needles-syringes-and-drug-"
    "paraphernalia-summary-of-state-laws/"
)

# Iowa Capital Dispatch (2024-08-26, republished by Bleeding Heartland): "As of July, fentanyl
# test strips are only illegal in Iowa, Idaho, Indiana, North Dakota, and Texas." Every other state
# and DC is therefore built as "allowed" as of July 2024; the five get curated rows.
FTS_STILL_PARAPHERNALIA_JULY_2024 = frozenset({"IA", "ID", "IN", "ND", "TX"})
FTS_DATE = "2024-07-01"
FTS_SOURCE = (
    "Iowa Capital Dispatch (2024-08-26): strips still paraphernalia only in IA, ID, IN, ND, TX "
    "as of July 2024; state detail: LAPPA summary of state laws (Dec 2023)"
)

# Vermont became the third state to authorize overdose prevention centers, after Rhode Island and
# Minnesota, when its legislature overrode the governor's veto on 2024-06-17 (Filter / Marijuana
# Moment). States without such a law get an "unclear" note unless a curated row says more.
OPC_NO_LAW_DATE = "2024-06-17"
OPC_URL = "https://www.law.cornell.edu/uscode/text/21/856"
OPC_SOURCE = (
    "21 U.S.C. § 856 (LII); Rhode Island, Minnesota and Vermont the only states with laws allowing "
    "overdose prevention centers as of 2024-06-17 (Filter / Marijuana Moment)"
)

# Treatment access: federal law decides what a person can expect everywhere. The DATA-waiver
# ("X-waiver") ended on 2022-12-29 (Consolidated Appropriations Act, 2023, § 1262; DEA Q&A); the
# SAMHSA rule revising 42 CFR Part 8 took effect 2024-04-02 (compliance 2024-10-02): admission
# without a year of addiction history, medication not conditioned on counseling, take-home methadone
# up to 28 days; the DEA/HHS rule letting buprenorphine start by telemedicine (audio-only included)
# for up to six months took effect 2025-12-31 after two delays (Pew, 2026-01-15); the DEA's fourth
# temporary extension keeps the other telemedicine flexibilities through 2026-12-31 (National Law
# Review, 2026-01-13). State detail comes from ``_curated/review_2026/treatment_access.csv``.
TREATMENT_DATE = "2026-01-15"
TREATMENT_URL = (
    "https://www.pew.org/pl/research-and-analysis/articles/2026/01/15/"
    "federal-government-permanently-extends-addiction-treatment-through-telehealth"
)
TREATMENT_SOURCE = (
    "Pew (2026-01-15) on the DEA buprenorphine telemedicine rule; DEA telemedicine extension to "
    "2026-12-31 (National Law Review); SAMHSA 42 CFR Part 8 rule (2024); DEA X-waiver Q&A (2023)"
)
TREATMENT_CITATION = (
    "21 U.S.C. § 823(g) (Consolidated Appropriations Act, 2023, § 1262); 42 CFR Part 8 "
    "(89 FR 7528, 2024); 21 CFR Part 1306 (90 FR 6504, 2025); 21 CFR § 1307.41"
)


@dataclass(frozen=True)
class Place:
    """A jurisdiction's names, and the phrases the templates need around them."""

    code: str
    name: str
    name_es: str

    @property
    def in_en(self) -> str:
        return f"the {self.name}" if self.code == "DC" else self.name

    @property
    def de_es(self) -> str:
        return "del Distrito de Columbia" if self.code == "DC" else f"de {self.name_es}"

    @property
    def en_es(self) -> str:
        return "en el Distrito de Columbia" if self.code == "DC" else f"en {self.name_es}"


@dataclass
class Note:
    """One legality note, in the shape of ``seed/legality/<ST>.json``."""

    topic: str
    status: str
    summary: dict[str, str]
    citation: str | None
    source_name: str
    source_url: str
    law_as_of: str
    reviewed_at: str = REVIEWED_AT
    # What a review looked at for this note, so the next one starts where it stopped:
    # ``[{"url": ..., "note": "what it says, its date"}]`` (``url`` null for a source without one).
    sources_checked: list[dict[str, str | None]] = field(default_factory=list)


def build_note(topic: str, place: Place, data: dict[str, dict[str, dict[str, str]]]) -> Note:
    """The dataset-derived note for one topic; jurisdictions the datasets miss get a placeholder
    that a curated row must replace (``main`` fails if one is left)."""
    builders = {
        "naloxone": lambda: naloxone_note(place, data["naloxone"].get(place.code)),
        "fentanyl_test_strips": lambda: fts_note(place, data["syringe"].get(place.code)),
        "syringe_services": lambda: syringe_note(
            place, data["ssp"].get(place.code), data["syringe"].get(place.code)
        ),
        "good_samaritan": lambda: good_samaritan_note(place, data["gsl"].get(place.code)),
        "overdose_prevention_centers": lambda: opc_note(place),
        "drug_possession": lambda: possession_note(place, data["syringe"].get(place.code)),
        "treatment_access": lambda: treatment_note(),
    }
    return builders[topic]()


def missing(topic: str) -> Note:
    return Note(topic, "unclear", {"en": "", "es": ""}, None, "", "", "")


def naloxone_note(place: Place, row: dict[str, str] | None) -> Note:
    if row is None:
        return missing("naloxone")
    en = [
        "You can buy naloxone nasal spray (such as Narcan) without a prescription at pharmacies, "
        "stores and online; the FDA approved it for over-the-counter sale in March 2023."
    ]
    es = [
        "Puede comprar naloxona en aerosol nasal (como Narcan) sin receta en farmacias, tiendas y "
        "por internet; la FDA aprobó su venta libre en marzo de 2023."
    ]
    pharmacist = row["pharmacist_dispensing_without_patient_rx"] == "1"
    third_party = row["third_party_prescribing_allowed"] == "1"
    if pharmacist and third_party:
        en.append(
            f"Under {place.name} law as of July 2017, pharmacists could also dispense it without "
            "your own prescription, and prescribers could prescribe it to a relative or friend."
        )
        es.append(
            f"Según la ley {place.de_es} vigente en julio de 2017, los farmacéuticos también "
            "podían entregarla sin una receta a su nombre y los médicos podían recetarla a un "
            "familiar o amigo."
        )
    elif pharmacist:
        en.append(
            f"Under {place.name} law as of July 2017, pharmacists could also dispense it without "
            "your own prescription."
        )
        es.append(
            f"Según la ley {place.de_es} vigente en julio de 2017, los farmacéuticos también "
            "podían entregarla sin una receta a su nombre."
        )
    elif third_party:
        en.append(
            f"Under {place.name} law as of July 2017, prescribers could also prescribe it to a "
            "relative or friend."
        )
        es.append(
            f"Según la ley {place.de_es} vigente en julio de 2017, los médicos también podían "
            "recetarla a un familiar o amigo."
        )
    civil = row["layperson_civil_immunity"] == "1"
    criminal = row["layperson_criminal_immunity"] == "1"
    shields = {
        (True, True): ("lawsuits and criminal charges", "demandas y de cargos penales"),
        (True, False): ("lawsuits", "demandas"),
        (False, True): ("criminal charges", "cargos penales"),
    }.get((civil, criminal))
    if shields:
        subject_en = "It also" if len(en) > 1 else f"{place.name} law as of July 2017"
        subject_es = "También" if len(es) > 1 else f"La ley {place.de_es} vigente en julio de 2017"
        en.append(
            f"{subject_en} protected people who give naloxone in an emergency from {shields[0]}."
        )
        es.append(
            f"{subject_es} protegía de {shields[1]} a quien administrara naloxona en una "
            "emergencia."
        )
    return Note(
        topic="naloxone",
        status="allowed",
        summary={"en": " ".join(en), "es": " ".join(es)},
        citation=clean_naloxone_citation(row["_citation_naaddressoaayn"]),
        source_name=(
            "U.S. FDA over-the-counter approval of Narcan nasal spray (2023-03-29); state "
            "provisions: PDAPS Naloxone Overdose Prevention Laws (as of 2017-07-01)"
        ),
        source_url=FDA_OTC_URL,
        law_as_of=FDA_OTC_DATE,
    )


def clean_naloxone_citation(text: str) -> str:
    """PDAPS naloxone citations: drop the '( Full Title: ...)' tails and topic labels."""
    text = re.sub(r"\(\s*Full Title:[^)]*\)", "", unescape(text))
    text = re.sub(r"Naloxone (access )?law - ", "", text)
    return fix_citation(text)


def fts_note(place: Place, row: dict[str, str] | None) -> Note:
    if row is None or place.code in FTS_STILL_PARAPHERNALIA_JULY_2024:
        return missing("fentanyl_test_strips")
    en = [
        f"As of July 2024, fentanyl test strips were not illegal drug paraphernalia in "
        f"{place.in_en}, so you can carry and use them."
    ]
    es = [
        f"En julio de 2024, las tiras reactivas de fentanilo no eran parafernalia ilegal "
        f"{place.en_es}, así que puede llevarlas y usarlas."
    ]
    enacted = fts_enacting_laws().get(place.code)
    source_name = FTS_SOURCE
    if enacted:
        en.append(f"The state changed its law in {enacted['year']} to allow them.")
        es.append(f"El estado cambió su ley en {enacted['year']} para permitirlas.")
        source_name = f"{FTS_SOURCE}; {place.code} law: {enacted['source_name']}"
    if row["poparayn"] != "1":
        en.append(no_paraphernalia_law_en(place))
        es.append(no_paraphernalia_law_es(place))
    elif enacted:
        en.append("Other drug-checking tools may still count as paraphernalia.")
        es.append("Otros equipos para analizar drogas todavía podrían contar como parafernalia.")
    else:
        # The exemption's section differs from the syringe sections LawAtlas cites, and no dataset
        # here records it, so the note points to LAPPA rather than cite the wrong section.
        en.append(
            "Other drug-checking tools may still count as paraphernalia, and we have not recorded "
            "the statute that exempts the strips; LAPPA's state summary cites it."
        )
        es.append(
            "Otros equipos para analizar drogas todavía podrían contar como parafernalia, y no "
            "hemos registrado la ley que exime las tiras; el resumen estatal de LAPPA la cita."
        )
    return Note(
        topic="fentanyl_test_strips",
        status="allowed",
        summary={"en": " ".join(en), "es": " ".join(es)},
        citation=enacted["citation"] if enacted else None,
        source_name=source_name,
        source_url=LAPPA_URL,
        law_as_of=FTS_DATE,
    )


@cache
def fts_enacting_laws() -> dict[str, dict[str, str]]:
    """The law that legalized the strips, for the states where we read it (each with a source)."""
    with FTS_ENACTING_LAWS.open(encoding="utf-8") as fh:
        return {row["state"]: row for row in csv.DictReader(fh)}


def no_paraphernalia_law_en(place: Place) -> str:
    if place.code == "AK":
        return "Alaska has no state drug paraphernalia law."
    return (
        f"LawAtlas found no {place.name} law against possessing drug paraphernalia "
        "(as of July 2017)."
    )


def no_paraphernalia_law_es(place: Place) -> str:
    if place.code == "AK":
        return "Alaska no tiene ninguna ley estatal sobre parafernalia de drogas."
    return (
        f"LawAtlas no encontró ninguna ley {place.de_es} que castigue la posesión de parafernalia "
        "de drogas (a julio de 2017)."
    )


SSP_REASONS = {
    "paraphernalia_def_excludes_injection_objects_2019": (
        "its drug paraphernalia law excludes syringes",
        "su ley de parafernalia de drogas excluye las jeringas",
    ),
    "paraphernalia_def_no_ref_injection_objects_2019": (
        "its drug paraphernalia law does not mention syringes",
        "su ley de parafernalia de drogas no menciona las jeringas",
    ),
    "law_not_prohibit_free_syringe_distribution_2019": (
        "state law does not forbid giving out syringes for free",
        "la ley estatal no prohíbe regalar jeringas",
    ),
}


def syringe_note(
    place: Place, ssp: dict[str, str] | None, possession: dict[str, str] | None
) -> Note:
    """Program status from the 2019 SSP law table; carrying syringes from LawAtlas (2017)."""
    if ssp is None or possession is None:
        return missing("syringe_services")
    if ssp["ssp_law_explicitly_authorizes_2019"] == "1":
        status = "allowed"
        en = (
            f"{place.name} law explicitly allows syringe services programs, where you can get "
            "sterile syringes and supplies and drop off used ones (as of August 2019)."
        )
        es = (
            f"La ley {place.de_es} autoriza expresamente los programas de servicios de jeringas, "
            "donde puede obtener jeringas estériles y otros materiales y dejar las usadas "
            "(a agosto de 2019)."
        )
    elif ssp["no_state_paraphernalia_law_2019"] == "1":
        status = "allowed"
        en = (
            f"{place.name} has no state drug paraphernalia law, so handing out or carrying sterile "
            "syringes is not a state crime (as of August 2019)."
        )
        es = (
            f"{place.name_es} no tiene ninguna ley estatal sobre parafernalia de drogas, así que "
            "repartir o llevar jeringas estériles no es un delito estatal (a agosto de 2019)."
        )
    elif reasons := [SSP_REASONS[key] for key in SSP_REASONS if ssp[key] == "1"]:
        status = "allowed_with_conditions"
        en = (
            f"{place.name} law does not expressly authorize syringe services programs, but "
            f"{' and '.join(r[0] for r in reasons)} (as of August 2019)."
        )
        es = (
            f"La ley {place.de_es} no autoriza expresamente los programas de servicios de "
            f"jeringas, pero {' y '.join(r[1] for r in reasons)} (a agosto de 2019)."
        )
    else:
        status = "unclear"
        en = (
            f"No {place.name} law had removed the legal uncertainty around syringe services "
            "programs as of August 2019, so programs may work in a legal gray area."
        )
        es = (
            f"En agosto de 2019 ninguna ley {place.de_es} había despejado la incertidumbre legal "
            "sobre los programas de servicios de jeringas, que pueden funcionar en una zona gris."
        )
    carry_en, carry_es = syringe_possession_sentences(place, possession, status)
    if ssp["no_state_paraphernalia_law_2019"] == "1" or (
        carry_en.startswith("Syringes were left out") and status == "allowed_with_conditions"
    ):
        carry_en, carry_es = "", ""  # the first sentence already says so
    asks = "ask" in carry_en.lower()
    exceptions = possession["poparaexcpts"] == "Yes"
    citation = lawatlas_citation(
        possession, "_citation_poparaexcpts" if exceptions else "_citation_poparayn"
    )
    return Note(
        topic="syringe_services",
        status=status,
        summary={
            "en": sentences(
                en,
                carry_en,
                "The law may have changed since." if asks else CHANGED_ASK_EN,
            ),
            "es": sentences(
                es,
                carry_es,
                "La ley puede haber cambiado desde entonces." if asks else CHANGED_ASK_ES,
            ),
        },
        citation=citation,
        source_name=(
            "Fernández-Viña et al., State Laws Governing Syringe Services Programs, Public Health "
            "Reports 2020 (law as of 2019-08-01); syringe possession: LawAtlas (as of 2017-07-01)"
        ),
        source_url=SSP_2019_URL,
        law_as_of=SSP_2019_DATE,
    )


POSSESSION_EXCEPTIONS = {
    "For participants in syringe exchange programs": (
        "for program participants",
        "para participantes de programas",
    ),
    "For people who acquire syringes from a pharmacy": (
        "when bought at a pharmacy",
        "si se compran en una farmacia",
    ),
    "For a limited number of syringes": ("in limited numbers", "en cantidades limitadas"),
    "For legitimate medical purposes, the prevention of disease or other similar justification": (
        "to prevent disease",
        "para prevenir enfermedades",
    ),
}


CHANGED_ASK_EN = "The law may have changed since; ask a local program."
CHANGED_ASK_ES = "La ley puede haber cambiado desde entonces; pregunte en un programa local."


def syringe_possession_sentences(
    place: Place, row: dict[str, str], program_status: str
) -> tuple[str, str]:
    """What LawAtlas (2017) found about carrying syringes; where programs are authorized but the
    2017 law had no exception, the reader is told to ask the program (the 2019 authorization may
    cover its participants)."""
    if row["poparayn"] != "1":
        return no_paraphernalia_law_en(place), no_paraphernalia_law_es(place)
    if row["poparaneyn"] == "1" or row["poparaexyn"].startswith("Yes"):
        return (
            "Syringes were left out of its drug paraphernalia law (as of July 2017).",
            "Las jeringas estaban fuera de su ley de parafernalia de drogas (a julio de 2017).",
        )
    if row["poparaexcpts"] == "Yes":
        listed = [v for k, v in POSSESSION_EXCEPTIONS.items() if k in row["poexcptlst"]]
        if listed:
            return (
                "Carrying syringes was allowed "
                f"{join_en([en for en, _ in listed])} (as of July 2017).",
                f"Llevar jeringas estaba permitido {join_es([es for _, es in listed])} "
                "(a julio de 2017).",
            )
    if row["poparaexcpts"] == "Not defined as illegal":
        return (
            "Carrying syringes was not illegal under state law (as of July 2017).",
            "Llevar jeringas no era ilegal según la ley estatal (a julio de 2017).",
        )
    if program_status == "allowed":
        return (
            "Ask the program whether you may carry its syringes: in July 2017 the state's "
            "paraphernalia law had no exception for syringes.",
            "Pregunte en el programa si puede llevar sus jeringas: en julio de 2017 la ley de "
            "parafernalia del estado no tenía ninguna excepción para las jeringas.",
        )
    return (
        "Its paraphernalia law had no exception for syringes, so carrying them could lead to a "
        "charge (as of July 2017).",
        "Su ley de parafernalia no tenía ninguna excepción para las jeringas, así que llevarlas "
        "podía dar lugar a un cargo (a julio de 2017).",
    )


GSL_PROTECTIONS = {
    "Arrest": ("arrest", "el arresto"),
    "Charge": ("charges", "los cargos"),
    "Prosecution": ("prosecution", "el enjuiciamiento"),
}
FULL_PROTECTION = frozenset(GSL_PROTECTIONS)


def good_samaritan_note(place: Place, row: dict[str, str] | None) -> Note:
    """Protected (allowed) only when the law covers arrest, charge and prosecution for both drug
    and paraphernalia possession; any other Good Samaritan law is protection with limits."""
    if row is None or row["goodsam-law"] != "1":
        return missing("good_samaritan")
    drugs = protections(row, "goodsam-cs")
    gear = protections(row, "goodsam-paraphernalia")
    status = (
        "allowed"
        if drugs >= FULL_PROTECTION and gear >= FULL_PROTECTION
        else "allowed_with_conditions"
    )
    first_en, first_es = gsl_first_sentence(place, drugs, gear)
    en, es = [first_en], [first_es]
    if row["goodsam-paroleyn"] == "0":  # the PDAPS codebook codes 0 as "Yes" for this question
        en.append("It also gives some protection from probation or parole violations.")
        es.append(
            "También da cierta protección frente a violaciones de la libertad condicional o "
            "probatoria."
        )
    elif row["goodsam-paroleyn"] == "1":
        en.append("It does not protect you from probation or parole violations.")
        es.append("No lo protege de violaciones de la libertad condicional o probatoria.")
    en.append("This is the law as of June 1, 2021 (PDAPS); it may have changed since.")
    es.append(
        "Esta es la ley vigente al 1 de junio de 2021 (PDAPS); puede haber cambiado desde entonces."
    )
    return Note(
        topic="good_samaritan",
        status=status,
        summary={"en": " ".join(en), "es": " ".join(es)},
        citation=clean_gsl_citation(row["citation"]),
        source_name=(
            "PDAPS Good Samaritan Overdose Prevention Laws (Center for Public Health Law "
            "Research), as of 2021-06-01"
        ),
        source_url=PDAPS_GSL_URL,
        law_as_of=PDAPS_GSL_DATE,
    )


def protections(row: dict[str, str], prefix: str) -> frozenset[str]:
    kinds = (
        *GSL_PROTECTIONS,
        "Law provides an affirmative defense",
        "Law provides other procedural protections",
    )
    return frozenset(kind for kind in kinds if row[f"{prefix}_{kind}"] == "1")


def protection_phrase(kinds: frozenset[str]) -> tuple[str, str, str, str]:
    """What the law gives you, in English and Spanish, each with the words that link it to the
    offence ("protects you from arrest" + "for" / "gives you a defense" + "against charges of")."""
    listed = [GSL_PROTECTIONS[k] for k in GSL_PROTECTIONS if k in kinds]
    if listed:
        return (
            f"protects you from {join_en([en for en, _ in listed])}",
            f"lo protege {de(join_es([es for _, es in listed]))}",
            "for",
            "por",
        )
    if "Law provides an affirmative defense" in kinds:
        phrases = ("gives you a defense in court", "le da una defensa en el juicio")
    else:
        phrases = ("gives you some procedural protection", "le da cierta protección procesal")
    return (*phrases, "against charges of", "contra cargos por")


def gsl_first_sentence(
    place: Place, drugs: frozenset[str], gear: frozenset[str]
) -> tuple[str, str]:
    drugs_en, drugs_es, link_en, link_es = protection_phrase(drugs)
    opening_en = f"If you seek help for an overdose, {place.name} law {drugs_en} {link_en}"
    opening_es = f"Si busca ayuda por una sobredosis, la ley {place.de_es} {drugs_es} {link_es}"
    if drugs == gear:
        return (
            f"{opening_en} possessing drugs or drug paraphernalia.",
            f"{opening_es} posesión de drogas o de parafernalia.",
        )
    if not gear:
        return (
            f"{opening_en} possessing drugs, but not for drug paraphernalia.",
            f"{opening_es} posesión de drogas, pero no por parafernalia.",
        )
    listed = [GSL_PROTECTIONS[k] for k in GSL_PROTECTIONS if k in gear]
    if listed:
        gear_en = f"and from {join_en([en for en, _ in listed])} for drug paraphernalia"
        gear_es = f"y {de(join_es([es for _, es in listed]))} por parafernalia"
    else:
        gear_en = "and gives you a defense in court against paraphernalia charges"
        gear_es = "y le da una defensa en el juicio contra cargos por parafernalia"
    return (
        f"{opening_en} possessing drugs, {gear_en}.",
        f"{opening_es} posesión de drogas {gear_es}.",
    )


def clean_gsl_citation(text: str) -> str:
    """PDAPS Good Samaritan citations: keep each statute's number, drop titles and repeats."""
    cites: list[str] = []
    for part in unescape(text).split(";"):
        part = part.strip()
        # A section number may contain dots ("961.443") but ends at a dot before a title.
        number = r"[0-9](?:[\w:/\-–]|\.(?=\w))*(?:\([a-z0-9]+\))*"
        marker = "§+\\s*" if "§" in part else r"Stat\.\s+"
        match = re.match(rf"(.*?{marker}{number})", part)
        if match is None:
            continue
        cite = fix_citation(match.group(1))
        if cite not in cites:
            cites.append(cite)
    return "; ".join(cites)


def opc_note(place: Place) -> Note:
    return Note(
        topic="overdose_prevention_centers",
        status="unclear",
        summary={
            "en": (
                "As of June 2024 only Rhode Island, Minnesota and Vermont had state laws allowing "
                "overdose prevention centers (supervised consumption sites); "
                f"{place.in_en} had no such law. Federal law (21 U.S.C. § 856) has been read to "
                "forbid them, so running one here risks prosecution."
            ),
            "es": (
                "En junio de 2024 solo Rhode Island, Minnesota y Vermont tenían leyes estatales "
                "que permitían centros de prevención de sobredosis (sitios de consumo "
                f"supervisado); {place.en_es} no había ninguna ley así. La ley federal "
                "(21 U.S.C. § 856) se ha interpretado como una prohibición, así que operar uno "
                "aquí conlleva riesgo de procesamiento."
            ),
        },
        citation="21 U.S.C. § 856",
        source_name=OPC_SOURCE,
        source_url=OPC_URL,
        law_as_of=OPC_NO_LAW_DATE,
    )


def treatment_note() -> Note:
    """The federal facts, the same in every jurisdiction; review rows add the state's own."""
    return Note(
        topic="treatment_access",
        status="allowed",
        summary={
            "en": (
                "Any prescriber with a DEA registration can prescribe buprenorphine for opioid "
                "addiction; the special X-waiver ended in January 2023, and since December 31, "
                "2025 you can start it by video or phone visit for up to six months. Methadone "
                "for addiction comes only from opioid treatment programs (methadone clinics), "
                "which since 2024 can start you without a year of addiction history or required "
                "counseling and give take-home doses sooner. State rules for clinics vary; ask "
                "the program."
            ),
            "es": (
                "Cualquier profesional con registro de la DEA puede recetar buprenorfina para la "
                "adicción a los opioides; el permiso especial (X-waiver) dejó de exigirse en enero "
                "de 2023, y desde el 31 de diciembre de 2025 puede empezarla por videollamada o "
                "por teléfono durante un máximo de seis meses. La metadona para la adicción solo "
                "se da en programas de tratamiento de opioides (clínicas de metadona), que desde "
                "2024 pueden admitirle sin un año de historial de adicción ni consejería "
                "obligatoria y darle antes dosis para llevar a casa. Las reglas estatales para "
                "las clínicas varían; pregunte en el programa."
            ),
        },
        citation=TREATMENT_CITATION,
        source_name=TREATMENT_SOURCE,
        source_url=TREATMENT_URL,
        law_as_of=TREATMENT_DATE,
    )


AMOUNT_RULINGS = {
    "Any": (
        "courts there have held that any amount, even a trace, can be enough for a charge",
        "los tribunales han decidido que cualquier cantidad, incluso una mínima, puede "
        "bastar para una acusación",
    ),
    "Measurable or Identifiable": (
        "courts there have required a measurable amount for a charge",
        "los tribunales han exigido una cantidad medible para una acusación",
    ),
    "Usable": (
        "courts there have required a usable amount for a charge",
        "los tribunales han exigido una cantidad utilizable para una acusación",
    ),
}


def possession_note(place: Place, row: dict[str, str] | None) -> Note:
    if row is None or row["dpyn"] != "1":
        return missing("drug_possession")
    en = [
        "Possessing illegal drugs such as fentanyl, heroin, cocaine or methamphetamine is a crime "
        f"in {place.in_en}, even in small amounts."
    ]
    es = [
        "Poseer drogas ilegales como fentanilo, heroína, cocaína o metanfetamina es un delito "
        f"{place.en_es}, incluso en pequeñas cantidades."
    ]
    rulings = [AMOUNT_RULINGS[k] for k in AMOUNT_RULINGS if row["dpjudhostams"] == k]
    # LawAtlas's residue exemptions are narrow (residue in syringes from a program, or after
    # warning a responder), so the note says "in some cases" rather than "exempts residue".
    residue_exempt = row["dpstatex"] == "1"
    residue_en = "state law exempts drug residue in some cases, such as syringes from a program"
    residue_es = (
        "la ley estatal excluye los residuos de drogas en algunos casos, como en jeringas de un "
        "programa"
    )
    if rulings and residue_exempt:
        en.append(f"{rulings[0][0].capitalize()}, but {residue_en}.")
        es.append(f"{rulings[0][1].capitalize()}, pero {residue_es}.")
    elif rulings:
        en.append(f"{rulings[0][0].capitalize()}.")
        es.append(f"{rulings[0][1].capitalize()}.")
    elif residue_exempt:
        en.append(f"{residue_en.capitalize()}.")
        es.append(f"{residue_es.capitalize()}.")
    en.append("This is the law as of July 2017 (LawAtlas); it may have changed since.")
    es.append(
        "Esta es la ley vigente en julio de 2017 (LawAtlas); puede haber cambiado desde entonces."
    )
    return Note(
        topic="drug_possession",
        status="prohibited",
        summary={"en": " ".join(en), "es": " ".join(es)},
        citation=lawatlas_citation(row, "_citation_dpyn"),
        source_name=(
            "LawAtlas Syringe Possession Laws (Center for Public Health Law Research), drug "
            "possession questions, as of 2017-07-01"
        ),
        source_url=LAWATLAS_URL,
        law_as_of=LAWATLAS_DATE,
    )


# --- text helpers ------------------------------------------------------------------------------


def lawatlas_citation(row: dict[str, str], column: str) -> str | None:
    return fix_citation(row[column]) or None


def fix_citation(text: str) -> str:
    """A dataset's citation with spacing and dashes normalised, then written out in the usual
    form when ``_curated/citation_fixes.csv`` lists it."""
    text = re.sub(r"§(?=[^\s§])", "§ ", tidy(unescape(text)).replace("–", "-"))
    return citation_fixes().get(text, text)


@cache
def citation_fixes() -> dict[str, str]:
    with CITATION_FIXES.open(encoding="utf-8") as fh:
        return {row["as_published"]: row["citation"] for row in csv.DictReader(fh)}


def unescape(text: str) -> str:
    return text.replace("&amp;", "&")


def tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,;")


def join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def de(phrase: str) -> str:
    """Spanish "de" before a phrase, contracted before the article "el"."""
    return f"del {phrase[3:]}" if phrase.startswith("el ") else f"de {phrase}"


def join_es(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} y {items[-1]}"

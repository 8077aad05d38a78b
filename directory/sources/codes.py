"""Code lists: survey codes mapped onto taxonomy terms, and the services a row is cut into.

SAMHSA's directories describe each facility by a column of codes (``"SA DT * OP * BU MU * NOE PEER
* SS SP"``). A mapping file names a decision for every code it knows, kept as data beside the
spec (``seed/sources/samhsa_service_codes.csv``): the taxonomy codes and languages it gives, or
why it gives nothing. The spec then cuts each row into services, one per need group, so a card
says what matched ("Naloxone and overdose education (for clients — call to ask)") rather than one
"Substance use treatment" carrying everything: categories go to the service that takes them,
other terms (cost, access, population) go to the main service, those the spec names
``everywhere`` (what it costs) to every service, and languages to every service.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Codes are separated by spaces, their survey categories by " * ".
_CATEGORY_MARK = "*"


class CodeListError(ValueError):
    """The code mapping file or the spec's service cut is wrong."""


@dataclass(frozen=True)
class CodeDecision:
    """What one code means here: taxonomy terms, a spoken language, or nothing (and why)."""

    code: str
    terms: tuple[str, ...]
    language: tuple[str, str] | None  # (ISO 639 code, name)
    why: str


@dataclass(frozen=True)
class ServiceCut:
    """One service a row may become: it takes these categories, labelled for its name."""

    key: str
    name: str  # may say "{categories}": the labels of the categories the row has, as a list
    description: str | None
    categories: dict[str, str]  # taxonomy code → label in the name
    fixed: tuple[str, ...] = ()  # terms the service always has (the main service's own)

    @property
    def takes(self) -> set[str]:
        return set(self.categories) | set(self.fixed)

    def render_name(self, present: set[str]) -> str:
        labels = [label for code, label in self.categories.items() if code in present]
        return self.name.replace("{categories}", _as_list(labels))


@dataclass(frozen=True)
class Offer:
    """One service cut from one row: its key suffix, name, description, terms and languages."""

    key: str
    name: str
    description: str | None
    terms: set[str]
    languages: list[list[str]]


@dataclass(frozen=True)
class CodeList:
    column: str
    decisions: dict[str, CodeDecision]
    main: ServiceCut
    cuts: tuple[ServiceCut, ...]
    # Every category some service takes; any other term is the main service's.
    categories: frozenset[str] = field(default_factory=frozenset)
    # Terms every service of the row gets (cost: a searcher asks "free buprenorphine"). Kept
    # few on purpose: each is a row per service, and the SAMHSA files make ~60,000 services.
    everywhere: frozenset[str] = field(default_factory=frozenset)

    @property
    def all_terms(self) -> set[str]:
        terms = {term for decision in self.decisions.values() for term in decision.terms}
        return terms | set(self.main.fixed) | set(self.categories)

    def offers(self, text: str, unknown: set[str]) -> list[Offer]:
        """The services one row's codes make (the main one always), noting codes with no
        decision in ``unknown``: a newer edition's new code is reported, not guessed."""
        terms: set[str] = set()
        languages: dict[str, str] = {}
        for code in text.split():
            if code == _CATEGORY_MARK:
                continue
            decision = self.decisions.get(code)
            if decision is None:
                unknown.add(code)
                continue
            terms.update(decision.terms)
            if decision.language is not None:
                languages.setdefault(*decision.language)
        shared = {term for term in terms if term not in self.categories}
        spoken = [[code, name] for code, name in sorted(languages.items())]
        offers = []
        everywhere = shared & self.everywhere
        for cut in (self.main, *self.cuts):
            taken = terms & cut.takes
            if cut is not self.main and not taken:
                continue
            extra = shared if cut is self.main else everywhere
            offers.append(
                Offer(
                    key=cut.key,
                    name=cut.render_name(taken),
                    description=cut.description,
                    terms=taken | set(cut.fixed) | extra,
                    languages=spoken,
                )
            )
        return offers


def load_code_list(
    folder: Path, codes: dict[str, Any], service: dict[str, Any], cuts: list[dict[str, Any]]
) -> CodeList:
    """The ``[codes]`` table, the main ``[service]`` and the ``[[services]]`` cut of a spec."""
    decisions = read_decisions(folder / codes["map"])
    main = ServiceCut(
        key="",
        name=service["name"],
        description=service.get("description"),
        categories=dict(service.get("takes", {})),
        fixed=tuple(service.get("categories", ())),
    )
    services = tuple(
        ServiceCut(
            key=cut["key"],
            name=cut["name"],
            description=cut.get("description"),
            categories=dict(cut["takes"]),
        )
        for cut in cuts
    )
    keys = [cut.key for cut in services]
    if len(set(keys)) != len(keys) or "" in keys:
        raise CodeListError(f"each [[services]] needs its own non-empty key: {keys}")
    taken = [code for cut in (main, *services) for code in cut.takes]
    if len(set(taken)) != len(taken):
        raise CodeListError("a term is taken by more than one service")
    return CodeList(
        column=codes["column"],
        decisions=decisions,
        main=main,
        cuts=services,
        categories=frozenset(taken),
        everywhere=frozenset(codes.get("everywhere", ())),
    )


def read_decisions(path: Path) -> dict[str, CodeDecision]:
    """``code,category,service_name,maps_to,language,why``: one line per code."""
    decisions: dict[str, CodeDecision] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for line in csv.DictReader(handle):
                code = line["code"].strip()
                if code in decisions:
                    raise CodeListError(f"{path.name}: code {code} is decided twice")
                language = line["language"].strip()
                terms = tuple(line["maps_to"].split())
                if not terms and not language and not line["why"].strip():
                    raise CodeListError(f"{path.name}: code {code} maps to nothing, says not why")
                decisions[code] = CodeDecision(
                    code=code,
                    terms=terms,
                    language=(language, line["service_name"].strip()) if language else None,
                    why=line["why"].strip(),
                )
    except OSError as error:
        raise CodeListError(f"{path.name}: cannot be read ({error})") from error
    return decisions


def _as_list(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]

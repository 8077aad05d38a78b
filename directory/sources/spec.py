"""Declarative source files: what ``seed/sources/NAME.toml`` may say, read into a SourceSpec.

A spec names a data file, how its columns map onto listing fields, how each row's stable key is
built, which taxonomy terms every row (or a column of each row) gives the service, which rows to
leave out, where the listing came from, and how precisely its coordinates pin the door.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from directory.config import PROJECT_ROOT
from directory.sources.codes import CodeList, CodeListError, load_code_list

SOURCES_DIR = PROJECT_ROOT / "seed" / "sources"

# Listing fields a column (or a "{column} template") may fill.
FIELDS = (
    "name",
    "alternate_name",
    "description",
    "address_1",
    "address_2",
    "city",
    "region",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "phone",
    "website",
    "position_description",
    "precision",
    "service_url",
    "service_description",
    "organization_name",
    # A yes/no column: the list says the service is reachable around the clock (a naloxone box
    # outdoors); the service then gets one all-week schedule, so "open now" can answer.
    "open_24_7",
)
REQUIRED_FIELDS = ("name", "city", "state", "postal_code")
PRECISIONS = ("exact", "approximate", "intersection")
_PLACEHOLDER = re.compile(r"{([^{}]+)}")


class SpecError(ValueError):
    """A mapping file is wrong (unknown field, missing column, unknown taxonomy code)."""


@dataclass
class Template:
    """A field's value: one column's text, or a pattern such as ``"Pharmacy — {ADDRESS}"``.

    A pattern renders to None when any column it names is blank, so a missing part never
    leaves a half-made name behind.
    """

    pattern: str

    @classmethod
    def parse(cls, text: str) -> Template:
        return cls(text if "{" in text else "{" + text + "}")

    @cached_property
    def columns(self) -> list[str]:
        return _PLACEHOLDER.findall(self.pattern)

    def render(self, row: dict[str, str]) -> str | None:
        columns = self.columns
        if len(columns) == 1 and self.pattern == "{" + columns[0] + "}":
            return (row.get(columns[0]) or "").strip() or None
        values = {column: (row.get(column) or "").strip() for column in self.columns}
        if not all(values.values()):
            return None
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.pattern).strip()


@dataclass(frozen=True)
class SkipRule:
    column: str
    values: frozenset[str]
    reason: str


@dataclass(frozen=True)
class PhoneColumn:
    """A column holding one of the place's phones, and what that line is for."""

    column: str
    description: str | None


@dataclass(frozen=True)
class SourceSpec:
    """Everything one ``seed/sources/NAME.toml`` declares."""

    name: str
    code: str
    title: str  # shown on listings, e.g. "SAMHSA locator"
    vintage: str
    url: str | None
    as_of_date: date | None
    licence: str
    order: int
    path: Path
    encoding: str
    fields: dict[str, Template]
    key_columns: tuple[str, ...]
    service_name: str
    terms: tuple[str, ...]  # taxonomy codes every row's service gets
    constants: dict[str, str] = field(default_factory=dict)  # the same value on every row
    category_column: str | None = None
    category_separator: str | None = None
    category_map: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skip: tuple[SkipRule, ...] = ()
    precision: str = "exact"
    sheet: str | None = None  # the worksheet, for an .xlsx file
    phones: tuple[PhoneColumn, ...] = ()
    # The name is split over ``name`` and ``alternate_name``: join it when the second part
    # continues the first, else the first names the organization and both the location.
    whole_names: bool = False
    codes: CodeList | None = None
    # Older sources whose listings this one replaces: not loaded any more, their rows only
    # lend their geocoded coordinates to this source's rows for the same places.
    supersedes: tuple[str, ...] = ()
    # Older sources still loaded (lists the newer one does not wholly cover): their service is
    # archived where this source lists the place, and marked "not in …" elsewhere.
    replaces: tuple[str, ...] = ()
    folder: Path = SOURCES_DIR

    @property
    def columns(self) -> set[str]:
        """Every column the spec reads: the data file must have all of them."""
        used = {column for template in self.fields.values() for column in template.columns}
        used |= set(self.key_columns) | {rule.column for rule in self.skip}
        used |= {phone.column for phone in self.phones}
        if self.category_column:
            used.add(self.category_column)
        if self.codes:
            used.add(self.codes.column)
        return used

    @property
    def all_terms(self) -> set[str]:
        terms = set(self.terms) | {code for codes in self.category_map.values() for code in codes}
        return terms | (self.codes.all_terms if self.codes else set())


def available_specs(folder: Path = SOURCES_DIR) -> list[SourceSpec]:
    """Every spec the folder loads, in load order (treatment lists first, so others merge in).

    A spec another one supersedes is left out: its rows only lend their coordinates.
    """
    specs = [load_spec(path.stem, folder) for path in folder.glob("*.toml")]
    superseded = {code for spec in specs for code in spec.supersedes}
    loaded = [spec for spec in specs if spec.code not in superseded]
    return sorted(loaded, key=lambda spec: (spec.order, spec.name))


def load_spec(name: str, folder: Path = SOURCES_DIR) -> SourceSpec:
    path = folder / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
        raise SpecError(f"no source named {name!r} (known: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _build(name, folder, data)
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as error:
        if isinstance(error, SpecError):
            raise
        if isinstance(error, CodeListError):
            raise SpecError(f"{path.name}: {error}") from error
        raise SpecError(f"{path.name}: {error!r}") from error


def _build(name: str, folder: Path, data: dict[str, Any]) -> SourceSpec:
    source, file, service = data["source"], data["file"], data["service"]
    fields = {key: Template.parse(value) for key, value in data["fields"].items()}
    constants = dict(data.get("constants", {}))
    if "description" in service:
        constants["service_description"] = service["description"]
    unknown = (set(fields) | set(constants)) - set(FIELDS)
    if unknown:
        raise SpecError(f"{name}.toml: unknown fields {sorted(unknown)}")
    missing = [key for key in REQUIRED_FIELDS if key not in fields and key not in constants]
    if missing:
        raise SpecError(f"{name}.toml: fields {missing} must be mapped")
    precision = data.get("location", {}).get("precision", "exact")
    if precision not in PRECISIONS:
        raise SpecError(f"{name}.toml: precision must be one of {PRECISIONS}")
    as_of = source.get("as_of_date")
    codes = None
    if "codes" in data:
        codes = load_code_list(folder, data["codes"], service, data.get("services", []))
    return SourceSpec(
        name=name,
        code=source["code"],
        title=source["name"],
        vintage=source["vintage"],
        url=source.get("url"),
        as_of_date=as_of if isinstance(as_of, date) else None,
        licence=source["licence"].strip(),
        order=int(source.get("order", 100)),
        path=folder / file["path"],
        encoding=file.get("encoding", "utf-8"),
        fields=fields,
        key_columns=tuple(data["key"]["columns"]),
        service_name=service["name"],
        terms=tuple(service.get("categories", ())) + tuple(service.get("attributes", ())),
        constants=constants,
        category_column=service.get("category_column"),
        category_separator=service.get("category_separator"),
        category_map={
            value: tuple(codes) for value, codes in service.get("category_map", {}).items()
        },
        skip=tuple(
            SkipRule(
                column=rule["column"],
                values=frozenset(_as_list(rule["equals"])),
                reason=rule["reason"],
            )
            for rule in data.get("skip", ())
        ),
        precision=precision,
        sheet=file.get("sheet"),
        phones=tuple(
            PhoneColumn(column=phone["column"], description=phone.get("description"))
            for phone in data.get("phones", ())
        ),
        whole_names=bool(data.get("names", {}).get("whole", False)),
        codes=codes,
        supersedes=tuple(source.get("supersedes", ())),
        replaces=tuple(source.get("replaces", ())),
        folder=folder,
    )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)

"""The rows the geo indexes hold, and the comparison key that place names are looked up by."""

import re
import unicodedata
from dataclasses import dataclass

_DROPPED_MARKS = str.maketrans("", "", ".'`ʻ‘’")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Both spellings of these words are common in US place names ("St. Louis", "Saint Paul").
_TOKEN_ALIASES = {"saint": "st", "sainte": "ste", "fort": "ft", "mount": "mt"}
# Alaska's county equivalents are boroughs, except these (Census names); without the word,
# "Anchorage, AK" would name the city.
_ALASKA_SUFFIXES = {
    "Aleutians West": "Census Area",
    "Bethel": "Census Area",
    "Dillingham": "Census Area",
    "Hoonah-Angoon": "Census Area",
    "Kusilvak": "Census Area",
    "Nome": "Census Area",
    "Prince of Wales-Hyder": "Census Area",
    "Southeast Fairbanks": "Census Area",
    "Valdez-Cordova": "Census Area",
    "Yukon-Koyukuk": "Census Area",
    "Anchorage": "Municipality",
    "Skagway": "Municipality",
    "Juneau": "City and Borough",
    "Sitka": "City and Borough",
    "Wrangell": "City and Borough",
    "Yakutat": "City and Borough",
}


def place_key(text: str) -> str:
    """A comparison key for place names: no case, accents, punctuation or St./Saint difference."""
    text = text.translate(_DROPPED_MARKS)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    tokens = _NON_ALNUM.sub(" ", text.casefold()).split()
    return " ".join(_TOKEN_ALIASES.get(token, token) for token in tokens)


@dataclass(frozen=True, slots=True)
class ZipRecord:
    code: str
    lat: float
    lng: float
    city: str
    state: str
    county: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class CityRecord:
    name: str
    state: str
    lat: float
    lng: float
    population: int
    timezone: str | None


@dataclass(frozen=True, slots=True)
class CountyRecord:
    geoid: str
    name: str
    state: str
    lat: float
    lng: float

    @property
    def label(self) -> str:
        if self.name.endswith((" city", " City")) or self.state == "DC":
            return f"{self.name}, {self.state}"
        if self.state == "AK":
            suffix = _ALASKA_SUFFIXES.get(self.name, "Borough")
        else:
            suffix = "Parish" if self.state == "LA" else "County"
        return f"{self.name} {suffix}, {self.state}"

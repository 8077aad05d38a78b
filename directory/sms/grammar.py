"""What a text message asks: a keyword (HELP, STOP…), or a place with optional need words.

A message is read as need words and small words ("near", "cerca de") at its start or its end,
in either order, around a place in the middle: "10001 naloxone", "narcan 98101", "metadona
Chicago, IL", "help near 59301". The words come from ``need_words.toml``; the place is whatever
is left, resolved later by the same parser as the search box. Since a place name can look like a
need word or a small word ("Needles, CA", "La Crosse", "Columbus IN"), the reading also offers
the less stripped alternatives (:attr:`Message.readings`) to try when the first place is unknown.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from directory.geo import STATES

# Longer texts are cut before reading: no place and need fit in more.
MAX_BODY_CHARS = 300
LONGEST_PHRASE = 3
# Words this long or longer may be matched with a typo ("nalaxone").
FUZZY_MIN_CHARS = 5
FUZZY_CUTOFF = 0.8

# Carrier and gateway keywords (CTIA; Twilio's defaults): the gateway handles opting out and in,
# so the directory answers nothing at all to them.
OPT_KEYWORDS = frozenset(
    {
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "OPT OUT",
        "START",
        "UNSTOP",
        "YES",
        "PARAR",
        "DETENER",
        "CANCELAR",
        "BAJA",
    }
)
HELP_KEYWORDS = {"HELP": "en", "INFO": "en", "?": "en", "AYUDA": "es", "INFORMACION": "es"}

# Small words around a place, dropped from the message's ends. Articles are not among them:
# they begin place names ("La Crosse", "Los Angeles", "The Dalles").
FILLER_WORDS = {
    "en": {
        "help", "near", "nearby", "in", "at", "around", "by", "for", "i", "need", "want",
        "looking", "look", "where", "wheres", "get", "can", "find", "me", "to", "please", "pls",
        "zip", "code", "my", "is", "of", "and", "some", "any", "free", "info", "close", "with",
    },
    "es": {
        "ayuda", "cerca", "de", "del", "necesito", "quiero", "busco", "buscar", "donde", "hay",
        "en", "por", "favor", "mi", "para", "conseguir", "codigo", "postal", "y", "gratis", "con",
        "algun", "alguna", "puedo",
    },
}  # fmt: skip
# Small words that are also state codes ("Columbus IN", "Portland ME") stay when they end a
# place, and are dropped only at the message's start.
STATE_WORDS = frozenset(code.lower() for code in STATES)
_EDGE_PUNCTUATION = ".,;:!?¿¡()[]\"'“”‘’«»"


@dataclass(frozen=True)
class Reading:
    """One way to read a search message: the place text, the taxonomy codes asked for, and
    the language of the words around the place ("es" when they are Spanish)."""

    place: str
    codes: tuple[str, ...]
    locale: str = "en"


@dataclass(frozen=True)
class Message:
    """A text message as the directory understands it.

    ``kind`` is "search", "help" or "opt" (a carrier keyword: answer nothing). A search has its
    readings, most likely first; ``locale`` is the first reading's (or the keyword's).
    """

    kind: str
    locale: str = "en"
    readings: tuple[Reading, ...] = field(default_factory=tuple)

    @property
    def place(self) -> str:
        return self.readings[0].place if self.readings else ""

    @property
    def codes(self) -> tuple[str, ...]:
        return self.readings[0].codes if self.readings else ()


@dataclass(frozen=True)
class Vocabulary:
    phrases: dict[tuple[str, ...], tuple[str, str]]  # words → (code, language)
    fuzzy: dict[str, tuple[str, str]]  # single words long enough for typos

    def exact(self, words: tuple[str, ...]) -> tuple[str, str] | None:
        return self.phrases.get(words)

    def close(self, word: str) -> tuple[str, str] | None:
        if len(word) < FUZZY_MIN_CHARS or word.isdigit():
            return None
        match = difflib.get_close_matches(word, self.fuzzy, n=1, cutoff=FUZZY_CUTOFF)
        return self.fuzzy[match[0]] if match else None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The need words of ``need_words.toml``, folded (no accents or capitals)."""
    table = tomllib.loads((Path(__file__).parent / "need_words.toml").read_text("utf-8"))
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for code, languages in table.items():
        for language, words in languages.items():
            for word in words:
                key = tuple(fold(word).split())
                if not 0 < len(key) <= LONGEST_PHRASE:
                    raise ValueError(f"need word {word!r} must have 1 to {LONGEST_PHRASE} words")
                phrases.setdefault(key, (code, language))
    fuzzy = {key[0]: value for key, value in phrases.items() if len(key) == 1}
    return Vocabulary(phrases, {w: v for w, v in fuzzy.items() if len(w) >= FUZZY_MIN_CHARS})


def fold(text: str) -> str:
    """Lower case without accents: "Metadona", "METADONA" and "metadóna" read alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _word(token: str) -> str:
    return fold(token.strip(_EDGE_PUNCTUATION))


def read_message(body: str) -> Message:
    """Read a text message (any text at all) into a Message."""
    text = " ".join(unicodedata.normalize("NFKC", body[:MAX_BODY_CHARS]).split())
    keyword = fold(text).strip(" .!").upper()
    if keyword in OPT_KEYWORDS:
        return Message("opt")
    if not text or keyword in HELP_KEYWORDS:
        return Message("help", HELP_KEYWORDS.get(keyword, "en"))
    readings = _readings(text.split())
    return Message("search", readings[0].locale, readings)


@dataclass
class _Edges:
    """What was taken off the message's two ends: needs, and the languages of the words."""

    start: int
    end: int
    codes: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)

    @property
    def locale(self) -> str:
        # Spanish words and no English ones: "metadona 60601", "cerca de 10001".
        return "es" if "es" in self.languages and "en" not in self.languages else "en"


def _readings(tokens: list[str]) -> tuple[Reading, ...]:
    words = [_word(token) for token in tokens]
    options = [
        _strip_edges(tokens, words, fuzzy=True, fillers=True),
        _strip_edges(tokens, words, fuzzy=False, fillers=True),
        _strip_edges(tokens, words, fuzzy=True, fillers=False),
        _Edges(0, len(tokens)),
    ]
    readings: list[Reading] = []
    for option in options:
        place = " ".join(tokens[option.start : option.end])
        reading = Reading(place, tuple(option.codes), option.locale)
        if reading not in readings:
            readings.append(reading)
    return tuple(readings)


def _strip_edges(tokens: list[str], words: list[str], *, fuzzy: bool, fillers: bool) -> _Edges:
    edges = _Edges(0, len(tokens))
    taken = True
    while taken and edges.start < edges.end:
        taken = _take(tokens, words, edges, from_start=True, fuzzy=fuzzy, fillers=fillers)
    taken = True
    while taken and edges.start < edges.end:
        taken = _take(tokens, words, edges, from_start=False, fuzzy=fuzzy, fillers=fillers)
    return edges


def _take(
    tokens: list[str],
    words: list[str],
    edges: _Edges,
    *,
    from_start: bool,
    fuzzy: bool,
    fillers: bool,
) -> bool:
    """Take one need phrase or small word off one end of what is left; False when none."""
    vocab = vocabulary()
    left = edges.end - edges.start
    for size in range(min(LONGEST_PHRASE, left), 0, -1):
        start = edges.start if from_start else edges.end - size
        phrase = tuple(words[start : start + size])
        # "Needles, CA": a word followed by its comma begins a place, unless it ends the text.
        if from_start and tokens[start + size - 1].endswith(",") and start + size < edges.end:
            continue
        found = vocab.exact(phrase) or (vocab.close(phrase[0]) if fuzzy and size == 1 else None)
        if found is None:
            continue
        code, language = found
        if code not in edges.codes:
            edges.codes.append(code)
        if language != "both":
            edges.languages.add(language)
        _advance(edges, size, from_start)
        return True
    if not fillers:
        return False
    at = edges.start if from_start else edges.end - 1
    word = words[at]
    languages = {language for language, words in FILLER_WORDS.items() if word in words}
    if languages:
        if not from_start and word in STATE_WORDS and tokens[at].isupper():
            return False
        if not from_start and word in STATE_WORDS and at > edges.start and _ends_place(tokens, at):
            return False
        if len(languages) == 1:
            edges.languages |= languages
        _advance(edges, 1, from_start)
        return True
    return False


def _ends_place(tokens: list[str], at: int) -> bool:
    # "Columbus in": a state code after a word, not after a number, ends a city and state.
    return not re.fullmatch(r"[0-9-]+,?", tokens[at - 1])


def _advance(edges: _Edges, size: int, from_start: bool) -> None:
    if from_start:
        edges.start += size
    else:
        edges.end -= size

"""How many SMS segments a reply costs, and replies written in the GSM-7 alphabet when they can be.

A text in the GSM 03.38 alphabet is sent as 7-bit characters: 160 in one segment, 153 in each
part of a longer one (the rest carries the joining header); the extension table's characters
(``{ } [ ] ~ | ^ \\ €``) take two. A text with any other character is sent as UCS-2: 70 in one
segment, 67 per part, and a character outside the Basic Multilingual Plane takes two.

Spanish needs á, í, ó and ú, which GSM-7 lacks: a reply with one would hold 201 characters in
three segments instead of 459. Like gateways' "smart encoding", :func:`gsm_friendly` writes such
letters without their accent (é, ñ, ü, ¿ and ¡ are in GSM-7 and stay), and typographic quotes
and dashes as plain ones, so a reply stays GSM-7 whenever its letters allow.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (the escape code 0x1B excluded) and its extension table.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[]~|€\f")
MAX_SEGMENTS = 3
_SINGLE = {"GSM-7": 160, "UCS-2": 70}
_PART = {"GSM-7": 153, "UCS-2": 67}
# Look-alikes for characters outside GSM-7 that replies commonly hold.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",  # Babel writes "5:00 PM" with a narrow no-break space
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "·": "-",
        "•": "-",
        "\t": " ",
    }
)


@dataclass(frozen=True)
class Measure:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def measure(text: str) -> Measure:
    """The encoding a gateway sends ``text`` in, its length in that encoding, and its segments.

    Parts are filled the way senders split: a two-unit character (GSM-7 extension, UCS-2
    surrogate pair) is never cut across two segments.
    """
    if is_gsm7(text):
        encoding, costs = "GSM-7", [2 if ch in GSM_EXTENDED else 1 for ch in text]
    else:
        encoding, costs = "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    units = sum(costs)
    if units <= _SINGLE[encoding]:
        return Measure(encoding, units, 1 if text else 0)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > _PART[encoding]:
            segments, used = segments + 1, 0
        used += cost
    return Measure(encoding, units, segments)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return measure(text).segments <= max_segments


def gsm_friendly(text: str) -> str:
    """``text`` with accents GSM-7 lacks removed and typographic punctuation made plain; any
    other character (a name in Chinese, an emoji) is kept, and the reply is then UCS-2."""
    out = []
    for ch in text.translate(_PLAIN):
        if ch in GSM_BASIC or ch in GSM_EXTENDED:
            out.append(ch)
            continue
        base = "".join(
            part for part in unicodedata.normalize("NFD", ch) if not unicodedata.combining(part)
        )
        out.append(base if base and is_gsm7(base) else ch)
    return "".join(out)


def cut_to_fit(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """The longest start of ``text`` (whole lines where possible) that fits ``max_segments``."""
    if fits(text, max_segments):
        return text
    lines = text.split("\n")
    while len(lines) > 1 and not fits("\n".join(lines), max_segments):
        lines.pop()
    kept = "\n".join(lines)
    while kept and not fits(kept, max_segments):
        kept = kept[:-1]
    return kept

"""Every piece of interface text has its Spanish translation, compiled where the app reads it."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from directory.config import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "directory" / "translations" / "es" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def source_messages() -> set[str]:
    found = set()
    for folder in ("directory", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder,
            METHODS,
            keywords=KEYWORDS,
            options_map={"**.html": {}},
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def spanish_catalog():
    with (CATALOG / "messages.po").open("rb") as handle:
        return read_po(handle, locale="es")


def test_every_interface_string_has_a_spanish_translation():
    catalog = spanish_catalog()
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and all(m.string if isinstance(m.string, tuple) else [m.string])
        and "fuzzy" not in m.flags
    }
    untranslated = sorted(source_messages() - translated)
    assert not untranslated, (
        "Run tools/translations.sh and translate these in messages.po: " + repr(untranslated)
    )


def test_the_compiled_catalog_matches_the_translations():
    def pairs(catalog) -> dict:
        return {_key(m.id): _key(m.string) for m in catalog if m.id}

    with (CATALOG / "messages.mo").open("rb") as handle:
        compiled = pairs(read_mo(handle))
    written = pairs(spanish_catalog())
    assert compiled == written, "messages.mo is stale: run tools/translations.sh"


def test_the_home_page_is_entirely_spanish_when_asked(client):
    html = client.get("/?lang=es").get_data(as_text=True)
    for english in ("Search", "Use my location", "What do you need?", "Skip to main content"):
        assert f">{english}<" not in html
    assert "Código postal, ciudad o dirección" in html
    assert "Saltar al contenido principal" in html

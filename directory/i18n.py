"""English and Spanish. The language comes from ``?lang=`` or the browser, never a cookie."""

from __future__ import annotations

import flask_babel
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, request
from flask_babel import get_locale, get_translations

from directory.extensions import babel


def select_locale() -> str | None:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang", "")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app: Flask) -> None:
    from directory.config import PROJECT_ROOT

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "directory" / "translations"),
    )
    _install_fast_gettext(app)


# What a request keeps on g (``_once_per_request``), by name.
_LOCALE, _TRANSLATIONS = "_locale", "_translations"


def translations() -> NullTranslations:
    """The translations of this request's language, found once per request.

    Flask-Babel finds them again for every string (five context lookups each), and a page of
    results translates about 180 strings: a millisecond of every results page. Nothing here
    changes the language within a request (no ``force_locale``), so once is enough.
    """
    return _once_per_request(_TRANSLATIONS, get_translations)


def current_locale() -> str:
    """This request's language ("en", "es"), found once per request like its translations: a
    results page asks for it about forty times."""
    return _once_per_request(_LOCALE, lambda: str(get_locale() or "en"))


def _once_per_request(name: str, find):
    """``find()``, kept on ``g`` for the rest of the request (outside one, found every time)."""
    if not has_app_context():
        return find()
    found = g.get(name)
    if found is None:
        found = find()
        setattr(g, name, found)
    return found


def refresh() -> None:
    """Forget the language found for this app context (tests that send several requests in
    one context; a server gives each request its own)."""
    flask_babel.refresh()
    for name in (_LOCALE, _TRANSLATIONS):
        g.pop(name, None)


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext``, with the request's translations found once."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def _install_fast_gettext(app: Flask) -> None:
    # The same callables Flask-Babel installs, reading the request's translations once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
    )

"""English and Spanish. The language comes from ``?lang=`` or the browser, never a cookie."""

from __future__ import annotations

from flask import Flask, current_app, request

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

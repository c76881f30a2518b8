"""French and English: the interface in the reader's language (drafts and comments stay as
written).

The language is the one remembered in the `plenary_lang` cookie (set by the switcher in the
footer), else the browser's best match from Accept-Language, else English. Strings are marked
with `_()` (templates and code) or `lazy_gettext` (form labels, module constants); catalogues
are in app/translations (`make translations` extracts and updates them;
tests/core/test_i18n.py fails on any string without a French translation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

LANGUAGES = {"en": "English", "fr": "Français"}
COOKIE = "plenary_lang"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

babel = Babel()


def select_locale() -> str:
    """The cookie's language, else the browser's preferred one we have, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def language() -> str:
    """The language of this request ("en" or "fr")."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))

    @app.context_processor
    def _i18n() -> dict[str, Any]:
        return {"language": language, "LANGUAGES": LANGUAGES, "format_date": format_date,
                "format_datetime": format_datetime, "format_number": format_decimal}

    @app.after_request
    def _vary(response: Any) -> Any:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
